// Package sqlite implements registry.Store using SQLite.
//
// It uses modernc.org/sqlite, a pure-Go SQLite, so the binary builds with
// CGO_ENABLED=0. A Store holds two connection pools on one database file:
//
//   - a write pool of exactly one connection, whose transactions start with
//     BEGIN IMMEDIATE. Updates in this process queue for that connection,
//     so they are serialized and never conflict with each other; a writer
//     in another process is waited for up to the busy timeout, after which
//     Update fails with registry.ErrConflict.
//   - a read pool of several query-only connections for View. In WAL mode
//     readers see the last committed state and never block the writer.
//
// Every connection sets journal_mode=WAL, foreign_keys=ON,
// busy_timeout=5000 and synchronous=NORMAL (durable across application
// crashes; the last commits may be lost on power failure).
//
// Open applies the SQL migrations embedded from migrations/*.sql, in
// filename order, each in its own transaction, and records them in the
// schema_migrations table, so reopening a database applies only new ones.
//
// Errors wrap registry.ErrNotFound (no such row; a version whose schema is
// missing), registry.ErrConflict (unique-constraint violations, SQLITE_BUSY
// and SQLITE_LOCKED) and registry.ErrUnavailable (the file cannot be opened,
// read or written; the store is closed).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/charterhq/charter/registry"
)

// Store is a registry.Store on one SQLite database file.
type Store struct {
	path       string
	write      *sql.DB // one connection, BEGIN IMMEDIATE
	read       *sql.DB // query-only connections
	writeStmts statements
	readStmts  statements
	closed     atomic.Bool
}

var _ registry.Store = (*Store)(nil)

// pragmas are set on every connection through the DSN.
const pragmas = "_busy_timeout=5000&_foreign_keys=on&_journal_mode=WAL&_synchronous=NORMAL"

// dsn returns the driver DSN for path. The path is passed as a SQLite URI
// so that characters such as '?' and '#' in file names survive. On the
// write pool, _txlock=immediate makes BeginTx issue BEGIN IMMEDIATE; read
// connections are query-only.
func dsn(path string, readOnly bool) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if readOnly {
		return "file:" + escaped + "?" + pragmas + "&_query_only=on"
	}
	return "file:" + escaped + "?" + pragmas + "&_txlock=immediate"
}

// Open opens (creating it if needed) the database at path, creating the
// parent directory if it is missing, and applies pending migrations.
// Errors reaching the file wrap registry.ErrUnavailable.
func Open(path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: want a file path (use store/inmem for an in-memory store)", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w: %w", path, registry.ErrUnavailable, err)
	}
	ctx := context.Background()

	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := migrate(ctx, write); err != nil {
		_ = write.Close()
		return nil, opErr(err, "open %s", path)
	}

	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(5 * time.Minute)

	s := &Store{path: path, write: write, read: read}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	if s.writeStmts, err = prepare(ctx, write, readQueries, writeQueries); err == nil {
		s.readStmts, err = prepare(ctx, read, readQueries)
	}
	if err != nil {
		_ = s.Close()
		return nil, opErr(err, "open %s: prepare", path)
	}
	return s, nil
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the embedded migrations that schema_migrations does not
// list yet, in filename order, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT    NOT NULL PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		if err := applyMigration(ctx, db, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, name string) error {
	// BEGIN IMMEDIATE: two processes opening the same new file take turns,
	// and the second sees the first one's record.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	base := filepath.Base(name)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, base).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
		base, time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

var errClosed = fmt.Errorf("sqlite: store is closed: %w", registry.ErrUnavailable)

// View runs fn in a read transaction on the read pool: every query in fn
// sees the same committed snapshot.
func (s *Store) View(ctx context.Context, fn func(registry.Tx) error) error {
	if s.closed.Load() {
		return errClosed
	}
	sqlTx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return beginErr(ctx, err, "begin view")
	}
	defer func() { _ = sqlTx.Rollback() }()
	return fn(&tx{ctx: ctx, q: sqlTx, stmts: s.readStmts})
}

// Update runs fn in a BEGIN IMMEDIATE transaction on the write connection
// and commits iff fn returns nil. If fn returns an error or panics, the
// transaction is rolled back before Update returns the error or the panic
// propagates. A failed commit is rolled back too.
func (s *Store) Update(ctx context.Context, fn func(registry.Tx) error) error {
	if s.closed.Load() {
		return errClosed
	}
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return beginErr(ctx, err, "begin update")
	}
	// Runs on error and on panic; after a Commit, even a failed one (the
	// driver rolls a failed COMMIT back), it is a no-op returning ErrTxDone.
	defer func() { _ = sqlTx.Rollback() }()
	if err := fn(&tx{ctx: ctx, q: sqlTx, stmts: s.writeStmts, writable: true}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return opErr(err, "commit")
	}
	return nil
}

// beginErr classifies a failure to start a transaction: anything but the
// caller's own cancellation or a busy database means the file cannot be
// reached.
func beginErr(ctx context.Context, err error, op string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if sentinel(err) == nil {
		return fmt.Errorf("sqlite: %s: %w: %w", op, registry.ErrUnavailable, err)
	}
	return opErr(err, "%s", op)
}

// Ping reads from the database through the read pool and reports
// ErrUnavailable if that fails.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("sqlite: ping: %w", err)
		}
		return fmt.Errorf("sqlite: ping %s: %w: %w", s.path, registry.ErrUnavailable, err)
	}
	return nil
}

// Close closes both pools. Later calls fail with ErrUnavailable.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return errors.Join(s.readStmts.close(), s.writeStmts.close(), s.read.Close(), s.write.Close())
}
