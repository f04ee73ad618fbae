// Package api serves Charter over HTTP: the Confluent Schema Registry REST
// API (wire types in package [confluent]), health and metadata endpoints,
// Prometheus metrics, and the UI handler it is given.
//
// # Handlers
//
// Every route is listed in routes.go. Handlers decode the request, call
// [registry.Schemas] and encode the result; they return an error instead of
// writing one, and one adapter renders it in Confluent's envelope
// {"error_code":…,"message":…} through the single Kind table in errors.go.
// Internal errors are logged with a short reference that the client sees
// in place of the detail.
//
// # Routing
//
// Routing happens on the escaped path, so a subject containing "/" (sent as
// %2F) stays one path segment. Before routing, a trailing slash is dropped
// and Confluent's /contexts/{ctx}/... prefix is rewritten into qualified
// subjects (":.ctx:name"). Unknown routes, wrong methods and unsupported
// request media types get JSON 404, 405 and 415 bodies, as Jersey sends.
//
// # Charter extensions
//
// Beyond Confluent's API, for consumers that decode without further
// registry calls: GET /schemas/ids/{id}/bundle and
// /subjects/{s}/versions/{v}/bundle (a self-contained JSON Schema), and
// GET /schemas/ids/{id}/descriptor and /subjects/{s}/versions/{v}/descriptor
// (a self-contained Protobuf FileDescriptorSet, binary or ?format=json).
// Config also accepts compatibilityRuleSet (WIRE, WIRE_JSON for Protobuf).
//
// # Observability
//
// Each request gets an id (X-Request-ID, echoed or generated) and, when a
// W3C traceparent header is present, a trace id; both are attached to every
// log line written with the request's context (see [ContextLogHandler] and
// [LoggerFrom]). HTTP metrics are labelled by route pattern, never by raw
// path.
package api

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// Config configures the handler returned by NewHandler.
type Config struct {
	// Schemas is the service behind the Confluent API. Required.
	Schemas *registry.Schemas
	// Logger receives the access log and error details; slog.Default() if
	// nil.
	Logger *slog.Logger
	// Metrics records HTTP metrics and is served on /metrics. If nil, a
	// private set on a fresh registry is used (HTTP metrics only, since
	// the service's Observer is wired by the caller).
	Metrics *Metrics
	// MaxBodyBytes bounds request bodies; larger ones get 413. 16 MiB if
	// zero or negative.
	MaxBodyBytes int64
	// IncompatibleCode is the error_code of 409 incompatible-schema
	// answers: confluent.CodeIncompatible (409, the default, which every
	// deployed client knows) or confluent.CodeIncompatibleV8 (40901, CP
	// 8.0.4+).
	IncompatibleCode int
	// Version and Commit are served on GET /v1/metadata/version.
	Version, Commit string
	// ClusterID is the schema-registry-cluster id of GET /v1/metadata/id;
	// "charter" if empty.
	ClusterID string
	// UI, when not nil, is mounted at /ui. It receives requests with the
	// /ui prefix intact.
	UI http.Handler
}

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes
// is not set.
const DefaultMaxBodyBytes = 16 << 20

// server holds what every handler needs.
type server struct {
	schemas          *registry.Schemas
	log              *slog.Logger // tags lines with the request's ids
	baseLog          *slog.Logger // as configured
	metrics          *Metrics
	maxBody          int64
	incompatibleCode int
	version, commit  string
	clusterID        string

	// byIDBodies holds encoded GET /schemas/ids/{id} bodies by content
	// (fingerprint and type). Content is immutable and the body depends on
	// nothing else, so entries never go stale; whether the id still
	// resolves is asked of the registry on every request.
	byIDBodies sync.Map // bodyKey -> []byte
}

type bodyKey struct {
	fingerprint string
	typ         registry.SchemaType
}

// NewHandler returns the HTTP handler serving cfg.Schemas.
func NewHandler(cfg Config) http.Handler {
	s := &server{
		schemas:          cfg.Schemas,
		baseLog:          cfg.Logger,
		metrics:          cfg.Metrics,
		maxBody:          cfg.MaxBodyBytes,
		incompatibleCode: cfg.IncompatibleCode,
		version:          cfg.Version,
		commit:           cfg.Commit,
		clusterID:        cfg.ClusterID,
	}
	if s.baseLog == nil {
		s.baseLog = slog.Default()
	}
	// LoggerFrom adds the ids itself, so its base must not add them again.
	if ch, ok := s.baseLog.Handler().(contextHandler); ok {
		s.baseLog = slog.New(ch.Handler)
	}
	s.log = slog.New(ContextLogHandler(s.baseLog.Handler()))
	if s.metrics == nil {
		s.metrics = NewMetrics(prometheus.NewRegistry())
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.incompatibleCode == 0 {
		s.incompatibleCode = confluent.CodeIncompatible
	}
	if s.clusterID == "" {
		s.clusterID = "charter"
	}
	return s.routes(cfg.UI)
}

// handlerFunc is an HTTP handler that returns its error for the adapter to
// render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// confluent adapts h to http.Handler, rendering a returned error in the
// Confluent envelope.
func (s *server) confluent(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}
