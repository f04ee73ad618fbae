package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/charterhq/charter/registry"
)

// Change is one entry of the change log: an Update committed on some node
// wrote Subject's versions, config or mode (Kind). Other nodes use it to
// drop what they cached about Subject; schema content is immutable and is
// not logged.
type Change struct {
	// Seq orders changes in commit order. It increases, with gaps (a
	// transaction that rolled back after taking a number).
	Seq int64
	// Kind is ChangeVersion, ChangeDelete, ChangeConfig or ChangeMode.
	Kind string
	// Subject is the qualified subject, or for config and mode the scope
	// ("" global, ":.ctx:" a context).
	Subject registry.Subject
	// Context is Subject's context.
	Context registry.Context
	// At is the database's clock when the change was committed (its
	// transaction's start, to be exact).
	At time.Time
}

// The kinds of Change.
const (
	ChangeVersion = "version" // a version was inserted, soft-deleted or undeleted
	ChangeDelete  = "delete"  // a version was permanently deleted (its id may stop resolving)
	ChangeConfig  = "config"  // the config of a subject or scope was set or deleted
	ChangeMode    = "mode"    // the mode of a subject or scope was set or deleted
)

// NotifyChannel is the channel Update notifies, with the highest Seq it
// logged as payload, when it commits changes.
const NotifyChannel = "charter_changes"

// changesPage bounds the changes one call to Changes returns.
const changesPage = 1000

const (
	qLogChanges = `WITH ins AS (
			INSERT INTO changes (kind, subject, context)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
			RETURNING seq
		)
		SELECT pg_notify('` + NotifyChannel + `', max(seq)::text) FROM ins`
	qChanges   = `SELECT seq, kind, subject, context, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`
	qLastSeq   = `SELECT COALESCE(MAX(seq), 0) FROM changes`
	qListen    = `LISTEN ` + NotifyChannel
	qPruneLog  = `DELETE FROM changes WHERE at < $1 AND seq < (SELECT MAX(seq) FROM changes)`
	listenPoll = 5 * time.Second // Listen polls this often without notifications
)

// logChanges writes the change log of an Update, last thing before its
// commit, under the changes lock: held until commit, it makes the order of
// sequence numbers the order of commits.
func (t *tx) logChanges() error {
	if len(t.changes) == 0 {
		return nil
	}
	kinds := make([]string, len(t.changes))
	subjects := make([]string, len(t.changes))
	contexts := make([]string, len(t.changes))
	for i, c := range t.changes {
		kinds[i], subjects[i], contexts[i] = c.Kind, string(c.Subject), string(canon(c.Context))
	}
	return t.run("log changes", lock{key: changesLock, set: true}, qLogChanges, []any{kinds, subjects, contexts},
		func(br pgx.BatchResults) error {
			_, err := br.Exec()
			return err
		})
}

// querier is what Changes needs of a pool or a connection.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Changes returns the changes with Seq > afterSeq in Seq order, at most a
// page of 1000: call it again with the last Seq until it returns none.
// Every change committed before the call with a Seq above afterSeq is
// included, so a caller that remembers the last Seq it saw misses nothing.
// Errors wrap registry.ErrUnavailable as View's do.
func (s *Store) Changes(ctx context.Context, afterSeq int64) ([]Change, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	return s.changes(ctx, s.pool, afterSeq)
}

func (s *Store) changes(ctx context.Context, q querier, afterSeq int64) ([]Change, error) {
	qctx, cancel := context.WithTimeout(ctx, s.opts.ConnectTimeout+s.stmtTimeout())
	defer cancel()
	rows, err := q.Query(qctx, qChanges, afterSeq, changesPage)
	if err != nil {
		return nil, opErr(ctx, err, "changes after %d", afterSeq)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var (
			c                      Change
			kind, subject, context string
		)
		if err := rows.Scan(&c.Seq, &kind, &subject, &context, &c.At); err != nil {
			return nil, opErr(ctx, err, "changes after %d", afterSeq)
		}
		c.Kind, c.Subject, c.Context, c.At = kind, registry.Subject(subject), registry.Context(context), c.At.UTC()
		out = append(out, c)
	}
	return out, opErr(ctx, rows.Err(), "changes after %d", afterSeq)
}

