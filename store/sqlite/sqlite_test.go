package sqlite_test

import (
	"bytes"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/sqlite"
	"github.com/charterhq/charter/store/storetest"
)

var dump = flag.Bool("dump", false, "keep the SQLite files of tests for inspection, and print their paths")

// mustOpen opens a store on a new file in a temporary directory and
// closes it when the test ends.
func mustOpen(tb testing.TB) (*sqlite.Store, string) {
	tb.Helper()
	dir := tb.TempDir()
	if *dump {
		var err error
		if dir, err = os.MkdirTemp("", "charter-sqlite-"); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("database kept in %s", dir)
	}
	path := filepath.Join(dir, "registry.db")
	s, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s, path
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) registry.Store {
		s, _ := mustOpen(t)
		return s
	})
}

func TestOpen_CreatesParentDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "registry.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
}

func TestOpen_Unavailable(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be.
	if _, err := sqlite.Open(dir); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Open(directory) = %v, want ErrUnavailable", err)
	}
	// A regular file where the parent directory should be.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(filepath.Join(file, "registry.db")); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Open(under a file) = %v, want ErrUnavailable", err)
	}
	// Not a database.
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("not a database\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(junk); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Open(not a database) = %v, want ErrUnavailable", err)
	}
}

func TestOpen_OddFileName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "what?#%20.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
}

func TestStore_Closed(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "registry.db"))
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
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestOpen_Reopen writes, closes and reopens: the data is there and no
// migration ran twice.
func TestOpen_Reopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := storetest.NewSchema(1, `"string"`, registry.Reference{Name: "r", Subject: "other", Version: 1})
	other := storetest.NewSchema(2, `"int"`)
	at := time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC)
	storetest.MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.InsertSchema(".ctx", other); err != nil {
			return err
		}
		if err := tx.InsertSchema(".ctx", sc); err != nil {
			return err
		}
		if err := tx.InsertVersion(registry.SubjectVersion{Subject: ":.ctx:other", Version: 1, SchemaID: 2, CreatedAt: at}); err != nil {
			return err
		}
		if err := tx.InsertVersion(registry.SubjectVersion{Subject: ":.ctx:s", Version: 1, SchemaID: 1, CreatedAt: at}); err != nil {
			return err
		}
		if err := tx.SetConfig(":.ctx:", registry.Config{Compatibility: registry.CompatFull}); err != nil {
			return err
		}
		return tx.SetMode("", registry.ModeReadOnly)
	})
	before := migrations(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = sqlite.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer func() { _ = s.Close() }()
	storetest.MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemaByID(".ctx", 1)
		if err != nil {
			return err
		}
		if got.Fingerprint != sc.Fingerprint || len(got.References) != 1 {
			t.Errorf("schema after reopen = %+v, want %+v", got, sc)
		}
		refs, err := tx.Referrers(":.ctx:other", 1)
		if err != nil {
			return err
		}
		if len(refs) != 1 || refs[0].Subject != ":.ctx:s" || !refs[0].CreatedAt.Equal(at) {
			t.Errorf("Referrers after reopen = %v", refs)
		}
		if c, err := tx.Config(":.ctx:"); err != nil || c.Compatibility != registry.CompatFull {
			t.Errorf("Config after reopen = %v, %v", c, err)
		}
		if m, err := tx.Mode(""); err != nil || m != registry.ModeReadOnly {
			t.Errorf("Mode after reopen = %v, %v", m, err)
		}
		return nil
	})
	after := migrations(t, path)
	if len(before) == 0 {
		t.Fatal("no migrations recorded")
	}
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("schema_migrations changed on reopen:\nbefore %v\nafter  %v", before, after)
	}
}

// migrations lists schema_migrations through a separate connection.
func migrations(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	rows, err := db.QueryContext(t.Context(), `SELECT name, applied_at FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var (
			name string
			at   int64
		)
		if err := rows.Scan(&name, &at); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s@%d", name, at))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStore_ConcurrentUpdates runs many writers, each in its own store on
// the same file (as separate processes would) and in one shared store:
// every Update succeeds or fails with ErrConflict, never anything else.
func TestStore_ConcurrentUpdates(t *testing.T) {
	shared, path := mustOpen(t)
	const stores, workers, perWorker = 4, 8, 20
	all := []*sqlite.Store{shared}
	for range stores - 1 {
		s, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = s.Close() }()
		all = append(all, s)
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		ok, confl int
	)
	for i := range stores * workers {
		s := all[i%stores]
		wg.Go(func() {
			for j := range perWorker {
				err := s.Update(t.Context(), func(tx registry.Tx) error {
					id, err := tx.MaxSchemaID(registry.DefaultContext)
					if err != nil {
						return err
					}
					sc := storetest.NewSchema(id+1, fmt.Sprintf(`"w%d-%d"`, i, j))
					if err := tx.InsertSchema(registry.DefaultContext, sc); err != nil {
						return err
					}
					return tx.InsertVersion(registry.SubjectVersion{
						Subject: registry.Subject(fmt.Sprintf("s%d", i)), Version: registry.Version(j + 1),
						SchemaID: id + 1, CreatedAt: time.Now(),
					})
				})
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, registry.ErrConflict):
					confl++
				default:
					t.Errorf("Update: %v (want nil or ErrConflict)", err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d committed, %d conflicts", ok, confl)
	var n int
	storetest.MustView(t, shared, func(tx registry.Tx) error {
		vs, err := tx.AllVersions("")
		n = len(vs)
		if err != nil {
			return err
		}
		id, err := tx.MaxSchemaID(registry.DefaultContext)
		if int(id) != ok {
			t.Errorf("MaxSchemaID = %d, want %d (one per committed Update)", id, ok)
		}
		return err
	})
	if n != ok {
		t.Errorf("%d versions stored, want %d", n, ok)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) registry.Store { s, _ := mustOpen(b); return s })
}

// TestStore_BusyIsConflict holds the write lock from another connection
// (another process, say) for longer than the busy timeout: Update fails
// with ErrConflict, and View still reads.
func TestStore_BusyIsConflict(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 5s busy timeout")
	}
	t.Parallel()
	s, path := mustOpen(t)
	db, err := sql.Open("sqlite", path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(t.Context(), "ROLLBACK") }()

	storetest.MustView(t, s, func(tx registry.Tx) error {
		_, err := tx.MaxSchemaID(registry.DefaultContext)
		return err
	})
	start := time.Now()
	err = s.Update(t.Context(), func(tx registry.Tx) error { return tx.SetMode("", registry.ModeReadOnly) })
	if !errors.Is(err, registry.ErrConflict) {
		t.Fatalf("Update while another connection writes = %v, want ErrConflict", err)
	}
	t.Logf("gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
}
