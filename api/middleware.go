package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// requestInfo is what the middleware knows about the request being served;
// it travels in the request's context.
type requestInfo struct {
	id      string
	traceID string
	base    *slog.Logger // the configured logger, without the ids
}

type ctxKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(ctxKey{}).(*requestInfo)
	return ri
}

// RequestID returns the id of the request ctx belongs to (the client's
// X-Request-ID or a generated one), or "".
func RequestID(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// TraceID returns the W3C trace id of the request ctx belongs to (from its
// traceparent header), or "".
func TraceID(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.traceID
	}
	return ""
}

// LoggerFrom returns a logger that tags every line with the request id and
// trace id of ctx's request. Outside a request it returns slog.Default().
func LoggerFrom(ctx context.Context) *slog.Logger {
	ri := infoFrom(ctx)
	if ri == nil {
		return slog.Default()
	}
	return ri.base.With(ri.attrs()...)
}

func (ri *requestInfo) attrs() []any {
	a := []any{slog.String("request_id", ri.id)}
	if ri.traceID != "" {
		a = append(a, slog.String("trace_id", ri.traceID))
	}
	return a
}

// ContextLogHandler wraps h so that records logged with a request's context
// (logger.InfoContext(ctx, …)) carry request_id and trace_id. NewHandler
// uses it for its own logging; wrap the logger given to registry.Options
// with it too, so the service's log lines are tied to requests.
func ContextLogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(contextHandler); ok {
		return h
	}
	return contextHandler{h}
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, rec slog.Record) error {
	if ri := infoFrom(ctx); ri != nil {
		rec.AddAttrs(slog.String("request_id", ri.id))
		if ri.traceID != "" {
			rec.AddAttrs(slog.String("trace_id", ri.traceID))
		}
	}
	return h.Handler.Handle(ctx, rec)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// requestContext assigns the request id (the client's X-Request-ID when it
// is sane, else a random UUID), echoes it, and extracts the trace id.
func (s *server) requestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header()["X-Request-Id"] = []string{id}
		ri := &requestInfo{id: id, traceID: parseTraceparent(r.Header.Get("traceparent")), base: s.baseLog}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri)))
	})
}

// validRequestID accepts client ids of printable ASCII up to 200 bytes, so
// they cannot forge log lines or blow up headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestIDPrefix makes generated request ids unique across processes;
// the counter makes them unique within one without a random read per
// request.
var (
	requestIDPrefix = newUUID()[:18]
	requestSeq      atomic.Uint64
)

// newRequestID returns a UUID v4-shaped id: a per-process random prefix
// and a 60-bit sequence number.
func newRequestID() string {
	var b [36]byte
	copy(b[:], requestIDPrefix)
	n := requestSeq.Add(1)
	b[18] = '-'
	const hexdigits = "0123456789abcdef"
	b[19] = '8' // RFC 4122 variant, so the id still reads as a UUID v4
	for i := 35; i > 19; i-- {
		if i == 23 {
			b[i] = '-'
			continue
		}
		b[i] = hexdigits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// parseTraceparent returns the trace id of a W3C traceparent header
// ("00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>"), or "" when the
// header is absent or invalid.
func parseTraceparent(h string) string {
	h = strings.TrimSpace(h)
	if len(h) < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return ""
	}
	version, trace, parent, flags := h[0:2], h[3:35], h[36:52], h[53:55]
	if !isLowerHex(version) || version == "ff" || !isLowerHex(trace) || !isLowerHex(parent) || !isLowerHex(flags) {
		return ""
	}
	// Version 00 has exactly four fields; later versions may append more.
	if (version == "00" && len(h) != 55) || (len(h) > 55 && h[55] != '-') {
		return ""
	}
	if strings.Trim(trace, "0") == "" || strings.Trim(parent, "0") == "" {
		return ""
	}
	return trace
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument writes the access log line and the HTTP metrics of every
// request, labelled by route pattern (never the raw path: subjects are
// unbounded). It reads the pattern after the handler ran, once chi has
// matched the route.
func (s *server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.metrics.inFlight.Dec()
			d := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			route := routeLabel(r)
			s.metrics.observeHTTP(r.Method, route, status, d)
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.Int64("bytes", sw.bytes))
		}()
		next.ServeHTTP(sw, r)
	})
}

// routeLabel is the matched route pattern, or "unmatched" for 404s and 405s
// so that scanners cannot create label values.
func routeLabel(r *http.Request) string {
	if rctx := chi.RouteContext(r.Context()); rctx != nil {
		if p := rctx.RoutePattern(); p != "" {
			return p
		}
	}
	return "unmatched"
}

