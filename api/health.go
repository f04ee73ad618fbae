package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/charterhq/charter/api/confluent"
)

// root answers GET / with {}, the probe Confluent users point their load
// balancers at.
func (s *server) root(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, http.StatusOK, struct{}{})
}

type healthStatus struct {
	Status string `json:"status"`
}

// live answers GET /health/live: the process serves HTTP.
func (s *server) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, http.StatusOK, healthStatus{Status: "ok"})
}

// readyTimeout bounds the store ping of a readiness probe, so a hung store
// fails the probe instead of hanging it.
const readyTimeout = 2 * time.Second

// ready answers GET /health/ready: 200 when the store answers a ping, 503
// otherwise (the detail is logged, not shown).
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.schemas.Ready(ctx); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "not ready", slog.String("err", err.Error()))
		w.Header().Set("Retry-After", "1")
		writeJSON(w, r, http.StatusServiceUnavailable, healthStatus{Status: "unavailable"})
		return
	}
	writeJSON(w, r, http.StatusOK, healthStatus{Status: "ok"})
}

// versionMetadata answers GET /v1/metadata/version.
func (s *server) versionMetadata(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, confluent.ServerVersion{Version: s.version, CommitID: s.commit})
	return nil
}

// clusterMetadata answers GET /v1/metadata/id. Charter has no Kafka
// cluster, so that id is empty.
func (s *server) clusterMetadata(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, r, http.StatusOK, confluent.ServerClusterID{
		ID: "",
		Scope: confluent.ClusterScope{
			Path:     []string{},
			Clusters: map[string]string{"kafka-cluster": "", "schema-registry-cluster": s.clusterID},
		},
	})
	return nil
}
