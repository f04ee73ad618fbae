// Package inmem implements registry.Store in memory.
//
// It is the store of dev mode (--store=memory) and the fake every other
// package's tests use. State lives in maps guarded by one sync.RWMutex: View
// holds the read lock, so views run in parallel; Update holds the write
// lock, so updates are serialized and never conflict. Every write made
// inside Update is recorded in an undo log, which is played backwards when
// fn returns an error or panics, so a failed Update leaves nothing behind.
//
// Values are deep-copied on the way in and out (go-memdb's warning): a
// caller can never change stored state through a slice, map or pointer it
// passed in or got back. Times are kept in UTC, truncated to the
// millisecond, as the SQL stores keep them.
//
// [Store.FailNext] injects errors for tests of error paths.
package inmem

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/charterhq/charter/registry"
)

// Store is an in-memory registry.Store. The zero value is not usable; call
// New.
type Store struct {
	mu     sync.RWMutex
	data   data
	closed bool

	failMu sync.Mutex
	fail   map[string]error
}

var _ registry.Store = (*Store)(nil)

type schemaKey struct {
	c  registry.Context
	id registry.SchemaID
}

type fingerprintKey struct {
	c  registry.Context
	fp string
}

type data struct {
	schemas  map[schemaKey]registry.Schema
	byFP     map[fingerprintKey]registry.SchemaID
	maxID    map[registry.Context]registry.SchemaID
	versions map[registry.Subject]map[registry.Version]registry.SubjectVersion
	configs  map[registry.Subject]registry.Config
	modes    map[registry.Subject]registry.Mode
}

// New returns an empty store.
func New() *Store {
	return &Store{
		data: data{
			schemas:  map[schemaKey]registry.Schema{},
			byFP:     map[fingerprintKey]registry.SchemaID{},
			maxID:    map[registry.Context]registry.SchemaID{},
			versions: map[registry.Subject]map[registry.Version]registry.SubjectVersion{},
			configs:  map[registry.Subject]registry.Config{},
			modes:    map[registry.Subject]registry.Mode{},
		},
		fail: map[string]error{},
	}
}

// ops are the names FailNext accepts.
var ops = map[string]bool{
	"View": true, "Update": true, "Ping": true,
	"SchemaByID": true, "SchemasByID": true, "SchemaByFingerprint": true, "MaxSchemaID": true,
	"InsertSchema": true, "Versions": true, "AllVersions": true, "VersionsBySchemaID": true,
	"Referrers": true, "InsertVersion": true, "SetVersionDeleted": true, "DeleteVersion": true,
	"Config": true, "SetConfig": true, "DeleteConfig": true,
	"Mode": true, "SetMode": true, "DeleteMode": true,
}

// FailNext makes the next call of op return err instead of doing its work.
// op is "View", "Update", "Ping" or the name of a registry.Tx method
// ("InsertSchema", "Versions", ...); FailNext panics on any other name, so
// a typo cannot make a test pass vacuously. err is returned as is: pass
// registry.ErrUnavailable, registry.ErrConflict or a wrapped one to test
// the caller's handling of a sentinel. A failing Tx method makes no
// change. One pending error per op; a later FailNext replaces it.
func (s *Store) FailNext(op string, err error) {
	if !ops[op] {
		panic("inmem: FailNext: unknown op " + op)
	}
	s.failMu.Lock()
	defer s.failMu.Unlock()
	s.fail[op] = err
}

// failed returns and clears the error injected for op, if any.
func (s *Store) failed(op string) error {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	err, ok := s.fail[op]
	if !ok {
		return nil
	}
	delete(s.fail, op)
	return err
}

var errClosed = fmt.Errorf("inmem: store is closed: %w", registry.ErrUnavailable)

// View runs fn with the read lock held.
func (s *Store) View(ctx context.Context, fn func(registry.Tx) error) error {
	if err := s.failed("View"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	t := &tx{s: s}
	defer func() { t.done = true }()
	return fn(t)
}

// Update runs fn with the write lock held. If fn returns an error or
// panics, every write it made is undone before Update returns the error or
// the panic propagates.
func (s *Store) Update(ctx context.Context, fn func(registry.Tx) error) error {
	if err := s.failed("Update"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	t := &tx{s: s, writable: true}
	committed := false
	defer func() {
		t.done = true
		if !committed {
			t.rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	committed = true
	return nil
}

// Ping reports ErrUnavailable once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.failed("Ping"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return nil
}

// Close makes later calls fail with ErrUnavailable. It waits for running
// transactions.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

var (
	errReadOnly = errors.New("inmem: write in a read-only transaction")
	errDone     = errors.New("inmem: transaction used after its View or Update returned")
)
