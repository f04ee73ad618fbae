package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/charterhq/charter/registry"
)

// Metrics holds Charter's Prometheus collectors: HTTP request metrics
// (recorded by the handler NewHandler returns) and service metrics (it
// implements registry.Observer; pass it as registry.Options.Observer).
// Create it with NewMetrics; GET /metrics serves its registry.
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge

	httpChildren sync.Map // httpKey -> httpChild

	storeOps      *prometheus.HistogramVec
	storeErrors   *prometheus.CounterVec
	registrations *prometheus.CounterVec
	registerTime  *prometheus.HistogramVec
	checks        *prometheus.CounterVec
	checkTime     *prometheus.HistogramVec
}

var _ registry.Observer = (*Metrics)(nil)

// NewMetrics creates Charter's collectors and registers them with reg. It
// panics if reg already holds collectors of the same names (a wiring
// mistake). Runtime and process collectors are left to the caller.
func NewMetrics(reg *prometheus.Registry) *Metrics {
	// Latencies of an in-memory registry are microseconds; of SQL stores
	// milliseconds. Buckets span both.
	buckets := []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "charter_http_request_duration_seconds",
			Help:    "HTTP request latency, by method, route pattern and status code.",
			Buckets: buckets,
		}, []string{"method", "route", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "charter_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		storeOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "charter_store_op_duration_seconds",
			Help:    "Store transaction latency, by operation (view or update).",
			Buckets: buckets,
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_store_op_errors_total",
			Help: "Store transactions that failed, by operation.",
		}, []string{"op"}),
		registrations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_schema_registrations_total",
			Help: "Schema registrations, by schema type and outcome (created, existing, error).",
		}, []string{"type", "outcome"}),
		registerTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "charter_schema_registration_duration_seconds",
			Help:    "Schema registration latency, by schema type and outcome.",
			Buckets: buckets,
		}, []string{"type", "outcome"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "charter_compatibility_checks_total",
			Help: "Compatibility checks of a new schema against one earlier version, by schema type and result.",
		}, []string{"type", "result"}),
		checkTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "charter_compatibility_check_duration_seconds",
			Help:    "Compatibility check latency, by schema type.",
			Buckets: buckets,
		}, []string{"type"}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.storeOps, m.storeErrors,
		m.registrations, m.registerTime, m.checks, m.checkTime)
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *Metrics) observeHTTP(method, route string, status int, d time.Duration) {
	k := httpKey{method, route, status}
	c, ok := m.httpChildren.Load(k)
	if !ok {
		code := strconv.Itoa(status)
		c, _ = m.httpChildren.LoadOrStore(k, httpChild{
			requests: m.requests.WithLabelValues(method, route, code),
			latency:  m.latency.WithLabelValues(method, route, code),
		})
	}
	hc := c.(httpChild)
	hc.requests.Inc()
	hc.latency.Observe(d.Seconds())
}

// httpKey and httpChild cache the labelled series of each (method, route,
// status): resolving label values hashes them on every call, and the set
// is small (routes are patterns, not paths).
type httpKey struct {
	method, route string
	status        int
}

type httpChild struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// StoreOp implements registry.Observer.
func (m *Metrics) StoreOp(op string, d time.Duration, err error) {
	m.storeOps.WithLabelValues(op).Observe(d.Seconds())
	if err != nil {
		m.storeErrors.WithLabelValues(op).Inc()
	}
}

// Registered implements registry.Observer.
func (m *Metrics) Registered(t registry.SchemaType, outcome string, d time.Duration) {
	t = typeLabel(t)
	m.registrations.WithLabelValues(string(t), outcome).Inc()
	m.registerTime.WithLabelValues(string(t), outcome).Observe(d.Seconds())
}

// Checked implements registry.Observer.
func (m *Metrics) Checked(t registry.SchemaType, compatible bool, d time.Duration) {
	t = typeLabel(t)
	result := "incompatible"
	if compatible {
		result = "compatible"
	}
	m.checks.WithLabelValues(string(t), result).Inc()
	m.checkTime.WithLabelValues(string(t)).Observe(d.Seconds())
}

// typeLabel spells the default schema type out, so AVRO has one series.
func typeLabel(t registry.SchemaType) registry.SchemaType {
	if t == "" {
		return registry.Avro
	}
	return t
}