// PruneChanges deletes the changes logged before before, keeping the
// latest one, and returns how many it deleted. A Listen disconnected for
// longer than the retention would miss the pruned changes on reconnecting:
// prune with a retention far longer than any outage a node sits through
// without restarting (say a day).
func (s *Store) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	if s.closed.Load() {
		return 0, errClosed
	}
	qctx, cancel := context.WithTimeout(ctx, s.opts.ConnectTimeout+s.stmtTimeout())
	defer cancel()
	tag, err := s.pool.Exec(qctx, qPruneLog, before)
	if err != nil {
		return 0, opErr(ctx, err, "prune changes")
	}
	return tag.RowsAffected(), nil
}

// Listen calls fn, in Seq order and from one goroutine, with every change
// committed from the time Listen is called (by any node, this one
// included) until ctx ends or the store is closed, and returns then:
// ctx's error, or an error wrapping ErrUnavailable after Close.
//
// It listens on NotifyChannel on a connection of its own, outside the
// pool, and on each notification reads the changes after the last one it
// delivered. It also reads them every few seconds without a notification,
// which notices a silently dead connection. When the connection fails it
// reconnects with exponential backoff and jitter (100ms to 5s), then
// replays what it missed from the change log: nothing is lost across
// reconnects. fn runs synchronously: a slow fn delays later changes, never
// drops them.
//
// While Listen cannot reach the database fn is not called, so a cache fed
// by it may be stale: the registry should stop trusting cached mutable
// data (versions, configs, modes) while Ping fails, and may serve it again
// once Listen has replayed the log after reconnecting.
func (s *Store) Listen(ctx context.Context, fn func(Change)) error {
	if s.closed.Load() {
		return errClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // Close stops Listen
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()

	last := int64(-1) // unknown until the first connection
	const minBackoff, maxBackoff = 100 * time.Millisecond, 5 * time.Second
	backoff := minBackoff
	for {
		connected, _ := s.listenOnce(ctx, &last, fn) // whatever failed, reconnect
		if s.closed.Load() {
			return errClosed
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if connected {
			backoff = minBackoff
		}
		// Full jitter: nodes that lost the database together do not
		// reconnect in lockstep.
		wait := time.Duration(rand.Int64N(int64(backoff))) + backoff/2
		select {
		case <-ctx.Done():
			if s.closed.Load() {
				return errClosed
			}
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce connects, listens and delivers changes until the connection
// fails or ctx ends. connected reports whether it got as far as LISTEN.
func (s *Store) listenOnce(ctx context.Context, last *int64, fn func(Change)) (connected bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, s.opts.ConnectTimeout)
	conn, err := pgx.ConnectConfig(cctx, s.listen)
	cancel()
	if err != nil {
		return false, unavailable(ctx, err, "listen: connect")
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), s.opts.ConnectTimeout)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	qctx, cancel := context.WithTimeout(ctx, s.stmtTimeout())
	_, err = conn.Exec(qctx, qListen)
	if err == nil && *last < 0 {
		// First connection: start after what is already logged. Read
		// after LISTEN, so a change committed in between is notified.
		err = conn.QueryRow(qctx, qLastSeq).Scan(last)
	}
	cancel()
	if err != nil {
		return false, opErr(ctx, err, "listen")
	}
	for {
		// Deliver everything after last: on (re)connection this replays
		// what was missed, afterwards what was notified.
		if err := s.deliver(ctx, conn, last, fn); err != nil {
			return true, err
		}
		wctx, cancel := context.WithTimeout(ctx, listenPoll)
		_, err := conn.WaitForNotification(wctx)
		timedOut := wctx.Err() != nil && ctx.Err() == nil
		cancel()
		if err != nil && !timedOut {
			return true, opErr(ctx, err, "listen: wait")
		}
		if timedOut && conn.IsClosed() {
			return true, fmt.Errorf("postgres: listen: %w: connection closed", registry.ErrUnavailable)
		}
	}
}

// deliver passes the changes after *last to fn, page by page.
func (s *Store) deliver(ctx context.Context, conn *pgx.Conn, last *int64, fn func(Change)) error {
	for {
		cs, err := s.changes(ctx, conn, *last)
		if err != nil {
			return err
		}
		for _, c := range cs {
			fn(c)
			*last = c.Seq
		}
		if len(cs) < changesPage {
			return nil
		}
	}
}
