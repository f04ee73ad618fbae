package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/charterhq/charter/api"
	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/inmem"
)

// harness is a handler over a fresh in-memory registry, with its logs and
// metrics captured.
type harness struct {
	srv     *httptest.Server
	store   *inmem.Store
	reg     *prometheus.Registry
	logs    *syncBuffer
	schemas *registry.Schemas
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of slog.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// lines decodes the JSON log lines written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.b.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func newHarness(t *testing.T, mod func(*api.Config)) *harness {
	t.Helper()
	h := &harness{store: inmem.New(), reg: prometheus.NewRegistry(), logs: &syncBuffer{}}
	logger := slog.New(api.ContextLogHandler(slog.NewJSONHandler(h.logs, nil)))
	metrics := api.NewMetrics(h.reg)
	h.schemas = registry.NewSchemas(registry.Options{
		Store:    h.store,
		Now:      func() time.Time { return goldenClock },
		Logger:   logger,
		Observer: metrics,
	})
	cfg := api.Config{Schemas: h.schemas, Logger: logger, Metrics: metrics, Version: "1.2.3", Commit: "abc"}
	if mod != nil {
		mod(&cfg)
	}
	h.srv = httptest.NewServer(api.NewHandler(cfg))
	t.Cleanup(h.srv.Close)
	return h
}

// call sends one request and returns the status, headers and body.
func (h *harness) call(t *testing.T, method, path, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, h.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", confluent.MediaTypeV1)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// mustCall is call that fails the test unless the status is want.
func (h *harness) mustCall(t *testing.T, want int, method, path, body string, headers ...string) (http.Header, string) {
	t.Helper()
	status, hdr, got := h.call(t, method, path, body, headers...)
	if status != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, status, got, want)
	}
	return hdr, got
}

func errorBody(t *testing.T, body string) confluent.ErrorResponse {
	t.Helper()
	var e confluent.ErrorResponse
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", body, err)
	}
	return e
}

const stringSchema = `{"schema":"\"string\""}`

func TestRouting(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.mustCall(t, 200, "POST", "/subjects/a%2Fb/versions", stringSchema)
	h.mustCall(t, 200, "POST", "/subjects/plain/versions", stringSchema)

	t.Run("ok_escaped_subject_is_one_segment", func(t *testing.T) {
		_, body := h.mustCall(t, 200, "GET", "/subjects/a%2Fb/versions/1", "")
		var got confluent.Schema
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got.Subject != "a/b" {
			t.Errorf("subject = %q, want a/b", got.Subject)
		}
	})
	t.Run("fail_unescaped_slash_is_two_segments", func(t *testing.T) {
		status, _, body := h.call(t, "GET", "/subjects/a/b/versions/1", "")
		if status != 404 || errorBody(t, body).ErrorCode != 404 {
			t.Errorf("got %d %s, want a router 404", status, body)
		}
	})
	t.Run("ok_trailing_slash", func(t *testing.T) {
		h.mustCall(t, 200, "GET", "/subjects/", "")
		h.mustCall(t, 200, "POST", "/compatibility/subjects/plain/versions/", stringSchema)
		h.mustCall(t, 200, "GET", "/subjects/a%2Fb/versions/", "")
	})
	t.Run("ok_contexts_prefix", func(t *testing.T) {
		h.mustCall(t, 200, "POST", "/contexts/.ctx/subjects/a%2Fb/versions", stringSchema)
		_, body := h.mustCall(t, 200, "GET", "/subjects/:.ctx:a%2Fb/versions/latest", "")
		if !strings.Contains(body, `"subject":":.ctx:a/b"`) {
			t.Errorf("body %s: want subject :.ctx:a/b", body)
		}
		_, body = h.mustCall(t, 200, "GET", "/contexts/ctx/subjects", "")
		if body != `[":.ctx:a/b"]` {
			t.Errorf("GET /contexts/ctx/subjects = %s", body)
		}
	})
	t.Run("ok_head_uses_get_route", func(t *testing.T) {
		h.mustCall(t, 200, "HEAD", "/", "")
		h.mustCall(t, 200, "HEAD", "/subjects/a%2Fb/versions/latest", "")
		h.mustCall(t, 404, "HEAD", "/subjects/nope/versions/latest", "")
	})
	t.Run("fail_router_errors_are_json", func(t *testing.T) {
		for _, tc := range []struct {
			method, path, body, ct string
			status, code           int
		}{
			{"GET", "/nope", "", "", 404, 404},
			{"GET", "/associations", "", "", 404, 404},
			{"PATCH", "/config", "", "", 405, 405},
			{"POST", "/subjects/x/versions", stringSchema, "text/plain", 415, 415},
			{"PUT", "/config", `{}`, "application/x-www-form-urlencoded", 415, 415},
		} {
			var hdr []string
			if tc.ct != "" {
				hdr = []string{"Content-Type", tc.ct}
			}
			status, header, body := h.call(t, tc.method, tc.path, tc.body, hdr...)
			if status != tc.status || errorBody(t, body).ErrorCode != tc.code {
				t.Errorf("%s %s = %d %s, want %d/%d", tc.method, tc.path, status, body, tc.status, tc.code)
			}
			if ct := header.Get("Content-Type"); ct != confluent.MediaTypeV1 {
				t.Errorf("%s %s: Content-Type %q", tc.method, tc.path, ct)
			}
		}
	})
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *api.Config) { c.MaxBodyBytes = 100 })
	small := `{"schema":"\"int\""}`
	h.mustCall(t, 200, "POST", "/subjects/s/versions", small)
	big := `{"schema":"\"int\"","padding":"` + strings.Repeat("x", 200) + `"}`
	_, body := h.mustCall(t, 413, "POST", "/subjects/s/versions", big)
	if e := errorBody(t, body); e.ErrorCode != 413 {
		t.Errorf("error_code = %d, want 413", e.ErrorCode)
	}
	_, body = h.mustCall(t, 413, "PUT", "/config", `{"compatibility":"`+strings.Repeat("x", 200)+`"}`)
	if e := errorBody(t, body); e.ErrorCode != 413 {
		t.Errorf("error_code = %d, want 413", e.ErrorCode)
	}
}

func TestDefaultBodyLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("sends a 16 MiB body")
	}
	h := newHarness(t, nil)
	big := `{"schema":"\"int\"","padding":"` + strings.Repeat("x", api.DefaultMaxBodyBytes) + `"}`
	h.mustCall(t, 413, "POST", "/subjects/s/versions", big)
}

func TestErrors(t *testing.T) {
	t.Parallel()
	t.Run("ok_store_unavailable_is_retriable_503", func(t *testing.T) {
		h := newHarness(t, nil)
		h.store.FailNext("View", registry.ErrUnavailable)
		hdr, body := h.mustCall(t, 503, "GET", "/subjects", "")
		if e := errorBody(t, body); e.ErrorCode != confluent.CodeStoreError {
			t.Errorf("error_code = %d, want 50001", e.ErrorCode)
		}
		if hdr.Get("Retry-After") != "1" {
			t.Errorf("Retry-After = %q, want 1", hdr.Get("Retry-After"))
		}
	})
	t.Run("ok_internal_error_has_logged_ref", func(t *testing.T) {
		h := newHarness(t, nil)
		h.store.FailNext("View", errors.New("disk on fire"))
		_, body := h.mustCall(t, 500, "GET", "/subjects", "", "X-Request-ID", "req-internal")
		e := errorBody(t, body)
		m := regexp.MustCompile(`^Internal error \(ref: ([0-9A-Z]{5})\)$`).FindStringSubmatch(e.Message)
		if e.ErrorCode != 50001 || m == nil {
			t.Fatalf("got %+v, want 50001 and a ref", e)
		}
		if strings.Contains(body, "disk on fire") {
			t.Error("internal detail leaked to the client")
		}
		found := false
		for _, l := range h.logs.lines(t) {
			if l["ref"] == m[1] {
				found = true
				if l["request_id"] != "req-internal" || !strings.Contains(l["err"].(string), "disk on fire") {
					t.Errorf("log line %v: want request_id and the full error", l)
				}
			}
		}
		if !found {
			t.Errorf("no log line with ref %s", m[1])
		}
	})
	t.Run("ok_panic_is_500_with_ref", func(t *testing.T) {
		h := newHarness(t, func(c *api.Config) {
			c.UI = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
		})
		_, body := h.mustCall(t, 500, "GET", "/ui/", "")
		if e := errorBody(t, body); e.ErrorCode != 50001 || !strings.HasPrefix(e.Message, "Internal error (ref: ") {
			t.Errorf("got %+v", e)
		}
		found := false
		for _, l := range h.logs.lines(t) {
			if l["msg"] == "panic" && l["panic"] == "boom" && l["stack"] != nil {
				found = true
			}
		}
		if !found {
			t.Error("panic not logged")
		}
	})
	t.Run("ok_incompatible_code_40901", func(t *testing.T) {
		h := newHarness(t, func(c *api.Config) { c.IncompatibleCode = confluent.CodeIncompatibleV8 })
		h.mustCall(t, 200, "POST", "/subjects/s/versions", `{"schema":"\"int\""}`)
		_, body := h.mustCall(t, 409, "POST", "/subjects/s/versions", `{"schema":"\"bytes\""}`)
		e := errorBody(t, body)
		if e.ErrorCode != 40901 || !strings.HasPrefix(e.Message,
			`Schema being registered is incompatible with an earlier schema for subject "s", details: [`) {
			t.Errorf("got %+v", e)
		}
	})
}

