package api

import (
	"net/http"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/jsoncompat"
	"github.com/charterhq/charter/registry"
)

// Format-specific views of a schema for consumers that want to decode
// without further registry calls. These are Charter extensions; Confluent
// has no such endpoints.

// bundleByID answers GET /schemas/ids/{id}/bundle?subject=: a JSON Schema
// with every referenced schema inlined under $defs.
func (s *server) bundleByID(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sc, p, err := s.schemas.ParsedByID(r.Context(), id, idOptions(r, true))
	if err != nil {
		return err
	}
	return writeBundle(w, r, sc.Type, p)
}

// bundleByVersion answers GET /subjects/{s}/versions/{v}/bundle?deleted=.
func (s *server) bundleByVersion(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	ss, p, err := s.schemas.ParsedVersion(r.Context(), subject, v, boolParam(r.URL.Query(), "deleted"))
	if err != nil {
		return err
	}
	return writeBundle(w, r, ss.Schema.Type, p)
}

func writeBundle(w http.ResponseWriter, r *http.Request, t registry.SchemaType, p compat.Schema) error {
	if t != registry.JSON {
		return registry.Errorf(registry.InvalidSchema, "A bundle is only available for JSON schemas, not %s", t)
	}
	b, err := jsoncompat.Bundle(p)
	if err != nil {
		return err
	}
	writeBody(w, r, http.StatusOK, b)
	return nil
}
