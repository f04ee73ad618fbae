// Package postgres implements registry.Store using PostgreSQL.
//
// It uses github.com/jackc/pgx/v5 with a pgxpool connection pool, so that
// several Charter nodes can serve reads and writes against one database,
// all active. PostgreSQL 12 or later is required; the role needs CREATE on
// the schema the tables go in (the first schema of its search_path, public
// by default) the first time Open runs, and afterwards SELECT, INSERT,
// UPDATE and DELETE on those tables.
//
// # Migrations
//
// Open applies the SQL migrations embedded from migrations/*.sql, in
// filename order, in one transaction that first takes
// pg_advisory_xact_lock(migrationLock). Nodes starting at once queue on the
// lock; the first applies the pending migrations and records them in
// schema_migrations, the others then find nothing to do.
//
// # Transactions and locking
//
// View runs in a READ ONLY, REPEATABLE READ transaction: every query in fn
// sees one snapshot.
//
// Update runs in a READ COMMITTED transaction and serialises conflicting
// Updates with transaction-scoped advisory locks (pg_advisory_xact_lock,
// released at commit or rollback) taken by the Tx methods themselves,
// before they read. Under READ COMMITTED every statement sees what was
// committed when it started, so a read that follows the lock sees
// everything the previous holder wrote, and the registry's
// read-then-write steps (read the subject's versions and insert max+1,
// read MaxSchemaID and insert max+1, read a config and write it back
// patched) run one after the other instead of failing. The locks are:
//
//   - the subject lock of a subject or scope (global "", ":.ctx:" or a
//     subject), taken exclusively by Versions, Config, every write to the
//     subject's versions, config or mode, and by Mode for a subject;
//     Mode takes a scope's lock shared, so registrations, which read the
//     context and global modes, do not queue behind each other on them,
//     while SetMode and DeleteMode of that scope wait for them and they
//     for it. AllVersions(prefix) takes prefix's lock exclusively, as the
//     registry reads a scope's subjects before putting it in IMPORT mode.
//     A scope's config has a lock of its own (exclusive, taken by Config,
//     SetConfig and DeleteConfig), so that SetConfig, which reads the
//     scope's mode first, never needs to upgrade a shared lock;
//   - the context lock of a context, taken exclusively by SchemaByID,
//     SchemasByID, SchemaByFingerprint, MaxSchemaID and InsertSchema, so
//     that content ids are allocated one at a time per context and a
//     schema registered through two nodes at once gets one id.
//
// Reads in a View, and Referrers, VersionsBySchemaID and AllVersions in an
// Update except as above, take no lock. Locks are re-entrant within a
// transaction. A cycle of lock waits is broken by PostgreSQL after
// deadlock_timeout (40P01), and a wait longer than half the statement
// timeout is abandoned (lock_timeout, 55P03); both surface as
// registry.ErrConflict, which the registry retries. Unique violations
// (23505) and serialization failures (40001) are ErrConflict too.
//
// Why not SERIALIZABLE: under SSI, concurrent registrations into one
// context or subject all read the same max and all but one abort; the
// registry retries only a few times, so under load (many nodes, many
// clients) registrations would fail where with locks they just wait a
// millisecond or two. Locks cannot be combined with SERIALIZABLE or
// REPEATABLE READ, whose snapshot is taken at the first statement,
// before a lock is granted.
//
// # Change log
//
// Every Update that writes versions, configs or modes also inserts one row
// per touched subject or scope into the changes table and calls
// pg_notify('charter_changes', seq), in the same transaction; see
// [Store.Changes] and [Store.Listen]. The rows are inserted last, under a
// global advisory lock held until commit, so sequence numbers are assigned
// in commit order.
//
// # Errors and timeouts
//
// Errors wrap registry.ErrNotFound (no such row; a version whose schema is
// missing), registry.ErrConflict (see above) and registry.ErrUnavailable
// (the server cannot be reached or reports itself unable to serve:
// connection failures, a connection lost mid-transaction, acquiring a
// pooled connection taking longer than ConnectTimeout, a statement taking
// longer than StatementTimeout, server shutdown, too many connections, a
// read-only server; and any call after Close). Nothing waits unbounded:
// starting a transaction (pool acquire, dial, BEGIN) is bounded by
// Options.ConnectTimeout, and every statement by Options.StatementTimeout,
// enforced by the server (statement_timeout) and by the client. If the
// caller's own context ends first, the error wraps the context's error
// instead of ErrUnavailable.
//
// A commit that fails because the connection was lost has an unknown
// outcome (it may have been applied): Update then returns ErrUnavailable,
// and the caller's retry must be idempotent, as registrations are.
//
// After a Tx method fails with a database error the transaction is
// aborted, as always in PostgreSQL: later calls on that Tx return the
// same error, and the Update fails.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/charterhq/charter/registry"
)

