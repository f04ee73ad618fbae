package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charterhq/charter/registry"
)

// tx is a registry.Tx over one database/sql transaction. Its queries use
// the context given to View or Update.
type tx struct {
	ctx      context.Context
	q        *sql.Tx
	stmts    statements
	writable bool
}

var _ registry.Tx = (*tx)(nil)

var errReadOnly = errors.New("sqlite: write in a read-only transaction")

// canWrite fails writes through a View's tx before they reach SQL.
func (t *tx) canWrite(op string) error {
	if !t.writable {
		return fmt.Errorf("%s: %w", op, errReadOnly)
	}
	return nil
}

// canon maps the two spellings of the default context to the stored one.
func canon(c registry.Context) registry.Context {
	if c.IsDefault() {
		return registry.DefaultContext
	}
	return c
}

// scanSchema reads one row of schemaColumns.
func scanSchema(row interface{ Scan(...any) error }) (registry.Schema, error) {
	var (
		s                     registry.Schema
		refs, metadata, rules sql.NullString
	)
	if err := row.Scan(&s.ID, &s.Type, &s.Text, &refs, &metadata, &rules, &s.Fingerprint); err != nil {
		return s, err
	}
	if refs.Valid {
		if err := json.Unmarshal([]byte(refs.String), &s.References); err != nil {
			return s, fmt.Errorf("decode references: %w", err)
		}
	}
	if metadata.Valid {
		s.Metadata = new(registry.Metadata)
		if err := json.Unmarshal([]byte(metadata.String), s.Metadata); err != nil {
			return s, fmt.Errorf("decode metadata: %w", err)
		}
	}
	if rules.Valid {
		s.RuleSet = new(registry.RuleSet)
		if err := json.Unmarshal([]byte(rules.String), s.RuleSet); err != nil {
			return s, fmt.Errorf("decode rule set: %w", err)
		}
	}
	return s, nil
}

// jsonOrNull encodes v, or returns NULL when isNil.
func jsonOrNull(v any, isNil bool) (any, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func (t *tx) SchemaByID(c registry.Context, id registry.SchemaID) (registry.Schema, error) {
	c = canon(c)
	row := t.queryRow(qSchemaByID, c, id)
	s, err := scanSchema(row)
	return s, opErr(err, "schema %d in context %s", id, c)
}

// maxParams bounds the ids bound in one IN (...) list, well under SQLite's
// limit on host parameters.
const maxParams = 500

func (t *tx) SchemasByID(c registry.Context, ids []registry.SchemaID) ([]registry.Schema, error) {
	c = canon(c)
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make([]registry.Schema, 0, len(ids))
	for chunk := range slices.Chunk(ids, maxParams) {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, c)
		for _, id := range chunk {
			args = append(args, id)
		}
		q := qSchemasByIDPrefix + strings.Repeat(qSchemasByIDMoreValues, len(chunk)-1) + qSchemasByIDSuffix
		rows, err := t.query(q, args...)
		if err != nil {
			return nil, opErr(err, "schemas by id in context %s", c)
		}
		for rows.Next() {
			s, err := scanSchema(rows)
			if err != nil {
				_ = rows.Close()
				return nil, opErr(err, "schemas by id in context %s", c)
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			return nil, opErr(err, "schemas by id in context %s", c)
		}
	}
	return out, nil
}

func (t *tx) SchemaByFingerprint(c registry.Context, fingerprint string) (registry.Schema, error) {
	c = canon(c)
	row := t.queryRow(qSchemaByFingerprint, c, fingerprint)
	s, err := scanSchema(row)
	return s, opErr(err, "schema with fingerprint %s in context %s", fingerprint, c)
}

func (t *tx) MaxSchemaID(c registry.Context) (registry.SchemaID, error) {
	c = canon(c)
	var id registry.SchemaID
	err := t.queryRow(qMaxSchemaID, c).Scan(&id)
	return id, opErr(err, "max schema id in context %s", c)
}

func (t *tx) InsertSchema(c registry.Context, s registry.Schema) error {
	if err := t.canWrite("InsertSchema"); err != nil {
		return err
	}
	c = canon(c)
	refs, err := jsonOrNull(s.References, len(s.References) == 0)
	if err != nil {
		return fmt.Errorf("sqlite: encode references of schema %d: %w", s.ID, err)
	}
	md, err := jsonOrNull(s.Metadata, s.Metadata == nil)
	if err != nil {
		return fmt.Errorf("sqlite: encode metadata of schema %d: %w", s.ID, err)
	}
	rs, err := jsonOrNull(s.RuleSet, s.RuleSet == nil)
	if err != nil {
		return fmt.Errorf("sqlite: encode rule set of schema %d: %w", s.ID, err)
	}
	_, err = t.exec(qInsertSchema, c, s.ID, s.Fingerprint, s.Type, s.Text, refs, md, rs)
	if err != nil {
		return opErr(err, "insert schema %d in context %s", s.ID, c)
	}
	// One statement per chunk of references, not one per reference.
	for chunk := range slices.Chunk(s.References, maxParams/4) {
		args := make([]any, 0, 4*len(chunk))
		for _, r := range chunk {
			args = append(args, r.Subject.In(c), r.Version, c, s.ID)
		}
		q := qInsertRefsPrefix + strings.Repeat(qInsertRefsMoreValues, len(chunk)-1)
		if _, err := t.exec(q, args...); err != nil {
			return opErr(err, "insert references of schema %d in context %s", s.ID, c)
		}
	}
	return nil
}

// queryVersions runs q, which selects versionColumns, and collects the rows.
func (t *tx) queryVersions(op, q string, args ...any) ([]registry.SubjectVersion, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, opErr(err, "%s", op)
	}
	defer func() { _ = rows.Close() }()
	var out []registry.SubjectVersion
	for rows.Next() {
		var (
			v  registry.SubjectVersion
			ms int64
		)
		if err := rows.Scan(&v.Subject, &v.Version, &v.SchemaID, &v.Deleted, &ms); err != nil {
			return nil, opErr(err, "%s", op)
		}
		v.CreatedAt = time.UnixMilli(ms).UTC()
		out = append(out, v)
	}
	return out, opErr(rows.Err(), "%s", op)
}

