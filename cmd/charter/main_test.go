package main

// End-to-end tests: the real server (Main.Run, as `charter serve` runs it)
// on 127.0.0.1:0 with a SQLite file in t.TempDir(), driven over HTTP by
// third-party Schema Registry clients.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

// MustRunMain runs the server with a fresh SQLite store and the defaults,
// changed by edit, and closes it when the test ends.
func MustRunMain(tb testing.TB, edit ...func(*Config)) *Main {
	tb.Helper()
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.Store = StoreSpec{Kind: StoreSQLite, Path: filepath.Join(tb.TempDir(), "data", "charter.db")}
	m.Config.LogLevel = slog.LevelWarn // no access log: keep test output readable
	m.Stderr = logWriter(tb)
	m.Config.ShutdownTimeout = 10 * time.Second
	for _, f := range edit {
		f(&m.Config)
	}
	if err := m.Run(context.Background()); err != nil {
		tb.Fatalf("Main.Run: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Main.Close: %v", err)
		}
	})
	return m
}

// MustSRClient returns a franz-go sr client for m.
func MustSRClient(tb testing.TB, m *Main, opts ...sr.ClientOpt) *sr.Client {
	tb.Helper()
	cl, err := sr.NewClient(append([]sr.ClientOpt{sr.URLs(m.URL())}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	return cl
}

// Avro schemas used throughout. userV2 adds an optional field, so it is
// BACKWARD (and FULL) compatible with userV1; userBad changes a field's
// type, so it is not.
const (
	userV1  = `{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":"string"}]}`
	userV2  = `{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":"string"},{"name":"email","type":["null","string"],"default":null}]}`
	userBad = `{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":"int"}]}`

	address  = `{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"street","type":"string"},{"name":"city","type":"string"}]}`
	noID     = `{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"email","type":["null","string"],"default":null}]}`
	customer = `{"type":"record","name":"Customer","namespace":"com.example","fields":[{"name":"name","type":"string"},{"name":"home","type":"com.example.Address"}]}`
)

func avroSchema(s string) sr.Schema { return sr.Schema{Schema: s, Type: sr.TypeAvro} }

// wantCode fails the test unless err is a registry error with that
// error_code (and HTTP status).
func wantCode(tb testing.TB, err error, status, code int) {
	tb.Helper()
	var re *sr.ResponseError
	if !errors.As(err, &re) {
		tb.Fatalf("err = %v (%T), want a registry error %d/%d", err, err, status, code)
	}
	if re.StatusCode != status || re.ErrorCode != code {
		tb.Fatalf("got HTTP %d error_code %d (%q), want %d/%d", re.StatusCode, re.ErrorCode, re.Message, status, code)
	}
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(tb testing.TB, a, b string) bool {
	tb.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		tb.Fatalf("%q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		tb.Fatalf("%q: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

func TestServe_Root(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	resp, err := http.Get(m.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("GET / = %d %v, want 200 {}", resp.StatusCode, body)
	}
}

func TestServe_Operations(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	if code, body := get("/health/ready"); code != http.StatusOK {
		t.Errorf("GET /health/ready = %d %s", code, body)
	}
	code, body := get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	for _, name := range []string{"charter_http_requests_total", "go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	code, body = get("/v1/metadata/version")
	if code != http.StatusOK || !strings.Contains(body, `"version":"`+version+`"`) {
		t.Errorf("GET /v1/metadata/version = %d %s, want version %q", code, body, version)
	}
}

func TestServe_FranzGo(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	cl := MustSRClient(t, m)
	ctx := t.Context()

	var v1 sr.SubjectSchema
	t.Run("Register", func(t *testing.T) {
		var err error
		v1, err = cl.CreateSchema(ctx, "users-value", avroSchema(userV1))
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v1.ID <= 0 {
			t.Fatalf("first registration = version %d id %d, want version 1 and an id", v1.Version, v1.ID)
		}
	})

	t.Run("ReRegisterIsIdempotent", func(t *testing.T) {
		again, err := cl.CreateSchema(ctx, "users-value", avroSchema(userV1))
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != v1.ID || again.Version != 1 {
			t.Fatalf("re-registration = id %d version %d, want id %d version 1", again.ID, again.Version, v1.ID)
		}
		// The same content under another subject keeps its id.
		other, err := cl.CreateSchema(ctx, "users-copy", avroSchema(userV1))
		if err != nil {
			t.Fatal(err)
		}
		if other.ID != v1.ID || other.Version != 1 {
			t.Fatalf("same schema in another subject = id %d version %d, want id %d version 1", other.ID, other.Version, v1.ID)
		}
	})

	t.Run("Lookup", func(t *testing.T) {
		got, err := cl.LookupSchema(ctx, "users-value", avroSchema(userV1))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != v1.ID || got.Version != 1 || got.Subject != "users-value" {
			t.Fatalf("lookup = %+v, want users-value version 1 id %d", got, v1.ID)
		}
		_, err = cl.LookupSchema(ctx, "users-value", avroSchema(userV2))
		wantCode(t, err, 404, 40403)

		byID, err := cl.SchemaByID(ctx, v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, byID.Schema, userV1) {
			t.Fatalf("schema by id = %s, want %s", byID.Schema, userV1)
		}
		_, err = cl.SchemaByID(ctx, 99999)
		wantCode(t, err, 404, 40403)

		subjects, err := cl.SubjectsByID(ctx, v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(subjects)
		if !slices.Equal(subjects, []string{"users-copy", "users-value"}) {
			t.Fatalf("subjects of id %d = %v", v1.ID, subjects)
		}
	})

	t.Run("CompatibilityCheck", func(t *testing.T) {
		res, err := cl.CheckCompatibility(ctx, "users-value", -1, avroSchema(userV2))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Is {
			t.Fatalf("userV2 vs latest: not compatible: %v", res.Messages)
		}
		res, err = cl.CheckCompatibility(sr.WithParams(ctx, sr.Verbose), "users-value", -1, avroSchema(userBad))
		if err != nil {
			t.Fatal(err)
		}
		if res.Is || len(res.Messages) == 0 {
			t.Fatalf("userBad vs latest = %+v, want incompatible with messages", res)
		}
	})

	var v2 sr.SubjectSchema
	t.Run("RegisterIncompatibleIs409", func(t *testing.T) {
		_, err := cl.CreateSchema(ctx, "users-value", avroSchema(userBad))
		wantCode(t, err, 409, 409)
		var re *sr.ResponseError
		if errors.As(err, &re) && !errors.Is(re.SchemaError(), sr.ErrIncompatibleSchema) {
			t.Errorf("franz-go does not recognise the error as ErrIncompatibleSchema: %v", re.SchemaError())
		}
		v2, err = cl.CreateSchema(ctx, "users-value", avroSchema(userV2))
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.ID == v1.ID {
			t.Fatalf("v2 = version %d id %d, want version 2 and a new id", v2.Version, v2.ID)
		}
		versions, err := cl.SubjectVersions(ctx, "users-value")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(versions, []int{1, 2}) {
			t.Fatalf("versions = %v, want [1 2]", versions)
		}
		latest, err := cl.SchemaByVersion(ctx, "users-value", -1)
		if err != nil {
			t.Fatal(err)
		}
		if latest.Version != 2 || latest.ID != v2.ID {
			t.Fatalf("latest = %+v, want version 2 id %d", latest, v2.ID)
		}
	})

	t.Run("Config", func(t *testing.T) {
		res := cl.Compatibility(ctx, "users-value")[0]
		wantCode(t, res.Err, 404, 40408)

		res = cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), "users-value")[0]
		if res.Err != nil || res.Level != sr.CompatBackward {
			t.Fatalf("defaultToGlobal = %v %v, want BACKWARD", res.Level, res.Err)
		}
		global := cl.Compatibility(ctx)[0]
		if global.Err != nil || global.Level != sr.CompatBackward {
			t.Fatalf("global = %v %v, want BACKWARD", global.Level, global.Err)
		}

		set := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFull}, "users-value")[0]
		if set.Err != nil || set.Level != sr.CompatFull {
			t.Fatalf("set FULL = %v %v", set.Level, set.Err)
		}
		res = cl.Compatibility(ctx, "users-value")[0]
		if res.Err != nil || res.Level != sr.CompatFull {
			t.Fatalf("after set = %v %v, want FULL", res.Level, res.Err)
		}
		// Dropping "id" is BACKWARD compatible (the new reader ignores it)
		// but not FORWARD (old readers need it and it has no default), so
		// FULL refuses it and BACKWARD, after the reset, accepts it.
		_, err := cl.CreateSchema(ctx, "users-value", avroSchema(noID))
		wantCode(t, err, 409, 409)

		reset := cl.ResetCompatibility(ctx, "users-value")[0]
		if reset.Err != nil {
			t.Fatal(reset.Err)
		}
		res = cl.Compatibility(ctx, "users-value")[0]
		wantCode(t, res.Err, 404, 40408)
		check, err := cl.CheckCompatibility(ctx, "users-value", -1, avroSchema(noID))
		if err != nil || !check.Is {
			t.Fatalf("noID under BACKWARD = %+v %v, want compatible", check, err)
		}

		bad := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatibilityLevel(99)}, "users-value")[0]
		if bad.Err == nil {
			t.Fatal("setting an invalid level succeeded")
		}
	})

	t.Run("Mode", func(t *testing.T) {
		global := cl.Mode(ctx)[0]
		if global.Err != nil || global.Mode != sr.ModeReadWrite {
			t.Fatalf("global mode = %v %v, want READWRITE", global.Mode, global.Err)
		}
		res := cl.Mode(ctx, "users-value")[0]
		wantCode(t, res.Err, 404, 40409)

		set := cl.SetMode(ctx, sr.ModeReadOnly, "users-value")[0]
		if set.Err != nil || set.Mode != sr.ModeReadOnly {
			t.Fatalf("set READONLY = %v %v", set.Mode, set.Err)
		}
		_, err := cl.CreateSchema(ctx, "users-value", avroSchema(`{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"id","type":"string"},{"name":"n","type":"int","default":0}]}`))
		wantCode(t, err, 422, 42205)
		// Reads still work, and re-registering existing content is answered.
		if _, err := cl.SchemaByVersion(ctx, "users-value", 1); err != nil {
			t.Fatal(err)
		}

		if res := cl.ResetMode(ctx, "users-value")[0]; res.Err != nil {
			t.Fatal(res.Err)
		}
		res = cl.Mode(sr.WithParams(ctx, sr.DefaultToGlobal), "users-value")[0]
		if res.Err != nil || res.Mode != sr.ModeReadWrite {
			t.Fatalf("after reset = %v %v, want READWRITE", res.Mode, res.Err)
		}
	})

	t.Run("References", func(t *testing.T) {
		addr, err := cl.CreateSchema(ctx, "address-value", avroSchema(address))
		if err != nil {
			t.Fatal(err)
		}
		cust, err := cl.CreateSchema(ctx, "customer-value", sr.Schema{
			Schema: customer,
			Type:   sr.TypeAvro,
			References: []sr.SchemaReference{
				{Name: "com.example.Address", Subject: "address-value", Version: addr.Version},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := cl.SchemaByVersion(ctx, "customer-value", cust.Version)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.References) != 1 || got.References[0].Subject != "address-value" || got.References[0].Version != addr.Version {
			t.Fatalf("references = %+v", got.References)
		}
		// A reference to a schema that does not exist is refused.
		_, err = cl.CreateSchema(ctx, "orphan-value", sr.Schema{
			Schema:     customer,
			Type:       sr.TypeAvro,
			References: []sr.SchemaReference{{Name: "com.example.Address", Subject: "nowhere", Version: 1}},
		})
		if err == nil {
			t.Fatal("registration with a dangling reference succeeded")
		}
		// Without its reference the schema does not parse.
		_, err = cl.CreateSchema(ctx, "orphan-value", avroSchema(customer))
		wantCode(t, err, 422, 42201)

		refs, err := cl.SchemaReferences(ctx, "address-value", addr.Version)
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != 1 || refs[0].ID != cust.ID {
			t.Fatalf("referencedby = %+v, want id %d", refs, cust.ID)
		}
		// A referenced version cannot be deleted.
		err = cl.DeleteSchema(ctx, "address-value", addr.Version, sr.SoftDelete)
		wantCode(t, err, 422, 42206)
	})

	t.Run("Contexts", func(t *testing.T) {
		sctx := sr.InContext(ctx, ".staging")
		got, err := cl.CreateSchema(sctx, "users-value", avroSchema(userBad))
		if err != nil {
			t.Fatal(err)
		}
		// A new context has its own ids and versions, and its own
		// compatibility history: userBad is fine there.
		if got.Version != 1 || got.ID != 1 {
			t.Fatalf("in .staging = version %d id %d, want version 1 id 1", got.Version, got.ID)
		}
		byID, err := cl.SchemaByID(sctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, byID.Schema, userBad) {
			t.Fatalf(".staging id 1 = %s, want userBad", byID.Schema)
		}
		// The default context's id 1 is unaffected.
		def, err := cl.SchemaByID(ctx, v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v1.ID != 1 || !sameJSON(t, def.Schema, userV1) {
			t.Fatalf("default context's id %d = %s, want id 1 = userV1", v1.ID, def.Schema)
		}
		contexts, err := cl.Contexts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(contexts, ".staging") || !slices.Contains(contexts, ".") {
			t.Fatalf("contexts = %v, want . and .staging", contexts)
		}
		// A client-wide default context does the same.
		scl := MustSRClient(t, m, sr.DefaultSchemaContext(".staging"))
		versions, err := scl.SubjectVersions(ctx, "users-value")
		if err != nil || !slices.Equal(versions, []int{1}) {
			t.Fatalf(".staging versions = %v %v, want [1]", versions, err)
		}
		// Qualified subject names reach the same subject.
		q, err := cl.SchemaByVersion(ctx, ":.staging:users-value", 1)
		if err != nil || q.ID != got.ID {
			t.Fatalf("qualified subject = %+v %v", q, err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		// Hard delete needs a soft delete first.
		err := cl.DeleteSchema(ctx, "users-copy", 1, sr.HardDelete)
		wantCode(t, err, 404, 40407)
		if err := cl.DeleteSchema(ctx, "users-copy", 1, sr.SoftDelete); err != nil {
			t.Fatal(err)
		}
		err = cl.DeleteSchema(ctx, "users-copy", 1, sr.SoftDelete)
		wantCode(t, err, 404, 40406)
		_, err = cl.SubjectVersions(ctx, "users-copy")
		wantCode(t, err, 404, 40401)
		deleted, err := cl.SubjectVersions(sr.WithParams(ctx, sr.ShowDeleted), "users-copy")
		if err != nil || !slices.Equal(deleted, []int{1}) {
			t.Fatalf("versions with deleted = %v %v, want [1]", deleted, err)
		}
		if err := cl.DeleteSchema(ctx, "users-copy", 1, sr.HardDelete); err != nil {
			t.Fatal(err)
		}
		// The id stays readable: users-value still has that content.
		if _, err := cl.SchemaByID(ctx, v1.ID); err != nil {
			t.Fatal(err)
		}

		// Subjects: soft, then permanent.
		if _, err := cl.DeleteSubject(ctx, "users-value", sr.HardDelete); err == nil {
			t.Fatal("permanent delete of a live subject succeeded")
		} else {
			wantCode(t, err, 404, 40405)
		}
		gone, err := cl.DeleteSubject(ctx, "users-value", sr.SoftDelete)
		if err != nil || !slices.Equal(gone, []int{1, 2}) {
			t.Fatalf("soft delete subject = %v %v, want [1 2]", gone, err)
		}
		_, err = cl.DeleteSubject(ctx, "users-value", sr.SoftDelete)
		wantCode(t, err, 404, 40404)
		subjects, err := cl.Subjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(subjects, "users-value") {
			t.Fatalf("soft-deleted subject still listed: %v", subjects)
		}
		if _, err := cl.DeleteSubject(ctx, "users-value", sr.HardDelete); err != nil {
			t.Fatal(err)
		}
		// After a permanent delete, versions start again at 1 and the
		// content keeps its id.
		again, err := cl.CreateSchema(ctx, "users-value", avroSchema(userV2))
		if err != nil {
			t.Fatal(err)
		}
		if again.Version != 1 || again.ID != v2.ID {
			t.Fatalf("re-created = version %d id %d, want version 1 id %d", again.Version, again.ID, v2.ID)
		}
	})

}

// TestServe_IncompatibleCode40901 checks the compatibility switch for
// Confluent 8's error code.
func TestServe_IncompatibleCode40901(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, func(c *Config) { c.IncompatibleCode = 40901 })
	cl := MustSRClient(t, m)
	ctx := t.Context()
	if _, err := cl.CreateSchema(ctx, "s", avroSchema(userV1)); err != nil {
		t.Fatal(err)
	}
	_, err := cl.CreateSchema(ctx, "s", avroSchema(userBad))
	wantCode(t, err, 409, 40901)
}

// TestServe_DefaultCompatibility checks that --default-compatibility
// reaches the service.
func TestServe_DefaultCompatibility(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, func(c *Config) { c.DefaultCompatibility = "NONE"; c.Store = StoreSpec{Kind: StoreMemory} })
	cl := MustSRClient(t, m)
	ctx := t.Context()
	if res := cl.Compatibility(ctx)[0]; res.Err != nil || res.Level != sr.CompatNone {
		t.Fatalf("global = %v %v, want NONE", res.Level, res.Err)
	}
	if _, err := cl.CreateSchema(ctx, "s", avroSchema(userV1)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateSchema(ctx, "s", avroSchema(userBad)); err != nil {
		t.Fatalf("NONE refused an incompatible schema: %v", err)
	}
}

// logWriter returns a writer to tb's output that drops whatever is
// written once the test has finished: handlers cut off by a shutdown
// timeout may still log after that, and testing panics on late writes.
// Create it before the server, so its cleanup runs after the server's.
func logWriter(tb testing.TB) io.Writer {
	w := &testLogWriter{w: tb.Output()}
	tb.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.w = nil
	})
	return w
}

type testLogWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.w == nil {
		return len(p), nil
	}
	return w.w.Write(p)
}
