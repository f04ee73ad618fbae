package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/postgres"
	"github.com/charterhq/charter/store/storetest"
)

// TestConformance runs the suite on one database per run, emptied before
// each subtest, each subtest with a store of its own.
func TestConformance(t *testing.T) {
	dbURL := newDatabase(t)
	admin := connect(t, dbURL)
	storetest.Run(t, func(t *testing.T) registry.Store {
		s := mustOpen(t, dbURL, postgres.Options{})
		if _, err := admin.Exec(t.Context(),
			`TRUNCATE schemas, schema_refs, versions, configs, modes, changes RESTART IDENTITY CASCADE`); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpen_BadURL(t *testing.T) {
	if _, err := postgres.Open(t.Context(), "postgres://%zz", postgres.Options{}); err == nil {
		t.Fatal("Open(bad URL) succeeded")
	}
}

func TestOpen_Unreachable(t *testing.T) {
	// A port nothing listens on: refused at once.
	start := time.Now()
	_, err := postgres.Open(t.Context(), "postgres://postgres@127.0.0.1:1/x?sslmode=disable",
		postgres.Options{ConnectTimeout: time.Second})
	if !errors.Is(err, registry.ErrUnavailable) {
		t.Fatalf("Open(unreachable) = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Open(unreachable) took %v", d)
	}
}

// TestMigrationsOnce opens eight stores at once on a fresh database: all
// succeed and each migration is recorded once.
func TestMigrationsOnce(t *testing.T) {
	dbURL := newDatabase(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*postgres.Store, n)
	for i := range n {
		wg.Go(func() {
			stores[i], errs[i] = postgres.Open(t.Context(), dbURL, postgres.Options{MaxConns: 2})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		defer func() { _ = stores[i].Close() }()
	}
	admin := connect(t, dbURL)
	rows, err := admin.Query(t.Context(), `SELECT name, count(*) OVER (), applied_at FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var (
			name  string
			count int
			at    time.Time
		)
		if err := rows.Scan(&name, &count, &at); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := "[0001_init.sql 0002_change_kind_delete.sql]"; fmt.Sprint(names) != want {
		t.Errorf("schema_migrations = %v, want %s", names, want)
	}
	// Reopening applies nothing and keeps working.
	s := mustOpen(t, dbURL, postgres.Options{})
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestStore_Closed(t *testing.T) {
	dbURL := newDatabase(t)
	s, err := postgres.Open(t.Context(), dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
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
	if _, err := s.Changes(t.Context(), 0); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Changes after Close = %v, want ErrUnavailable", err)
	}
	if err := s.Listen(t.Context(), func(postgres.Change) {}); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Listen after Close = %v, want ErrUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestStore_CallerContext: a caller's cancelled context is reported as
// such, not as the store being unavailable.
func TestStore_CallerContext(t *testing.T) {
	s, _ := MustOpen(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.View(ctx, func(registry.Tx) error { return nil })
	if !errors.Is(err, context.Canceled) || errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("View(cancelled) = %v, want context.Canceled and not ErrUnavailable", err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	err = s.View(ctx, func(tx registry.Tx) error {
		cancel()
		_, err := tx.MaxSchemaID(registry.DefaultContext)
		return err
	})
	if !errors.Is(err, context.Canceled) || errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("query after cancel = %v, want context.Canceled and not ErrUnavailable", err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping after cancelled calls: %v", err)
	}
}

// TestStore_AbortedTx: after a database error, the Tx keeps returning it
// and Update fails even if fn swallows it.
func TestStore_AbortedTx(t *testing.T) {
	s, _ := MustOpen(t)
	storetest.MustUpdate(t, s, func(tx registry.Tx) error {
		return tx.InsertSchema(registry.DefaultContext, storetest.NewSchema(1, `"a"`))
	})
	err := s.Update(t.Context(), func(tx registry.Tx) error {
		err := tx.InsertSchema(registry.DefaultContext, storetest.NewSchema(1, `"b"`))
		if !errors.Is(err, registry.ErrConflict) {
			t.Errorf("duplicate InsertSchema = %v, want ErrConflict", err)
		}
		if _, err2 := tx.MaxSchemaID(registry.DefaultContext); !errors.Is(err2, registry.ErrConflict) {
			t.Errorf("MaxSchemaID after a failed statement = %v, want the same error", err2)
		}
		return tx.SetMode("", registry.ModeReadOnly) // swallowed the error
	})
	if !errors.Is(err, registry.ErrConflict) {
		t.Errorf("Update = %v, want ErrConflict", err)
	}
	storetest.MustView(t, s, func(tx registry.Tx) error {
		if _, err := tx.Mode(""); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Mode after failed Update = %v, want ErrNotFound", err)
		}
		return nil
	})
}

// TestAllVersions_Prefixes checks the range scan at awkward prefixes:
// multi-byte characters, the last code point, a prefix ending inside a
// character, and bytewise ordering whatever the database collation.
func TestAllVersions_Prefixes(t *testing.T) {
	s, _ := MustOpen(t)
	subjects := []registry.Subject{"A", "a", "a-b", "aé", "aéz", "af", "a\U0010FFFF", "a\U0010FFFFz", "b", "Z", "é"}
	storetest.MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.InsertSchema(registry.DefaultContext, storetest.NewSchema(1, `"x"`)); err != nil {
			return err
		}
		for _, sub := range subjects {
			if err := tx.InsertVersion(registry.SubjectVersion{Subject: sub, Version: 1, SchemaID: 1, CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		prefix string
		want   string
	}{
		{"", "[A Z a a-b af aé aéz a\U0010FFFF a\U0010FFFFz b é]"},
		{"a", "[a a-b af aé aéz a\U0010FFFF a\U0010FFFFz]"},
		{"aé", "[aé aéz]"},
		{"a\U0010FFFF", "[a\U0010FFFF a\U0010FFFFz]"},
		{"a\xc3", "[aé aéz]"},
		{"\xc3", "[é]"},
		{"c", "[]"},
		{"a\x00", "[]"},
	} {
		var got []registry.Subject
		storetest.MustView(t, s, func(tx registry.Tx) error {
			vs, err := tx.AllVersions(tc.prefix)
			for _, v := range vs {
				got = append(got, v.Subject)
			}
			return err
		})
		if fmt.Sprint(got) != tc.want && !(tc.want == "[]" && len(got) == 0) {
			t.Errorf("AllVersions(%q) = %q, want %s", tc.prefix, got, tc.want)
		}
	}
}