// Options configures a Store. Zero fields take their defaults.
type Options struct {
	// MaxConns is the size of the connection pool (default 10). Listen
	// uses one more connection of its own.
	MaxConns int32
	// ConnectTimeout bounds establishing a connection and waiting for a
	// pooled one at the start of a transaction (default 5s).
	ConnectTimeout time.Duration
	// StatementTimeout bounds every statement (default 10s). Lock waits
	// are bounded by half of it.
	StatementTimeout time.Duration
}

// Defaults of Options.
const (
	DefaultMaxConns         = 10
	DefaultConnectTimeout   = 5 * time.Second
	DefaultStatementTimeout = 10 * time.Second
)

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = DefaultStatementTimeout
	}
	return o
}

// idleInTransactionTimeout makes the server end a session whose client
// holds a transaction open without sending anything (a stuck or
// partitioned node), releasing its locks.
const idleInTransactionTimeout = time.Minute

// Store is a registry.Store on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	listen *pgx.ConnConfig // for Listen's dedicated connections
	opts   Options
	closed atomic.Bool
	done   chan struct{} // closed by Close: stops Listen
}

var _ registry.Store = (*Store)(nil)

// Open connects to the database at url (a PostgreSQL URL or key=value
// connection string, as accepted by pgx) and applies pending migrations.
// Runtime parameters set in url are kept, except statement_timeout,
// lock_timeout and idle_in_transaction_session_timeout, which Open sets
// from opts. Errors reaching the server wrap registry.ErrUnavailable.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	cfg.MaxConns = opts.MaxConns
	cfg.PingTimeout = opts.ConnectTimeout
	cc := cfg.ConnConfig
	cc.ConnectTimeout = opts.ConnectTimeout
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	if _, ok := cc.RuntimeParams["application_name"]; !ok {
		cc.RuntimeParams["application_name"] = "charter"
	}
	cc.RuntimeParams["statement_timeout"] = millis(opts.StatementTimeout)
	cc.RuntimeParams["lock_timeout"] = millis(opts.StatementTimeout / 2)
	cc.RuntimeParams["idle_in_transaction_session_timeout"] = millis(idleInTransactionTimeout)

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	listen := cc.Copy()
	listen.RuntimeParams["application_name"] += " listen"
	s := &Store{pool: pool, listen: listen, opts: opts, done: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

//go:embed migrations/*.sql
var migrationFS embed.FS

// Advisory lock keys of the store's own (not per-subject) locks. Subject
// and context locks are hashes (see lockKey) and could collide with these
// only by astronomical chance, with no harm beyond a short wait.
const (
	migrationLock int64 = 0x63686172_7465726d // "charterm"
	changesLock   int64 = 0x63686172_74657263 // "charterc"
)

// migrate applies the embedded migrations that schema_migrations does not
// list yet, in filename order, in one transaction holding the migration
// lock.
func (s *Store) migrate(ctx context.Context) (err error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	tx, err := s.begin(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, "open: begin migrations")
	if err != nil {
		return err
	}
	defer s.rollback(tx)
	t := s.newTx(ctx, tx, true)
	// Another node may hold the lock while it migrates: wait for as long
	// as a statement may take, not the usual lock timeout.
	if err := t.exec("open: migrations", `SET LOCAL lock_timeout = 0`); err != nil {
		return err
	}
	if err := t.exec("open: migration lock", `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return err
	}
	if err := t.exec("open: create schema_migrations", `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       text        NOT NULL PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return err
	}
	applied := map[string]bool{}
	err = t.rows("open: list migrations", noLock, `SELECT name FROM schema_migrations`, nil, func(r pgx.Rows) error {
		var name string
		err := r.Scan(&name)
		applied[name] = true
		return err
	})
	if err != nil {
		return err
	}
	for _, name := range names {
		base := path.Base(name)
		if applied[base] {
			continue
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		// No arguments: pgx sends it with the simple protocol, which runs
		// every statement of the file.
		if err := t.exec("open: migration "+base, string(body)); err != nil {
			return err
		}
		if err := t.exec("open: record migration "+base, `INSERT INTO schema_migrations (name) VALUES ($1)`, base); err != nil {
			return err
		}
	}
	return s.commit(ctx, tx, "open: commit migrations")
}

var errClosed = fmt.Errorf("postgres: store is closed: %w", registry.ErrUnavailable)

// begin starts a transaction, bounding the wait for a connection and the
// BEGIN by ConnectTimeout.
func (s *Store) begin(ctx context.Context, o pgx.TxOptions, op string) (pgx.Tx, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	bctx, cancel := context.WithTimeout(ctx, s.opts.ConnectTimeout)
	defer cancel()
	var (
		tx  pgx.Tx
		err error
	)
	for range s.opts.MaxConns + 1 {
		if tx, err = s.pool.BeginTx(bctx, o); !staleConn(bctx, err) {
			break
		}
	}
	if err != nil {
		return nil, unavailable(ctx, err, op)
	}
	return tx, nil
}

// staleConn reports whether err is a pooled connection found dead (its
// server gone: restarted, failed over, or the backend terminated) rather
// than a failure to connect. The pool has discarded it, and retrying a
// BEGIN or a SELECT 1, which change nothing, on another connection is
// safe: after a restart the first request succeeds instead of one request
// per pooled connection failing.
func staleConn(ctx context.Context, err error) bool {
	var ce *pgconn.ConnectError
	return err != nil && ctx.Err() == nil && !errors.As(err, &ce) && sentinel(err) == registry.ErrUnavailable
}

// rollback ends tx if it is still open (after a commit it does nothing).
// It uses its own bounded context: the caller's may be done, and a
// rollback that cannot reach the server makes pgx close the connection,
// which the pool then discards.
func (s *Store) rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.StatementTimeout)
	defer cancel()
	_ = tx.Rollback(ctx)
}

