package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/charterhq/charter/api"
	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/inmem"
)

// benchSchema is a small record, typical of what deserializers fetch.
const benchSchema = `{"type":"record","name":"Order","namespace":"com.acme","fields":[` +
	`{"name":"id","type":"long"},{"name":"customer","type":"string"},` +
	`{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}]}`

// BenchmarkSchemaByID measures GET /schemas/ids/{id}, the call every
// deserializer makes, through the whole handler (middleware, routing,
// registry cache warm, JSON encoding) without a network: the handler is
// called directly with a recorder.
func BenchmarkSchemaByID(b *testing.B) {
	schemas := registry.NewSchemas(registry.Options{Store: inmem.New(), Logger: slog.New(slog.DiscardHandler)})
	h := api.NewHandler(api.Config{Schemas: schemas, Logger: slog.New(slog.DiscardHandler)})
	body := `{"schema":` + strconv.Quote(benchSchema) + `}`
	req := httptest.NewRequest("POST", "/subjects/orders-value/versions", strings.NewReader(body))
	req.Header.Set("Content-Type", confluent.MediaTypeV1)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	get := httptest.NewRequest("GET", "/schemas/ids/1", nil)
	warm := httptest.NewRecorder()
	h.ServeHTTP(warm, get) // warm the registry's cache
	if warm.Code != http.StatusOK {
		b.Fatalf("get: %d %s", warm.Code, warm.Body)
	}
	want := warm.Body.Len()
	b.ReportAllocs()
	for b.Loop() {
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, get)
		if w.n != want {
			b.Fatalf("wrote %d bytes, want %d", w.n, want)
		}
	}
}

// BenchmarkBareHandler is the floor BenchmarkSchemaByID is compared with:
// a bare net/http handler writing the same body.
func BenchmarkBareHandler(b *testing.B) {
	body := []byte(`{"schema":` + strconv.Quote(benchSchema) + `,"schemaType":"AVRO","guid":"0123abcd-0123-0123-0123-0123456789ab"}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", confluent.MediaTypeV1)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	get := httptest.NewRequest("GET", "/schemas/ids/1", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, get)
	}
}

// discardWriter is a minimal ResponseWriter, so the benchmarks measure the
// handler rather than httptest.ResponseRecorder's buffering.
type discardWriter struct {
	h http.Header
	n int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(int)     {}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

var _ io.Writer = (*discardWriter)(nil)
