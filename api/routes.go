package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// routes is the whole route table.
func (s *server) routes(ui http.Handler) http.Handler {
	r := chi.NewRouter()
	// GetHead answers HEAD with the GET route, as Jersey does; it must see
	// the rewritten path.
	r.Use(s.requestContext, s.instrument, s.recoverer, s.limitBody, s.rewrite, middleware.GetHead)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, errNotFound) })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, errMethodNotAllowed) })

	// Operations.
	r.Get("/", s.root)
	r.Get("/health/live", s.live)
	r.Get("/health/ready", s.ready)
	r.Get("/metrics", s.metrics.Handler().ServeHTTP)
	r.Get("/v1/metadata/id", s.confluent(s.clusterMetadata))
	r.Get("/v1/metadata/version", s.confluent(s.versionMetadata))

	r.Group(func(r chi.Router) { // Confluent Schema Registry
		r.Use(requireJSONBody)
		r.Get("/schemas", s.confluent(s.listSchemas))
		r.Get("/schemas/types", s.confluent(s.schemaTypes))
		r.Get("/schemas/ids/{id}", s.confluent(s.schemaByID))
		r.Get("/schemas/ids/{id}/schema", s.confluent(s.schemaTextByID))
		r.Get("/schemas/ids/{id}/subjects", s.confluent(s.subjectsByID))
		r.Get("/schemas/ids/{id}/versions", s.confluent(s.versionsByID))
		r.Get("/schemas/ids/{id}/bundle", s.confluent(s.bundleByID))
		r.Get("/schemas/ids/{id}/descriptor", s.confluent(s.descriptorByID))
		r.Get("/schemas/guids/{guid}", s.confluent(s.schemaByGUID))
		r.Get("/schemas/guids/{guid}/ids", s.confluent(s.idsByGUID))

		r.Get("/subjects", s.confluent(s.listSubjects))
		r.Post("/subjects/{subject}", s.confluent(s.lookupSchema))
		r.Delete("/subjects/{subject}", s.confluent(s.deleteSubject))
		r.Get("/subjects/{subject}/metadata", s.confluent(s.latestWithMetadata))
		r.Get("/subjects/{subject}/versions", s.confluent(s.listVersions))
		r.Post("/subjects/{subject}/versions", s.confluent(s.registerSchema))
		r.Get("/subjects/{subject}/versions/{version}", s.confluent(s.getVersion))
		r.Delete("/subjects/{subject}/versions/{version}", s.confluent(s.deleteVersion))
		r.Get("/subjects/{subject}/versions/{version}/schema", s.confluent(s.versionText))
		r.Get("/subjects/{subject}/versions/{version}/referencedby", s.confluent(s.referencedBy))
		r.Post("/subjects/{subject}/versions/{version}/tags", s.confluent(s.tagVersion))
		r.Get("/subjects/{subject}/versions/{version}/bundle", s.confluent(s.bundleByVersion))
		r.Get("/subjects/{subject}/versions/{version}/descriptor", s.confluent(s.descriptorByVersion))

		r.Post("/compatibility/subjects/{subject}/versions", s.confluent(s.checkCompatibility))
		r.Post("/compatibility/subjects/{subject}/versions/{version}", s.confluent(s.checkCompatibility))

		r.Get("/config", s.confluent(s.getConfig))
		r.Put("/config", s.confluent(s.putConfig))
		r.Delete("/config", s.confluent(s.deleteConfig))
		r.Get("/config/{subject}", s.confluent(s.getConfig))
		r.Put("/config/{subject}", s.confluent(s.putConfig))
		r.Delete("/config/{subject}", s.confluent(s.deleteConfig))

		r.Get("/mode", s.confluent(s.getMode))
		r.Put("/mode", s.confluent(s.putMode))
		r.Delete("/mode", s.confluent(s.deleteMode))
		r.Get("/mode/{subject}", s.confluent(s.getMode))
		r.Put("/mode/{subject}", s.confluent(s.putMode))
		r.Delete("/mode/{subject}", s.confluent(s.deleteMode))

		r.Get("/contexts", s.confluent(s.listContexts))
		r.Delete("/contexts/{context}", s.confluent(s.deleteContext))
	})

	if ui != nil {
		r.Mount("/ui", ui)
	}
	return r
}
