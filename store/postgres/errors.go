package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/charterhq/charter/registry"
)

// sentinel returns the registry sentinel err stands for, or nil if it is
// an internal error.
func sentinel(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return registry.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return sqlState(pe.Code)
	}
	var (
		ce   *pgconn.ConnectError
		nerr net.Error
	)
	switch {
	case errors.As(err, &ce),
		pgconn.Timeout(err),
		pgconn.SafeToRetry(err), // failed before anything was sent: a dead or busy connection
		errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &nerr):
		return registry.ErrUnavailable
	}
	return nil
}

// sqlState maps an SQLSTATE to a sentinel.
// https://www.postgresql.org/docs/current/errcodes-appendix.html
func sqlState(code string) error {
	switch code {
	case "23505", // unique_violation
		"40001", // serialization_failure
		"40P01", // deadlock_detected
		"55P03": // lock_not_available (lock_timeout)
		return registry.ErrConflict
	case "23503": // foreign_key_violation: the referenced row does not exist
		return registry.ErrNotFound
	case "57014", // query_canceled (statement_timeout)
		"57P01",                                     // admin_shutdown (also pg_terminate_backend)
		"57P02",                                     // crash_shutdown
		"57P03",                                     // cannot_connect_now (starting up, recovering)
		"57P05",                                     // idle_session_timeout
		"25006",                                     // read_only_sql_transaction: a standby or a read-only database
		"25P03",                                     // idle_in_transaction_session_timeout
		"53000", "53100", "53200", "53300", "53400": // insufficient resources, too many connections
		return registry.ErrUnavailable
	}
	if len(code) < 2 {
		return nil
	}
	switch code[:2] {
	case "08", // connection exception
		"58": // system error (I/O)
		return registry.ErrUnavailable
	}
	return nil
}

// opErr wraps err with the operation that failed and, when there is one,
// the sentinel it stands for. When ctx, the caller's context, has ended,
// a lost connection is the caller's doing: the error wraps ctx.Err()
// instead of ErrUnavailable. It returns nil for a nil err.
func opErr(ctx context.Context, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	op := fmt.Sprintf(format, args...)
	s := sentinel(err)
	if s == registry.ErrUnavailable && ctx.Err() != nil {
		return unavailable(ctx, err, op)
	}
	if s != nil && !errors.Is(err, s) {
		return fmt.Errorf("postgres: %s: %w: %w", op, s, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}