func TestHealth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.mustCall(t, 200, "GET", "/health/ready", "")
	h.store.FailNext("Ping", registry.ErrUnavailable)
	_, body := h.mustCall(t, 503, "GET", "/health/ready", "")
	if body != `{"status":"unavailable"}` {
		t.Errorf("body %s", body)
	}
	_, body = h.mustCall(t, 200, "GET", "/v1/metadata/version", "")
	if body != `{"version":"1.2.3","commitId":"abc"}` {
		t.Errorf("version body %s", body)
	}
}

func TestUIMount(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *api.Config) {
		c.UI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ui:"+r.URL.Path)
		})
	})
	_, body := h.mustCall(t, 200, "GET", "/ui/subjects/", "")
	if body != "ui:/ui/subjects/" {
		t.Errorf("body %q", body)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestLogging(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	hdr, _ := h.mustCall(t, 200, "POST", "/subjects/a%2Fb/versions", stringSchema,
		"X-Request-ID", "req-1", "traceparent", "00-"+trace+"-00f067aa0ba902b7-01")
	if hdr.Get("X-Request-ID") != "req-1" {
		t.Errorf("X-Request-ID = %q, want it echoed", hdr.Get("X-Request-ID"))
	}
	hdr, _ = h.mustCall(t, 200, "GET", "/subjects", "", "traceparent", "garbage")
	generated := hdr.Get("X-Request-ID")
	if !uuidRE.MatchString(generated) {
		t.Errorf("generated request id %q is not a UUID v4", generated)
	}

	var access []map[string]any
	for _, l := range h.logs.lines(t) {
		if l["msg"] == "request" {
			access = append(access, l)
		}
	}
	if len(access) != 2 {
		t.Fatalf("got %d access lines, want 2: %v", len(access), access)
	}
	first, second := access[0], access[1]
	if first["request_id"] == generated {
		first, second = second, first
	}
	want := map[string]any{
		"request_id": "req-1", "trace_id": trace, "method": "POST",
		"route": "/subjects/{subject}/versions", "status": float64(200),
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("access line %s = %v, want %v", k, first[k], v)
		}
	}
	if _, ok := first["duration"]; !ok {
		t.Error("access line has no duration")
	}
	if b, _ := first["bytes"].(float64); b <= 0 {
		t.Errorf("access line bytes = %v", first["bytes"])
	}
	if second["request_id"] != generated || second["trace_id"] != nil {
		t.Errorf("second line %v: want generated id and no trace id", second)
	}
}

func TestLoggerFrom(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	base := slog.New(slog.NewJSONHandler(logs, nil))
	var handler http.Handler = api.NewHandler(api.Config{
		Schemas: registry.NewSchemas(registry.Options{Store: inmem.New()}),
		Logger:  base,
		UI: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			api.LoggerFrom(r.Context()).Info("from ui")
			if api.RequestID(r.Context()) != "rid" {
				t.Errorf("RequestID = %q", api.RequestID(r.Context()))
			}
		}),
	})
	req := httptest.NewRequest("GET", "/ui/x", nil)
	req.Header.Set("X-Request-ID", "rid")
	handler.ServeHTTP(httptest.NewRecorder(), req)

	// A logger already wrapped with ContextLogHandler must not get the ids
	// twice from LoggerFrom(ctx).InfoContext(ctx, …).
	wrappedLogs := &syncBuffer{}
	wrapped := api.NewHandler(api.Config{
		Schemas: registry.NewSchemas(registry.Options{Store: inmem.New()}),
		Logger:  slog.New(api.ContextLogHandler(slog.NewTextHandler(wrappedLogs, nil))),
		UI: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			api.LoggerFrom(r.Context()).InfoContext(r.Context(), "once")
		}),
	})
	wrapped.ServeHTTP(httptest.NewRecorder(), req)
	for _, line := range strings.Split(strings.TrimSpace(wrappedLogs.b.String()), "\n") {
		if n := strings.Count(line, "request_id="); n != 1 {
			t.Errorf("line %q has request_id %d times", line, n)
		}
	}
	lines := logs.lines(t)
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2 (ui and access)", len(lines))
	}
	for _, l := range lines {
		if l["request_id"] != "rid" {
			t.Errorf("line %v has no request_id", l)
		}
	}
	if got := api.LoggerFrom(t.Context()); got != slog.Default() {
		t.Error("LoggerFrom outside a request should be slog.Default()")
	}
}

