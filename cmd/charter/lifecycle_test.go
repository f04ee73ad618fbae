package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

// TestServe_Restart stops the server and starts a new one on the same
// SQLite file: ids, versions, deleted versions, config and mode survive,
// and new ids continue after the highest one.
func TestServe_Restart(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "charter.db")
	onFile := func(c *Config) { c.Store = StoreSpec{Kind: StoreSQLite, Path: dbPath} }
	ctx := t.Context()

	first := NewMain()
	first.Config.Addr = "127.0.0.1:0"
	onFile(&first.Config)
	first.Config.LogLevel = slog.LevelWarn
	first.Stderr = logWriter(t)
	if err := first.Run(ctx); err != nil {
		t.Fatal(err)
	}
	cl := MustSRClient(t, first)
	v1, err := cl.CreateSchema(ctx, "users-value", avroSchema(userV1))
	if err != nil {
		t.Fatal(err)
	}
	v2, err := cl.CreateSchema(ctx, "users-value", avroSchema(userV2))
	if err != nil {
		t.Fatal(err)
	}
	addr, err := cl.CreateSchema(ctx, "address-value", avroSchema(address))
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.DeleteSchema(ctx, "address-value", 1, sr.SoftDelete); err != nil {
		t.Fatal(err)
	}
	if r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFullTransitive}, "users-value")[0]; r.Err != nil {
		t.Fatal(r.Err)
	}
	if r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatForward})[0]; r.Err != nil {
		t.Fatal(r.Err)
	}
	if r := cl.SetMode(ctx, sr.ModeReadOnly, "address-value")[0]; r.Err != nil {
		t.Fatal(r.Err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(first.URL() + "/"); err == nil {
		t.Fatal("first server still answers after Close")
	}

	second := MustRunMain(t, onFile)
	cl = MustSRClient(t, second)

	got, err := cl.SchemaByVersion(ctx, "users-value", 1)
	if err != nil || got.ID != v1.ID || !sameJSON(t, got.Schema.Schema, userV1) {
		t.Fatalf("users-value v1 after restart = %+v %v, want id %d", got, err, v1.ID)
	}
	got, err = cl.SchemaByVersion(ctx, "users-value", -1)
	if err != nil || got.ID != v2.ID || got.Version != 2 {
		t.Fatalf("users-value latest after restart = %+v %v, want version 2 id %d", got, err, v2.ID)
	}
	if _, err := cl.SubjectVersions(ctx, "address-value"); err == nil {
		t.Fatal("soft-deleted subject came back live after restart")
	}
	deleted, err := cl.SubjectVersions(sr.WithParams(ctx, sr.ShowDeleted), "address-value")
	if err != nil || !slices.Equal(deleted, []int{1}) {
		t.Fatalf("deleted versions after restart = %v %v, want [1]", deleted, err)
	}
	// Soft-deleted content is still served by id.
	if s, err := cl.SchemaByID(ctx, addr.ID); err != nil || !sameJSON(t, s.Schema, address) {
		t.Fatalf("soft-deleted schema by id after restart = %v %v", s.Schema, err)
	}
	if r := cl.Compatibility(ctx, "users-value")[0]; r.Err != nil || r.Level != sr.CompatFullTransitive {
		t.Fatalf("subject config after restart = %v %v, want FULL_TRANSITIVE", r.Level, r.Err)
	}
	if r := cl.Compatibility(ctx)[0]; r.Err != nil || r.Level != sr.CompatForward {
		t.Fatalf("global config after restart = %v %v, want FORWARD", r.Level, r.Err)
	}
	if r := cl.Mode(ctx, "address-value")[0]; r.Err != nil || r.Mode != sr.ModeReadOnly {
		t.Fatalf("subject mode after restart = %v %v, want READONLY", r.Mode, r.Err)
	}
	// Ids are never reused: the next new content gets a higher one.
	next, err := cl.CreateSchema(ctx, "other-value", avroSchema(customerStandalone))
	if err != nil {
		t.Fatal(err)
	}
	if next.ID <= max(v1.ID, v2.ID, addr.ID) {
		t.Fatalf("new id %d after restart does not follow %d, %d, %d", next.ID, v1.ID, v2.ID, addr.ID)
	}
}

const customerStandalone = `{"type":"record","name":"Customer","namespace":"com.example","fields":[{"name":"name","type":"string"}]}`

// TestServe_GracefulShutdown checks that Close lets an in-flight request
// finish, and cuts it off once the shutdown timeout has passed.
func TestServe_GracefulShutdown(t *testing.T) {
	t.Parallel()
	body := fmt.Sprintf(`{"schema":%q}`, userV1)

	// startSlowRequest sends a registration's headers and the first half
	// of its body, so the server has an active request whose handler is
	// blocked reading the rest.
	startSlowRequest := func(t *testing.T, m *Main) (net.Conn, *bufio.Reader) {
		t.Helper()
		conn, err := net.Dial("tcp", m.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "POST /subjects/slow-value/versions HTTP/1.1\r\nHost: charter\r\n"+
			"Content-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: %d\r\n\r\n%s",
			len(body), body[:len(body)/2])
		// Give the server time to read the headers and start the handler.
		time.Sleep(200 * time.Millisecond)
		return conn, bufio.NewReader(conn)
	}

	t.Run("InFlightRequestCompletes", func(t *testing.T) {
		t.Parallel()
		m := NewMain()
		m.Config.Addr = "127.0.0.1:0"
		m.Config.Store = StoreSpec{Kind: StoreSQLite, Path: filepath.Join(t.TempDir(), "c.db")}
		m.Config.ShutdownTimeout = 30 * time.Second
		m.Stderr = logWriter(t)
		if err := m.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		conn, r := startSlowRequest(t, m)

		closed := make(chan error, 1)
		go func() { closed <- m.Close() }()

		// Shutdown has begun: new connections are refused...
		deadline := time.Now().Add(5 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", m.Addr().String(), time.Second)
			if err != nil {
				break
			}
			c.Close()
			if time.Now().After(deadline) {
				t.Fatal("server still accepts connections during shutdown")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// ...but Close waits for the request in flight.
		select {
		case err := <-closed:
			t.Fatalf("Close returned (%v) while a request was in flight", err)
		case <-time.After(200 * time.Millisecond):
		}

		if _, err := conn.Write([]byte(body[len(body)/2:])); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("in-flight request got no response: %v", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("in-flight request = %s, want 200", resp.Status)
		}
		// The server asks the client to close, since it is going away.
		if !resp.Close {
			t.Error("response during shutdown does not carry Connection: close")
		}
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("Close: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Close did not return after the last request finished")
		}
	})

	t.Run("TimeoutCutsOffStuckRequest", func(t *testing.T) {
		t.Parallel()
		m := NewMain()
		m.Config.Addr = "127.0.0.1:0"
		m.Config.Store = StoreSpec{Kind: StoreMemory}
		m.Config.ShutdownTimeout = 300 * time.Millisecond
		m.Stderr = logWriter(t)
		if err := m.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		_, r := startSlowRequest(t, m)
		start := time.Now()
		err := m.Close()
		if err == nil || !strings.Contains(err.Error(), "graceful shutdown") {
			t.Fatalf("Close = %v, want a graceful shutdown timeout", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Close took %v with a 300ms shutdown timeout", d)
		}
		// The stuck connection was closed.
		if _, err := http.ReadResponse(r, nil); err == nil {
			t.Fatal("stuck request got a response")
		}
	})
}

// TestServe_ConcurrentRegistration registers overlapping schemas from 32
// goroutines into one shared subject and several others, then checks that
// identical content has one id everywhere, distinct content distinct ids,
// and every subject has versions 1..n with each schema exactly once.
func TestServe_ConcurrentRegistration(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	cl := MustSRClient(t, m)
	ctx := t.Context()

	const (
		workers  = 32
		nSchemas = 8
		nOwn     = 4 // subjects besides the shared one
	)
	// Records with a growing set of optional fields: any two are
	// BACKWARD compatible, whatever order they land in.
	schemas := make([]string, nSchemas)
	for i := range schemas {
		var fields []string
		for f := range i + 1 {
			fields = append(fields, fmt.Sprintf(`{"name":"f%d","type":["null","string"],"default":null}`, f))
		}
		schemas[i] = fmt.Sprintf(`{"type":"record","name":"Event","namespace":"com.example","fields":[%s]}`,
			strings.Join(fields, ","))
	}
	subjects := []string{"shared-value"}
	for i := range nOwn {
		subjects = append(subjects, fmt.Sprintf("own-%d-value", i))
	}

	type result struct {
		subject, schema string
		id              int
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
		errs    = make(chan error, workers*nSchemas*2)
	)
	for w := range workers {
		wg.Go(func() {
			own := subjects[1+w%nOwn]
			for i := range nSchemas {
				s := schemas[(w+i)%nSchemas]
				for _, subj := range []string{"shared-value", own} {
					id, err := cl.RegisterSchema(ctx, subj, avroSchema(s), -1, -1)
					if err != nil {
						errs <- fmt.Errorf("worker %d: register in %s: %w", w, subj, err)
						continue
					}
					mu.Lock()
					results = append(results, result{subj, s, id})
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Same content, same id, whichever subject and worker registered it;
	// different content, different ids.
	idOf := map[string]int{}
	for _, r := range results {
		if prev, ok := idOf[r.schema]; ok && prev != r.id {
			t.Fatalf("schema registered with ids %d and %d", prev, r.id)
		}
		idOf[r.schema] = r.id
	}
	seen := map[int]bool{}
	for _, id := range idOf {
		if seen[id] {
			t.Fatalf("two different schemas share id %d", id)
		}
		seen[id] = true
	}

	// Each subject: versions 1..n, no gaps, no duplicates, each schema once,
	// and the id stored for each version is the one registration returned.
	for _, subj := range subjects {
		versions, err := cl.SubjectVersions(ctx, subj)
		if err != nil {
			t.Fatal(err)
		}
		want := []int{}
		for v := 1; v <= len(versions); v++ {
			want = append(want, v)
		}
		if !slices.Equal(versions, want) {
			t.Fatalf("%s versions = %v, want contiguous 1..n", subj, versions)
		}
		// Every subject receives all schemas (its workers each register
		// every one), so n is the number of distinct schemas.
		if len(versions) != nSchemas {
			t.Fatalf("%s has %d versions, want %d", subj, len(versions), nSchemas)
		}
		inSubject := map[int]bool{}
		for _, v := range versions {
			s, err := cl.SchemaByVersion(ctx, subj, v)
			if err != nil {
				t.Fatal(err)
			}
			if inSubject[s.ID] {
				t.Fatalf("%s holds id %d twice", subj, s.ID)
			}
			inSubject[s.ID] = true
			if !seen[s.ID] {
				t.Fatalf("%s version %d has id %d, which no registration returned", subj, v, s.ID)
			}
		}
	}
}

// TestMain_RunErrors checks that Run reports a taken address and an
// unopenable store synchronously, and that Close is safe afterwards.
func TestMain_RunErrors(t *testing.T) {
	t.Parallel()
	first := MustRunMain(t, func(c *Config) { c.Store = StoreSpec{Kind: StoreMemory} })

	taken := NewMain()
	taken.Config.Addr = first.Addr().String()
	taken.Config.Store = StoreSpec{Kind: StoreMemory}
	taken.Stderr = io.Discard
	if err := taken.Run(t.Context()); err == nil {
		t.Error("Run on an address in use succeeded")
	}
	if err := taken.Close(); err != nil {
		t.Errorf("Close after a failed Run: %v", err)
	}

	// A store path under a regular file cannot be created.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := NewMain()
	bad.Config.Addr = "127.0.0.1:0"
	bad.Config.Store = StoreSpec{Kind: StoreSQLite, Path: filepath.Join(file, "sub", "c.db")}
	bad.Stderr = io.Discard
	if err := bad.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "open store") {
		t.Errorf("Run with an unusable store path = %v, want an open store error", err)
	}
	if err := bad.Close(); err != nil {
		t.Errorf("Close after a failed Run: %v", err)
	}
}