// recoverer turns a panicking handler into a 500 with a reference, and logs
// the panic and stack under that reference.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, _ := w.(*statusWriter)
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p) // the server's own signal to drop the connection
			}
			ref := newRef()
			s.log.LogAttrs(r.Context(), slog.LevelError, "panic",
				slog.String("ref", ref),
				slog.String("panic", fmt.Sprint(p)),
				slog.String("stack", string(debug.Stack())))
			if sw != nil && sw.status != 0 {
				return // too late for a clean error; the client sees a cut response
			}
			writeJSON(w, r, http.StatusInternalServerError, confluent.ErrorResponse{
				ErrorCode: confluent.CodeStoreError, Message: "Internal error (ref: " + ref + ")",
			})
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies at Config.MaxBodyBytes; decodeJSON turns the
// overflow into a 413.
func (s *server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// requireJSONBody answers 415 to POST and PUT requests whose Content-Type
// Confluent would not read as JSON. It runs only on matched Confluent
// routes, so unknown paths still get 404 first, as with Jersey.
func requireJSONBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodPost || r.Method == http.MethodPut) &&
			!acceptedRequestType(r.Header.Get("Content-Type")) {
			writeJSON(w, r, errUnsupportedMedia.status, errUnsupportedMedia.body())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rewrite normalizes the URL before routing: it drops a trailing slash
// (Jersey tolerates them; the Java client sends
// POST /compatibility/subjects/{s}/versions/) and applies Confluent's
// /contexts/{ctx}/... prefix (see rewriteContext). It works on the escaped
// path and sets RawPath, which chi routes on, so "%2F" stays inside a
// segment.
func (s *server) rewrite(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.EscapedPath()
		if p == "/ui" || strings.HasPrefix(p, "/ui/") {
			next.ServeHTTP(w, r)
			return
		}
		np, q := p, r.URL.RawQuery
		if len(np) > 1 {
			np = strings.TrimRight(np, "/")
			if np == "" {
				np = "/"
			}
		}
		if strings.HasPrefix(np, "/contexts/") {
			np, q = rewriteContext(np, r.URL.Query(), q)
		}
		if np != p || q != r.URL.RawQuery {
			u := *r.URL
			unescaped, err := url.PathUnescape(np)
			if err != nil {
				unescaped = np
			}
			u.Path, u.RawPath, u.RawQuery = unescaped, np, q
			r = r.WithContext(r.Context())
			r.URL = &u
			r.RequestURI = u.RequestURI()
		}
		next.ServeHTTP(w, r)
	})
}

// rewriteContext maps /contexts/{ctx}/<path> onto <path> in context ctx, as
// Confluent's ContextFilter does:
//
//   - the segment after "subjects" (anywhere) and after a root "config" or
//     "mode" is qualified as ":.ctx:name" unless it already names a context
//     (":." or ":*:");
//   - a root "config" or "mode" without a subject addresses the context's
//     scope ":.ctx:";
//   - for /schemas/ids/... the subject query parameter is qualified (or set
//     to ":.ctx:" when absent, which selects the context's id space);
//   - for /schemas and /subjects every subjectPrefix is qualified (or set to
//     ":.ctx:" when absent).
//
// /contexts/{ctx} alone is left for DELETE /contexts/{ctx}. escaped is the
// escaped path without a trailing slash; rawQuery the original query.
func rewriteContext(escaped string, query url.Values, rawQuery string) (string, string) {
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	if len(segs) < 3 || segs[0] != "contexts" {
		return escaped, rawQuery
	}
	name, err := url.PathUnescape(segs[1])
	if err != nil {
		return escaped, rawQuery
	}
	c := registry.ParseContext(name)
	rest := segs[2:]
	qualify := func(seg string) string {
		raw, err := url.PathUnescape(seg)
		if err != nil || hasContext(raw) {
			return seg
		}
		return url.PathEscape(string(registry.NewSubject(c, raw)))
	}
	rootScope := rest[0] == "config" || rest[0] == "mode"
	for i := 0; i < len(rest); i++ {
		if (rest[i] == "subjects" || (i == 0 && rootScope)) && i+1 < len(rest) {
			rest[i+1] = qualify(rest[i+1])
			i++
		}
	}
	if rootScope && len(rest) == 1 && !c.IsDefault() {
		rest = append(rest, url.PathEscape(string(c.Scope())))
	}
	path := "/" + strings.Join(rest, "/")

	switch {
	case len(rest) >= 2 && rest[0] == "schemas" && rest[1] == "ids":
		subj := query.Get("subject")
		if !hasContext(subj) {
			query.Set("subject", string(registry.NewSubject(c, subj)))
			rawQuery = query.Encode()
		}
	case len(rest) == 1 && (rest[0] == "schemas" || rest[0] == "subjects"):
		prefixes := query["subjectPrefix"]
		if len(prefixes) == 0 {
			prefixes = []string{""}
		}
		for i, p := range prefixes {
			if !hasContext(p) {
				prefixes[i] = string(registry.NewSubject(c, p))
			}
		}
		query["subjectPrefix"] = prefixes
		rawQuery = query.Encode()
	}
	return path, rawQuery
}

// hasContext reports whether a subject or prefix already names a context
// (":.ctx:…") or all of them (":*:").
func hasContext(s string) bool {
	return strings.HasPrefix(s, ":.") || strings.HasPrefix(s, ":*:")
}