// counterValue returns the value of the counter family name whose labels
// include want, or -1.
func counterValue(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue metrics
				}
			}
			return metricValue(m)
		}
	}
	return -1
}

func metricValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return -1
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.mustCall(t, 200, "POST", "/subjects/a%2Fb/versions", stringSchema)
	h.mustCall(t, 200, "POST", "/subjects/c/versions/", stringSchema)
	h.mustCall(t, 200, "GET", "/subjects/a%2Fb/versions/1", "")
	h.mustCall(t, 404, "GET", "/subjects/zzz/versions/1", "")
	h.mustCall(t, 404, "GET", "/random/path/123", "")

	for _, tc := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"method": "POST", "route": "/subjects/{subject}/versions", "code": "200"}, 2},
		{map[string]string{"method": "GET", "route": "/subjects/{subject}/versions/{version}", "code": "200"}, 1},
		{map[string]string{"method": "GET", "route": "/subjects/{subject}/versions/{version}", "code": "404"}, 1},
		{map[string]string{"method": "GET", "route": "unmatched", "code": "404"}, 1},
	} {
		if got := counterValue(t, h.reg, "charter_http_requests_total", tc.labels); got != tc.want {
			t.Errorf("requests%v = %v, want %v", tc.labels, got, tc.want)
		}
		if got := counterValue(t, h.reg, "charter_http_request_duration_seconds", tc.labels); got != tc.want {
			t.Errorf("latency%v count = %v, want %v", tc.labels, got, tc.want)
		}
	}
	// No label value may carry a raw path.
	families, _ := h.reg.Gather()
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if strings.Contains(lp.GetValue(), "a%2Fb") || strings.Contains(lp.GetValue(), "zzz") ||
					strings.Contains(lp.GetValue(), "random") {
					t.Errorf("%s has raw path label %s=%s", f.GetName(), lp.GetName(), lp.GetValue())
				}
			}
		}
	}
	if got := counterValue(t, h.reg, "charter_schema_registrations_total",
		map[string]string{"type": "AVRO", "outcome": "created"}); got != 2 {
		t.Errorf("registrations created = %v, want 2", got)
	}
	if got := counterValue(t, h.reg, "charter_store_op_duration_seconds", map[string]string{"op": "update"}); got < 2 {
		t.Errorf("store update observations = %v, want >= 2", got)
	}
	if got := counterValue(t, h.reg, "charter_http_requests_in_flight", nil); got != 0 {
		t.Errorf("in flight = %v, want 0", got)
	}
	_, body := h.mustCall(t, 200, "GET", "/metrics", "")
	if !strings.Contains(body, `charter_http_requests_total{code="200",method="POST",route="/subjects/{subject}/versions"} 2`) {
		t.Errorf("/metrics does not serve the request counter:\n%s", body)
	}
}

func TestMetricsObserverChecks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.mustCall(t, 200, "POST", "/subjects/s/versions", `{"schema":"\"int\""}`)
	h.mustCall(t, 409, "POST", "/subjects/s/versions", `{"schema":"\"bytes\""}`)
	if got := counterValue(t, h.reg, "charter_compatibility_checks_total",
		map[string]string{"type": "AVRO", "result": "incompatible"}); got != 1 {
		t.Errorf("incompatible checks = %v, want 1", got)
	}
}

func TestNilMetricsAndLogger(t *testing.T) {
	t.Parallel()
	handler := api.NewHandler(api.Config{Schemas: registry.NewSchemas(registry.Options{
		Store: inmem.New(), Logger: slog.New(slog.DiscardHandler),
	})})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "charter_http_requests_in_flight") {
		t.Errorf("GET /metrics = %d", rec.Code)
	}
}
