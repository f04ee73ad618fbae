package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/charterhq/charter/registry"
)

var txTests = []test{
	{"Ping", testPing},
	{"ViewReturnsFnError", testViewReturnsFnError},
	{"ViewRejectsWrites", testViewRejectsWrites},
	{"UpdateRollsBackOnError", testUpdateRollsBackOnError},
	{"UpdateRollsBackOnPanic", testUpdateRollsBackOnPanic},
	{"ConcurrentUpdates", testConcurrentUpdates},
}

func testPing(t *testing.T, s registry.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

var errBoom = errors.New("boom")

func testViewReturnsFnError(t *testing.T, s registry.Store) {
	if err := s.View(t.Context(), func(registry.Tx) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Fatalf("View = %v, want fn's error", err)
	}
}

// state is everything the Tx tests can observe in a seeded store.
type state struct {
	Versions []registry.SubjectVersion
	Schemas  []registry.Schema
	MaxID    registry.SchemaID
	Configs  map[registry.Subject]registry.Config
	Modes    map[registry.Subject]registry.Mode
}

// seed writes one of everything, so that rollbacks of updates and deletes
// are visible too.
func seed(t *testing.T, s registry.Store) {
	t.Helper()
	insertSchemas(t, s, registry.DefaultContext, 1)
	insertVersions(t, s,
		seedVersion{subject: "s", version: 1, id: 1},
		seedVersion{subject: "s", version: 2, id: 1},
	)
	MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.SetConfig("s", fullConfig()); err != nil {
			return err
		}
		return tx.SetMode("s", registry.ModeReadOnly)
	})
}

func snapshot(t *testing.T, s registry.Store) state {
	t.Helper()
	st := state{Configs: map[registry.Subject]registry.Config{}, Modes: map[registry.Subject]registry.Mode{}}
	MustView(t, s, func(tx registry.Tx) error {
		var err error
		if st.Versions, err = tx.AllVersions(""); err != nil {
			return err
		}
		if st.Schemas, err = tx.SchemasByID(registry.DefaultContext, []registry.SchemaID{1, 2, 3}); err != nil {
			return err
		}
		sortByID(st.Schemas)
		if st.MaxID, err = tx.MaxSchemaID(registry.DefaultContext); err != nil {
			return err
		}
		for _, scope := range []registry.Subject{"", "s", "t"} {
			c, err := tx.Config(scope)
			if err == nil {
				st.Configs[scope] = c
			} else if !errors.Is(err, registry.ErrNotFound) {
				return err
			}
			m, err := tx.Mode(scope)
			if err == nil {
				st.Modes[scope] = m
			} else if !errors.Is(err, registry.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return st
}

// writeAll calls every write method of tx once, and stops at the first
// error.
func writeAll(tx registry.Tx) error {
	for _, w := range writes {
		if err := w.fn(tx); err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
	}
	return nil
}

var writes = []struct {
	name string
	fn   func(registry.Tx) error
}{
	{"InsertSchema", func(tx registry.Tx) error { return tx.InsertSchema(registry.DefaultContext, NewSchema(2, `"new"`)) }},
	{"InsertVersion", func(tx registry.Tx) error { return tx.InsertVersion(seedVersion{subject: "t", version: 1, id: 1}.sv()) }},
	{"SetVersionDeleted", func(tx registry.Tx) error { return tx.SetVersionDeleted("s", 1, true) }},
	{"DeleteVersion", func(tx registry.Tx) error { return tx.DeleteVersion("s", 2) }},
	{"SetConfig", func(tx registry.Tx) error {
		return tx.SetConfig("s", registry.Config{Compatibility: registry.CompatNone})
	}},
	{"SetConfig(new)", func(tx registry.Tx) error { return tx.SetConfig("t", registry.Config{Alias: "s"}) }},
	{"DeleteConfig", func(tx registry.Tx) error { return tx.DeleteConfig("s") }},
	{"SetMode", func(tx registry.Tx) error { return tx.SetMode("", registry.ModeImport) }},
	{"DeleteMode", func(tx registry.Tx) error { return tx.DeleteMode("s") }},
}

func testViewRejectsWrites(t *testing.T, s registry.Store) {
	seed(t, s)
	before := snapshot(t, s)
	for _, w := range writes {
		if err := s.View(t.Context(), w.fn); err == nil {
			t.Errorf("%s in View succeeded, want an error", w.name)
		}
	}
	if d := diff(before, snapshot(t, s)); d != "" {
		t.Errorf("writes in View changed the store (-before +after):\n%s", d)
	}
}

func testUpdateRollsBackOnError(t *testing.T, s registry.Store) {
	seed(t, s)
	before := snapshot(t, s)
	err := s.Update(t.Context(), func(tx registry.Tx) error {
		if err := writeAll(tx); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	if d := diff(before, snapshot(t, s)); d != "" {
		t.Errorf("failed Update left writes behind (-before +after):\n%s", d)
	}
}

// testUpdateRollsBackOnPanic checks the documented choice: a panic in fn
// rolls back and propagates unchanged, and the store stays usable.
func testUpdateRollsBackOnPanic(t *testing.T, s registry.Store) {
	seed(t, s)
	before := snapshot(t, s)
	func() {
		defer func() {
			if r := recover(); r != errBoom {
				t.Errorf("recovered %v, want the panic value of fn", r)
			}
		}()
		_ = s.Update(t.Context(), func(tx registry.Tx) error {
			if err := writeAll(tx); err != nil {
				t.Errorf("writeAll: %v", err)
			}
			panic(errBoom)
		})
		t.Error("Update returned after fn panicked")
	}()
	if d := diff(before, snapshot(t, s)); d != "" {
		t.Errorf("panicking Update left writes behind (-before +after):\n%s", d)
	}
	MustUpdate(t, s, writeAll) // the write lock was released
	after := snapshot(t, s)
	if after.MaxID != 2 || len(after.Versions) != 2 {
		t.Errorf("Update after a panic did not commit: %+v", after)
	}
}

// testConcurrentUpdates allocates ids the way the registry does, max+1
// inside Update, from many goroutines, retrying on ErrConflict as the
// registry does. The ids must come out distinct and contiguous.
func testConcurrentUpdates(t *testing.T, s registry.Store) {
	const workers, maxAttempts = 16, 1000
	var wg sync.WaitGroup
	ids := make([]registry.SchemaID, workers)
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for range maxAttempts {
				errs[w] = s.Update(t.Context(), func(tx registry.Tx) error {
					id, err := tx.MaxSchemaID(ctxA)
					if err != nil {
						return err
					}
					ids[w] = id + 1
					return tx.InsertSchema(ctxA, NewSchema(id+1, fmt.Sprintf(`"worker %d"`, w)))
				})
				if !errors.Is(errs[w], registry.ErrConflict) {
					return
				}
			}
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", w, err)
		}
	}
	slices.Sort(ids)
	for i, id := range ids {
		if id != registry.SchemaID(i+1) {
			t.Fatalf("ids = %v, want 1..%d", ids, workers)
		}
	}
	if got := maxID(t, s, ctxA); got != workers {
		t.Errorf("MaxSchemaID = %d, want %d", got, workers)
	}
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemasByID(ctxA, ids)
		if err != nil {
			return err
		}
		if len(got) != workers {
			t.Errorf("SchemasByID found %d schemas, want %d", len(got), workers)
		}
		return nil
	})
}