func (t *tx) Versions(subject registry.Subject) ([]registry.SubjectVersion, error) {
	return t.queryVersions("versions of "+string(subject), qVersions, subject)
}

// prefixEnd returns the smallest string greater than every string that
// starts with prefix, and false if there is none (prefix is all 0xff).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func (t *tx) AllVersions(prefix string) ([]registry.SubjectVersion, error) {
	op := fmt.Sprintf("versions of subjects starting with %q", prefix)
	if prefix == "" {
		return t.queryVersions(op, qAllVersions)
	}
	if end, ok := prefixEnd(prefix); ok {
		return t.queryVersions(op, qAllVersionsRange, prefix, end)
	}
	return t.queryVersions(op, qAllVersionsFrom, prefix)
}

func (t *tx) VersionsBySchemaID(c registry.Context, id registry.SchemaID) ([]registry.SubjectVersion, error) {
	c = canon(c)
	return t.queryVersions(fmt.Sprintf("versions of schema %d in context %s", id, c),
		qVersionsBySchemaID, c, id)
}

func (t *tx) Referrers(subject registry.Subject, v registry.Version) ([]registry.SubjectVersion, error) {
	return t.queryVersions(fmt.Sprintf("referrers of %s/%d", subject, v), qReferrers, subject, v)
}

func (t *tx) InsertVersion(v registry.SubjectVersion) error {
	if err := t.canWrite("InsertVersion"); err != nil {
		return err
	}
	c := v.Subject.Context()
	_, err := t.exec(qInsertVersion, v.Subject, v.Version, c, v.SchemaID, v.Deleted, v.CreatedAt.UnixMilli())
	return opErr(err, "insert version %s/%d (schema %d in context %s)", v.Subject, v.Version, v.SchemaID, c)
}

// execOne runs a statement that must change exactly one row, and returns
// ErrNotFound if it changed none.
func (t *tx) execOne(op, q string, args ...any) error {
	res, err := t.exec(q, args...)
	if err != nil {
		return opErr(err, "%s", op)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return opErr(err, "%s", op)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, registry.ErrNotFound)
	}
	return nil
}

func (t *tx) SetVersionDeleted(subject registry.Subject, v registry.Version, deleted bool) error {
	if err := t.canWrite("SetVersionDeleted"); err != nil {
		return err
	}
	return t.execOne(fmt.Sprintf("set deleted of %s/%d", subject, v),
		qSetVersionDeleted, deleted, subject, v)
}

func (t *tx) DeleteVersion(subject registry.Subject, v registry.Version) error {
	if err := t.canWrite("DeleteVersion"); err != nil {
		return err
	}
	return t.execOne(fmt.Sprintf("delete %s/%d", subject, v),
		qDeleteVersion, subject, v)
}

func (t *tx) Config(scope registry.Subject) (registry.Config, error) {
	var (
		c    registry.Config
		body string
	)
	err := t.queryRow(qConfig, scope).Scan(&body)
	if err != nil {
		return c, opErr(err, "config of %q", scope)
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		return c, fmt.Errorf("sqlite: decode config of %q: %w", scope, err)
	}
	return c, nil
}

func (t *tx) SetConfig(scope registry.Subject, c registry.Config) error {
	if err := t.canWrite("SetConfig"); err != nil {
		return err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("sqlite: encode config of %q: %w", scope, err)
	}
	_, err = t.exec(qSetConfig, scope, string(body))
	return opErr(err, "set config of %q", scope)
}

func (t *tx) DeleteConfig(scope registry.Subject) error {
	if err := t.canWrite("DeleteConfig"); err != nil {
		return err
	}
	return t.execOne(fmt.Sprintf("delete config of %q", scope), qDeleteConfig, scope)
}

func (t *tx) Mode(scope registry.Subject) (registry.Mode, error) {
	var m registry.Mode
	err := t.queryRow(qMode, scope).Scan(&m)
	return m, opErr(err, "mode of %q", scope)
}

func (t *tx) SetMode(scope registry.Subject, m registry.Mode) error {
	if err := t.canWrite("SetMode"); err != nil {
		return err
	}
	_, err := t.exec(qSetMode, scope, m)
	return opErr(err, "set mode of %q", scope)
}

func (t *tx) DeleteMode(scope registry.Subject) error {
	if err := t.canWrite("DeleteMode"); err != nil {
		return err
	}
	return t.execOne(fmt.Sprintf("delete mode of %q", scope), qDeleteMode, scope)
}
