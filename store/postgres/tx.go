package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/charterhq/charter/registry"
)

// tx is a registry.Tx over one pgx transaction. Its statements use the
// context given to View or Update, each bounded by the statement timeout.
type tx struct {
	s        *Store
	ctx      context.Context
	pg       pgx.Tx
	writable bool // in an Update: take locks, allow writes, log changes
	// broken is the first database error: PostgreSQL has aborted the
	// transaction, so every later statement would fail anyway.
	broken  error
	changes []Change // what to log at commit; Seq unset
}

var _ registry.Tx = (*tx)(nil)

func (s *Store) newTx(ctx context.Context, pg pgx.Tx, writable bool) *tx {
	return &tx{s: s, ctx: ctx, pg: pg, writable: writable}
}

var errReadOnly = errors.New("postgres: write in a read-only transaction")

// canWrite fails writes through a View's tx before they reach SQL.
func (t *tx) canWrite(op string) error {
	if !t.writable {
		return fmt.Errorf("%s: %w", op, errReadOnly)
	}
	return nil
}

// lock is an advisory lock a statement of an Update takes first.
type lock struct {
	key    int64
	shared bool
	set    bool
}

var noLock lock

// lockKey hashes a lock's namespace and name to an advisory lock key.
func lockKey(namespace, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(namespace))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// subjectLock is the exclusive lock of a subject or scope: its versions,
// config and mode.
func subjectLock(s registry.Subject) lock {
	return lock{key: lockKey("subject", string(s)), set: true}
}

// modeLock is the lock Mode takes: a scope's lock shared, so that
// registrations reading a context's or the global mode proceed together;
// a subject's lock exclusively, as its writers take it anyway.
func modeLock(s registry.Subject) lock {
	l := subjectLock(s)
	l.shared = s.IsScope()
	return l
}

// configLock is the exclusive lock Config and its writers take: a
// subject's lock, or for a scope a lock of the scope's config alone.
// Sharing the scope's lock would make SetConfig of a scope, which first
// reads the scope's mode (shared), upgrade to exclusive, and two such
// Updates would deadlock.
func configLock(s registry.Subject) lock {
	if s.IsScope() {
		return lock{key: lockKey("config", string(s)), set: true}
	}
	return subjectLock(s)
}

// contextLock is the exclusive lock of a context's schema content.
func contextLock(c registry.Context) lock {
	return lock{key: lockKey("context", string(c)), set: true}
}

func (l lock) sql() string {
	if l.shared {
		return `SELECT pg_advisory_xact_lock_shared($1)`
	}
	return `SELECT pg_advisory_xact_lock($1)`
}

// fail records a database error, which aborts the transaction, and wraps
// it.
func (t *tx) fail(err error, op string) error {
	e := opErr(t.ctx, err, "%s", op)
	if t.broken == nil {
		t.broken = e
	}
	return e
}

// run sends q, preceded by lk's lock statement in the same round trip when
// in an Update, and hands the result to use. Within a pipeline the server
// runs the lock statement to completion before it starts q, so under READ
// COMMITTED q's snapshot includes everything committed by the lock's
// previous holder.
func (t *tx) run(op string, lk lock, q string, args []any, use func(pgx.BatchResults) error) error {
	if t.broken != nil {
		return t.broken
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.s.stmtTimeout())
	defer cancel()
	b := &pgx.Batch{}
	locked := lk.set && t.writable
	if locked {
		b.Queue(lk.sql(), lk.key)
	}
	b.Queue(q, args...)
	br := t.pg.SendBatch(ctx, b)
	var err error
	if locked {
		_, err = br.Exec()
	}
	if err == nil {
		err = use(br)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return t.fail(err, op)
	}
	return nil
}

// exec runs a statement without a lock.
func (t *tx) exec(op, q string, args ...any) error {
	if t.broken != nil {
		return t.broken
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.s.stmtTimeout())
	defer cancel()
	if _, err := t.pg.Exec(ctx, q, args...); err != nil {
		return t.fail(err, op)
	}
	return nil
}

