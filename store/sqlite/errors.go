package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/charterhq/charter/registry"
)

// sentinel returns the registry sentinel err stands for, or nil if it is
// an internal error.
func sentinel(err error) error {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return registry.ErrNotFound
	case errors.Is(err, sql.ErrConnDone):
		return registry.ErrUnavailable
	}
	var e *sqlitedrv.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code() { // extended result codes
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return registry.ErrConflict
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return registry.ErrNotFound // the referenced row does not exist
	}
	switch e.Code() & 0xff { // primary result codes
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return registry.ErrConflict
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_NOTADB,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOLFS,
		sqlite3.SQLITE_PROTOCOL:
		return registry.ErrUnavailable
	}
	return nil
}

// opErr wraps err with the operation that failed and, when there is one,
// the sentinel it stands for. It returns nil for a nil err.
func opErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	op := fmt.Sprintf(format, args...)
	if s := sentinel(err); s != nil && !errors.Is(err, s) {
		return fmt.Errorf("sqlite: %s: %w: %w", op, s, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
