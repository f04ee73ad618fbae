package inmem_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/inmem"
	"github.com/charterhq/charter/store/storetest"
)

func newStore(t *testing.T) registry.Store {
	s := inmem.New()
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, newStore) }

func TestStore_FailNext(t *testing.T) {
	unavailable := fmt.Errorf("injected: %w", registry.ErrUnavailable)

	t.Run("Update", func(t *testing.T) {
		s := inmem.New()
		s.FailNext("Update", unavailable)
		called := false
		err := s.Update(t.Context(), func(registry.Tx) error { called = true; return nil })
		if !errors.Is(err, registry.ErrUnavailable) || called {
			t.Fatalf("Update = %v (fn called: %v), want the injected error without calling fn", err, called)
		}
		storetest.MustUpdate(t, s, func(registry.Tx) error { return nil }) // only the next call fails
	})

	t.Run("View", func(t *testing.T) {
		s := inmem.New()
		s.FailNext("View", unavailable)
		if err := s.View(t.Context(), func(registry.Tx) error { return nil }); !errors.Is(err, registry.ErrUnavailable) {
			t.Fatalf("View = %v, want the injected error", err)
		}
		storetest.MustView(t, s, func(registry.Tx) error { return nil })
	})

	t.Run("Ping", func(t *testing.T) {
		s := inmem.New()
		s.FailNext("Ping", unavailable)
		if err := s.Ping(t.Context()); !errors.Is(err, registry.ErrUnavailable) {
			t.Fatalf("Ping = %v, want the injected error", err)
		}
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("second Ping = %v, want nil", err)
		}
	})

	t.Run("TxMethod", func(t *testing.T) {
		s := inmem.New()
		sc := storetest.NewSchema(1, `"string"`)
		s.FailNext("InsertSchema", registry.ErrConflict)
		err := s.Update(t.Context(), func(tx registry.Tx) error { return tx.InsertSchema(registry.DefaultContext, sc) })
		if !errors.Is(err, registry.ErrConflict) {
			t.Fatalf("InsertSchema = %v, want the injected error", err)
		}
		storetest.MustUpdate(t, s, func(tx registry.Tx) error { return tx.InsertSchema(registry.DefaultContext, sc) })

		s.FailNext("SchemaByID", unavailable)
		err = s.View(t.Context(), func(tx registry.Tx) error {
			if _, err := tx.SchemaByID(registry.DefaultContext, 1); !errors.Is(err, registry.ErrUnavailable) {
				t.Errorf("first SchemaByID = %v, want the injected error", err)
			}
			_, err := tx.SchemaByID(registry.DefaultContext, 1)
			return err
		})
		if err != nil {
			t.Fatalf("second SchemaByID: %v", err)
		}
	})

	t.Run("UnknownOpPanics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("FailNext(typo) did not panic")
			}
		}()
		inmem.New().FailNext("InsertSchemas", registry.ErrConflict)
	})
}

func TestStore_Close(t *testing.T) {
	s := inmem.New()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Ping after Close = %v, want ErrUnavailable", err)
	}
	if err := s.View(t.Context(), func(registry.Tx) error { return nil }); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("View after Close = %v, want ErrUnavailable", err)
	}
	if err := s.Update(t.Context(), func(registry.Tx) error { return nil }); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Update after Close = %v, want ErrUnavailable", err)
	}
}

func TestStore_TxAfterReturn(t *testing.T) {
	s := inmem.New()
	var leaked registry.Tx
	storetest.MustUpdate(t, s, func(tx registry.Tx) error { leaked = tx; return nil })
	if err := leaked.SetMode("", registry.ModeReadOnly); err == nil {
		t.Error("write through a Tx after Update returned succeeded")
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(*testing.B) registry.Store { return inmem.New() })
}