func (s *Store) commit(ctx context.Context, tx pgx.Tx, op string) error {
	cctx, cancel := context.WithTimeout(ctx, s.stmtTimeout())
	defer cancel()
	return opErr(ctx, tx.Commit(cctx), "%s", op)
}

// stmtTimeout is the client-side bound of a statement: a little longer
// than the server's, so that normally the server cancels the statement and
// the connection stays usable.
func (s *Store) stmtTimeout() time.Duration { return s.opts.StatementTimeout + 250*time.Millisecond }

// View runs fn in a read-only, repeatable-read transaction: every query in
// fn sees the same committed snapshot.
func (s *Store) View(ctx context.Context, fn func(registry.Tx) error) error {
	tx, err := s.begin(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, "begin view")
	if err != nil {
		return err
	}
	defer s.rollback(tx)
	return fn(s.newTx(ctx, tx, false))
}

// Update runs fn in a read-committed transaction (see the package doc for
// its locks), records the change log, and commits iff fn returns nil. If
// fn returns an error or panics, the transaction is rolled back before
// Update returns the error or the panic propagates.
func (s *Store) Update(ctx context.Context, fn func(registry.Tx) error) error {
	tx, err := s.begin(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite}, "begin update")
	if err != nil {
		return err
	}
	defer s.rollback(tx)
	t := s.newTx(ctx, tx, true)
	if err := fn(t); err != nil {
		return err
	}
	if t.broken != nil {
		// fn swallowed a database error; the transaction is aborted.
		return t.broken
	}
	if err := t.logChanges(); err != nil {
		return err
	}
	return s.commit(ctx, tx, "commit")
}

// Ping runs SELECT 1 through the pool, bounded by ConnectTimeout, and
// reports ErrUnavailable if that fails.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	pctx, cancel := context.WithTimeout(ctx, s.opts.ConnectTimeout)
	defer cancel()
	var err error
	for range s.opts.MaxConns + 1 {
		var one int
		if err = s.pool.QueryRow(pctx, `SELECT 1`).Scan(&one); !staleConn(pctx, err) {
			break
		}
	}
	if err != nil {
		return unavailable(ctx, err, "ping")
	}
	return nil
}

// Close closes the pool and stops Listen. Later calls fail with
// ErrUnavailable.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.done)
	s.pool.Close()
	return nil
}

// unavailable wraps a failure to reach the server: ErrUnavailable, unless
// the caller's own context ended.
func unavailable(ctx context.Context, err error, op string) error {
	if ctx.Err() != nil {
		if errors.Is(err, ctx.Err()) {
			return fmt.Errorf("postgres: %s: %w", op, err)
		}
		return fmt.Errorf("postgres: %s: %w: %w", op, ctx.Err(), err)
	}
	if errors.Is(err, registry.ErrUnavailable) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return fmt.Errorf("postgres: %s: %w: %w", op, registry.ErrUnavailable, err)
}