// execLocked runs a statement after taking lk, and returns its tag.
func (t *tx) execLocked(op string, lk lock, q string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := t.run(op, lk, q, args, func(br pgx.BatchResults) error {
		var err error
		tag, err = br.Exec()
		return err
	})
	return tag, err
}

// rows runs a query after taking lk and calls each for every row.
func (t *tx) rows(op string, lk lock, q string, args []any, each func(pgx.Rows) error) error {
	if lk.set && t.writable {
		return t.run(op, lk, q, args, func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			return scanRows(rows, each)
		})
	}
	// No lock: a plain query, cheaper than a batch of one.
	if t.broken != nil {
		return t.broken
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.s.stmtTimeout())
	defer cancel()
	rows, err := t.pg.Query(ctx, q, args...)
	if err == nil {
		err = scanRows(rows, each)
	}
	if err != nil {
		return t.fail(err, op)
	}
	return nil
}

func scanRows(rows pgx.Rows, each func(pgx.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// row runs a query expected to return at most one row, and returns
// ErrNotFound if it returns none.
func (t *tx) row(op string, lk lock, q string, args []any, scan func(pgx.Rows) error) error {
	found := false
	err := t.rows(op, lk, q, args, func(r pgx.Rows) error {
		found = true
		return scan(r)
	})
	if err == nil && !found {
		return fmt.Errorf("postgres: %s: %w", op, registry.ErrNotFound)
	}
	return err
}

// execOne runs a statement that must change exactly one row, and returns
// ErrNotFound if it changed none.
func (t *tx) execOne(op string, lk lock, q string, args ...any) error {
	tag, err := t.execLocked(op, lk, q, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", op, registry.ErrNotFound)
	}
	return nil
}

// touch notes a change to log at commit.
func (t *tx) touch(kind string, subject registry.Subject) {
	for _, c := range t.changes {
		if c.Kind == kind && c.Subject == subject {
			return
		}
	}
	t.changes = append(t.changes, Change{Kind: kind, Subject: subject, Context: subject.Context()})
}

// canon maps the two spellings of the default context to the stored one.
func canon(c registry.Context) registry.Context {
	if c.IsDefault() {
		return registry.DefaultContext
	}
	return c
}

const (
	schemaColumns  = `id, type, text, refs, metadata, ruleset, fingerprint`
	versionColumns = `subject, version, schema_id, deleted, created_at`

	qSchemaByID          = `SELECT ` + schemaColumns + ` FROM schemas WHERE context = $1 AND id = $2`
	qSchemasByID         = `SELECT ` + schemaColumns + ` FROM schemas WHERE context = $1 AND id = ANY($2)`
	qSchemaByFingerprint = `SELECT ` + schemaColumns + ` FROM schemas WHERE context = $1 AND fingerprint = $2`
	qMaxSchemaID         = `SELECT COALESCE(MAX(id), 0) FROM schemas WHERE context = $1`
	qInsertSchema        = `INSERT INTO schemas (context, id, fingerprint, type, text, refs, metadata, ruleset)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	qInsertRefs = `INSERT INTO schema_refs (ref_subject, ref_version, context, schema_id)
		SELECT s, v, $3, $4 FROM unnest($1::text[], $2::integer[]) AS r (s, v)
		ON CONFLICT DO NOTHING`

	qVersions           = `SELECT ` + versionColumns + ` FROM versions WHERE subject = $1 ORDER BY version`
	qAllVersions        = `SELECT ` + versionColumns + ` FROM versions ORDER BY subject, version`
	qAllVersionsFrom    = `SELECT ` + versionColumns + ` FROM versions WHERE subject >= $1 ORDER BY subject, version`
	qAllVersionsRange   = `SELECT ` + versionColumns + ` FROM versions WHERE subject >= $1 AND subject < $2 ORDER BY subject, version`
	qVersionsBySchemaID = `SELECT ` + versionColumns + ` FROM versions WHERE context = $1 AND schema_id = $2 ORDER BY subject, version`
	qReferrers          = `SELECT ` + versionColumns + ` FROM versions WHERE (context, schema_id) IN
		(SELECT context, schema_id FROM schema_refs WHERE ref_subject = $1 AND ref_version = $2) ORDER BY subject, version`
	qInsertVersion = `INSERT INTO versions (subject, version, context, schema_id, deleted, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`
	qSetVersionDeleted = `UPDATE versions SET deleted = $1 WHERE subject = $2 AND version = $3`
	qDeleteVersion     = `DELETE FROM versions WHERE subject = $1 AND version = $2`

	qConfig       = `SELECT body FROM configs WHERE scope = $1`
	qSetConfig    = `INSERT INTO configs (scope, body) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET body = excluded.body`
	qDeleteConfig = `DELETE FROM configs WHERE scope = $1`
	qMode         = `SELECT mode FROM modes WHERE scope = $1`
	qSetMode      = `INSERT INTO modes (scope, mode) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode`
	qDeleteMode   = `DELETE FROM modes WHERE scope = $1`
)

// scanSchema reads one row of schemaColumns.
func scanSchema(row pgx.Rows) (registry.Schema, error) {
	var (
		s                     registry.Schema
		id                    int32
		typ, text, fp         string
		refs, metadata, rules []byte
	)
	if err := row.Scan(&id, &typ, &text, &refs, &metadata, &rules, &fp); err != nil {
		return s, err
	}
	s.ID, s.Type, s.Text, s.Fingerprint = registry.SchemaID(id), registry.SchemaType(typ), text, fp
	if refs != nil {
		if err := json.Unmarshal(refs, &s.References); err != nil {
			return s, fmt.Errorf("decode references: %w", err)
		}
	}
	if metadata != nil {
		s.Metadata = new(registry.Metadata)
		if err := json.Unmarshal(metadata, s.Metadata); err != nil {
			return s, fmt.Errorf("decode metadata: %w", err)
		}
	}
	if rules != nil {
		s.RuleSet = new(registry.RuleSet)
		if err := json.Unmarshal(rules, s.RuleSet); err != nil {
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

func (t *tx) schema(op string, c registry.Context, q string, arg any) (registry.Schema, error) {
	var s registry.Schema
	err := t.row(op, contextLock(c), q, []any{string(c), arg}, func(r pgx.Rows) error {
		var err error
		s, err = scanSchema(r)
		return err
	})
	return s, err
}

func (t *tx) SchemaByID(c registry.Context, id registry.SchemaID) (registry.Schema, error) {
	c = canon(c)
	return t.schema(fmt.Sprintf("schema %d in context %s", id, c), c, qSchemaByID, int32(id))
}

func (t *tx) SchemasByID(c registry.Context, ids []registry.SchemaID) ([]registry.Schema, error) {
	c = canon(c)
	keys := make([]int32, 0, len(ids))
	for _, id := range ids {
		keys = append(keys, int32(id))
	}
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	out := make([]registry.Schema, 0, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	err := t.rows("schemas by id in context "+string(c), contextLock(c), qSchemasByID, []any{string(c), keys},
		func(r pgx.Rows) error {
			s, err := scanSchema(r)
			out = append(out, s)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) SchemaByFingerprint(c registry.Context, fingerprint string) (registry.Schema, error) {
	c = canon(c)
	return t.schema(fmt.Sprintf("schema with fingerprint %s in context %s", fingerprint, c), c,
		qSchemaByFingerprint, fingerprint)
}

func (t *tx) MaxSchemaID(c registry.Context) (registry.SchemaID, error) {
	c = canon(c)
	var id int32
	err := t.row("max schema id in context "+string(c), contextLock(c), qMaxSchemaID, []any{string(c)},
		func(r pgx.Rows) error { return r.Scan(&id) })
	return registry.SchemaID(id), err
}

func (t *tx) InsertSchema(c registry.Context, s registry.Schema) error {
	if err := t.canWrite("InsertSchema"); err != nil {
		return err
	}
	c = canon(c)
	refs, err := jsonOrNull(s.References, len(s.References) == 0)
	if err != nil {
		return fmt.Errorf("postgres: encode references of schema %d: %w", s.ID, err)
	}
	md, err := jsonOrNull(s.Metadata, s.Metadata == nil)
	if err != nil {
		return fmt.Errorf("postgres: encode metadata of schema %d: %w", s.ID, err)
	}
	rs, err := jsonOrNull(s.RuleSet, s.RuleSet == nil)
	if err != nil {
		return fmt.Errorf("postgres: encode rule set of schema %d: %w", s.ID, err)
	}
	op := fmt.Sprintf("insert schema %d in context %s", s.ID, c)
	_, err = t.execLocked(op, contextLock(c), qInsertSchema,
		string(c), int32(s.ID), s.Fingerprint, string(s.Type), s.Text, refs, md, rs)
	if err != nil || len(s.References) == 0 {
		return err
	}
	subjects := make([]string, len(s.References))
	versions := make([]int32, len(s.References))
	for i, r := range s.References {
		subjects[i], versions[i] = string(r.Subject.In(c)), int32(r.Version)
	}
	return t.exec(fmt.Sprintf("insert references of schema %d in context %s", s.ID, c),
		qInsertRefs, subjects, versions, string(c), int32(s.ID))
}

// queryVersions runs q, which selects versionColumns, and collects the rows.
func (t *tx) queryVersions(op string, lk lock, q string, args ...any) ([]registry.SubjectVersion, error) {
	out := []registry.SubjectVersion{}
	err := t.rows(op, lk, q, args, func(r pgx.Rows) error {
		var (
			subject string
			version int32
			id      int32
			v       registry.SubjectVersion
		)
		if err := r.Scan(&subject, &version, &id, &v.Deleted, &v.CreatedAt); err != nil {
			return err
		}
		v.Subject, v.Version, v.SchemaID = registry.Subject(subject), registry.Version(version), registry.SchemaID(id)
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) Versions(subject registry.Subject) ([]registry.SubjectVersion, error) {
	return t.queryVersions("versions of "+string(subject), subjectLock(subject), qVersions, string(subject))
}

// prefixRange returns the bounds of the strings starting with prefix, in
// bytewise (COLLATE "C") order: lo <= s < hi, hi empty when unbounded.
// Both are valid UTF-8, as PostgreSQL requires: hi is prefix with its last
// rune incremented (UTF-8 byte order is code point order), skipping the
// surrogates and dropping trailing U+10FFFF.
func prefixRange(prefix string) (lo, hi string) {
	rs := []rune(prefix)
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i] + 1
		if r == 0xD800 {
			r = 0xE000
		}
		if r <= utf8.MaxRune {
			return prefix, string(rs[:i]) + string(r)
		}
	}
	return prefix, ""
}

func (t *tx) AllVersions(prefix string) ([]registry.SubjectVersion, error) {
	op := fmt.Sprintf("versions of subjects starting with %q", prefix)
	// In an Update the registry reads a scope's subjects before changing
	// its mode (SetMode IMPORT): that read takes the scope's lock, which
	// registrations reading the scope's mode hold shared.
	lk := subjectLock(registry.Subject(prefix))
	if strings.ContainsRune(prefix, 0) {
		// PostgreSQL text cannot hold NUL, so no subject starts with it.
		return []registry.SubjectVersion{}, nil
	}
	if !utf8.ValidString(prefix) {
		// Query the valid head and filter: a prefix may end inside a
		// multi-byte character.
		head := prefix
		for !utf8.ValidString(head) {
			head = head[:len(head)-1]
		}
		vs, err := t.AllVersions(head)
		return slices.DeleteFunc(vs, func(v registry.SubjectVersion) bool {
			return !strings.HasPrefix(string(v.Subject), prefix)
		}), err
	}
	if prefix == "" {
		return t.queryVersions(op, lk, qAllVersions)
	}
	lo, hi := prefixRange(prefix)
	if hi == "" {
		return t.queryVersions(op, lk, qAllVersionsFrom, lo)
	}
	return t.queryVersions(op, lk, qAllVersionsRange, lo, hi)
}

func (t *tx) VersionsBySchemaID(c registry.Context, id registry.SchemaID) ([]registry.SubjectVersion, error) {
	c = canon(c)
	return t.queryVersions(fmt.Sprintf("versions of schema %d in context %s", id, c), noLock,
		qVersionsBySchemaID, string(c), int32(id))
}

func (t *tx) Referrers(subject registry.Subject, v registry.Version) ([]registry.SubjectVersion, error) {
	return t.queryVersions(fmt.Sprintf("referrers of %s/%d", subject, v), noLock,
		qReferrers, string(subject), int32(v))
}

func (t *tx) InsertVersion(v registry.SubjectVersion) error {
	if err := t.canWrite("InsertVersion"); err != nil {
		return err
	}
	c := canon(v.Subject.Context())
	_, err := t.execLocked(fmt.Sprintf("insert version %s/%d (schema %d in context %s)", v.Subject, v.Version, v.SchemaID, c),
		subjectLock(v.Subject), qInsertVersion,
		string(v.Subject), int32(v.Version), string(c), int32(v.SchemaID), v.Deleted,
		v.CreatedAt.Truncate(time.Millisecond))
	if err == nil {
		t.touch(ChangeVersion, v.Subject)
	}
	return err
}

func (t *tx) SetVersionDeleted(subject registry.Subject, v registry.Version, deleted bool) error {
	if err := t.canWrite("SetVersionDeleted"); err != nil {
		return err
	}
	err := t.execOne(fmt.Sprintf("set deleted of %s/%d", subject, v), subjectLock(subject),
		qSetVersionDeleted, deleted, string(subject), int32(v))
	if err == nil {
		t.touch(ChangeVersion, subject)
	}
	return err
}

func (t *tx) DeleteVersion(subject registry.Subject, v registry.Version) error {
	if err := t.canWrite("DeleteVersion"); err != nil {
		return err
	}
	err := t.execOne(fmt.Sprintf("delete %s/%d", subject, v), subjectLock(subject),
		qDeleteVersion, string(subject), int32(v))
	if err == nil {
		t.touch(ChangeDelete, subject)
	}
	return err
}

func (t *tx) Config(scope registry.Subject) (registry.Config, error) {
	var (
		c    registry.Config
		body []byte
	)
	op := fmt.Sprintf("config of %q", scope)
	err := t.row(op, configLock(scope), qConfig, []any{string(scope)},
		func(r pgx.Rows) error { return r.Scan(&body) })
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, fmt.Errorf("postgres: decode config of %q: %w", scope, err)
	}
	return c, nil
}

func (t *tx) SetConfig(scope registry.Subject, c registry.Config) error {
	if err := t.canWrite("SetConfig"); err != nil {
		return err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("postgres: encode config of %q: %w", scope, err)
	}
	_, err = t.execLocked(fmt.Sprintf("set config of %q", scope), configLock(scope),
		qSetConfig, string(scope), string(body))
	if err == nil {
		t.touch(ChangeConfig, scope)
	}
	return err
}

func (t *tx) DeleteConfig(scope registry.Subject) error {
	if err := t.canWrite("DeleteConfig"); err != nil {
		return err
	}
	err := t.execOne(fmt.Sprintf("delete config of %q", scope), configLock(scope), qDeleteConfig, string(scope))
	if err == nil {
		t.touch(ChangeConfig, scope)
	}
	return err
}

func (t *tx) Mode(scope registry.Subject) (registry.Mode, error) {
	var m string
	err := t.row(fmt.Sprintf("mode of %q", scope), modeLock(scope), qMode, []any{string(scope)},
		func(r pgx.Rows) error { return r.Scan(&m) })
	return registry.Mode(m), err
}

func (t *tx) SetMode(scope registry.Subject, m registry.Mode) error {
	if err := t.canWrite("SetMode"); err != nil {
		return err
	}
	_, err := t.execLocked(fmt.Sprintf("set mode of %q", scope), subjectLock(scope), qSetMode, string(scope), string(m))
	if err == nil {
		t.touch(ChangeMode, scope)
	}
	return err
}

func (t *tx) DeleteMode(scope registry.Subject) error {
	if err := t.canWrite("DeleteMode"); err != nil {
		return err
	}
	err := t.execOne(fmt.Sprintf("delete mode of %q", scope), subjectLock(scope), qDeleteMode, string(scope))
	if err == nil {
		t.touch(ChangeMode, scope)
	}
	return err
}
