package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// The fixed statements of the Tx methods. They are prepared once per pool
// at Open (parsing is a third of a point read's cost in modernc.org/sqlite)
// and reused in every transaction through sql.Tx.StmtContext. Statements
// whose text depends on the arguments (IN lists, multi-row inserts) are
// not prepared.
const (
	schemaColumns  = `id, type, text, refs, metadata, ruleset, fingerprint`
	versionColumns = `subject, version, schema_id, deleted, created_at`

	qSchemaByID          = `SELECT ` + schemaColumns + ` FROM schemas WHERE context = ? AND id = ?`
	qSchemaByFingerprint = `SELECT ` + schemaColumns + ` FROM schemas WHERE context = ? AND fingerprint = ?`
	qMaxSchemaID         = `SELECT COALESCE(MAX(id), 0) FROM schemas WHERE context = ?`
	qVersions            = `SELECT ` + versionColumns + ` FROM versions WHERE subject = ? ORDER BY version`
	// AllVersions scans a range of the primary key; SQLite compares TEXT
	// bytewise (BINARY collation), as Go compares strings.
	qAllVersions           = `SELECT ` + versionColumns + ` FROM versions ORDER BY subject, version`
	qAllVersionsFrom       = `SELECT ` + versionColumns + ` FROM versions WHERE subject >= ? ORDER BY subject, version`
	qAllVersionsRange      = `SELECT ` + versionColumns + ` FROM versions WHERE subject >= ? AND subject < ? ORDER BY subject, version`
	qVersionsBySchemaID    = `SELECT ` + versionColumns + ` FROM versions WHERE context = ? AND schema_id = ? ORDER BY subject, version`
	qReferrers             = `SELECT ` + versionColumns + ` FROM versions WHERE (context, schema_id) IN (SELECT context, schema_id FROM schema_refs WHERE ref_subject = ? AND ref_version = ?) ORDER BY subject, version`
	qConfig                = `SELECT body FROM configs WHERE scope = ?`
	qMode                  = `SELECT mode FROM modes WHERE scope = ?`
	qInsertSchema          = `INSERT INTO schemas (context, id, fingerprint, type, text, refs, metadata, ruleset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	qInsertVersion         = `INSERT INTO versions (subject, version, context, schema_id, deleted, created_at) VALUES (?, ?, ?, ?, ?, ?)`
	qSetVersionDeleted     = `UPDATE versions SET deleted = ? WHERE subject = ? AND version = ?`
	qDeleteVersion         = `DELETE FROM versions WHERE subject = ? AND version = ?`
	qSetConfig             = `INSERT INTO configs (scope, body) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET body = excluded.body`
	qDeleteConfig          = `DELETE FROM configs WHERE scope = ?`
	qSetMode               = `INSERT INTO modes (scope, mode) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode`
	qDeleteMode            = `DELETE FROM modes WHERE scope = ?`
	qInsertRefsPrefix      = `INSERT OR IGNORE INTO schema_refs (ref_subject, ref_version, context, schema_id) VALUES (?, ?, ?, ?)`
	qInsertRefsMoreValues  = `, (?, ?, ?, ?)`
	qSchemasByIDPrefix     = `SELECT ` + schemaColumns + ` FROM schemas WHERE context = ? AND id IN (?`
	qSchemasByIDMoreValues = `, ?`
	qSchemasByIDSuffix     = `)`
)

var (
	readQueries = []string{
		qSchemaByID, qSchemaByFingerprint, qMaxSchemaID, qVersions, qAllVersions, qAllVersionsFrom,
		qAllVersionsRange, qVersionsBySchemaID, qReferrers, qConfig, qMode,
	}
	writeQueries = []string{
		qInsertSchema, qInsertVersion, qSetVersionDeleted, qDeleteVersion, qSetConfig, qDeleteConfig,
		qSetMode, qDeleteMode,
	}
)

// statements maps query text to its prepared statement. It is filled at
// Open and read-only afterwards, so it needs no lock.
type statements map[string]*sql.Stmt

// prepare prepares queries on db.
func prepare(ctx context.Context, db *sql.DB, queries ...[]string) (statements, error) {
	st := statements{}
	for _, qs := range queries {
		for _, q := range qs {
			s, err := db.PrepareContext(ctx, q)
			if err != nil {
				return nil, errors.Join(err, st.close())
			}
			st[q] = s
		}
	}
	return st, nil
}

func (st statements) close() error {
	var errs []error
	for _, s := range st {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// stmt returns q as a statement of t's transaction: the prepared one if q
// is known, nil otherwise.
func (t *tx) stmt(q string) *sql.Stmt {
	if s, ok := t.stmts[q]; ok {
		return t.q.StmtContext(t.ctx, s)
	}
	return nil
}

func (t *tx) queryRow(q string, args ...any) *sql.Row {
	if s := t.stmt(q); s != nil {
		return s.QueryRowContext(t.ctx, args...)
	}
	return t.q.QueryRowContext(t.ctx, q, args...)
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(q); s != nil {
		return s.QueryContext(t.ctx, args...)
	}
	return t.q.QueryContext(t.ctx, q, args...)
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	if s := t.stmt(q); s != nil {
		return s.ExecContext(t.ctx, args...)
	}
	return t.q.ExecContext(t.ctx, q, args...)
}
