package api

import (
	"net/http"

	"github.com/charterhq/charter/api/confluent"
)

// getMode answers GET /mode[/{s}]?defaultToGlobal=. Without
// defaultToGlobal a subject with no mode of its own is 40409.
func (s *server) getMode(w http.ResponseWriter, r *http.Request) error {
	sc, err := scope(r)
	if err != nil {
		return err
	}
	m, err := s.schemas.Mode(r.Context(), sc, boolParam(r.URL.Query(), "defaultToGlobal"))
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, confluent.Mode{Mode: string(m)})
	return nil
}

// putMode answers PUT /mode[/{s}]?force= with body {"mode":"…"} (any
// case); the answer echoes the mode set.
func (s *server) putMode(w http.ResponseWriter, r *http.Request) error {
	sc, err := scope(r)
	if err != nil {
		return err
	}
	var in confluent.Mode
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	m, err := s.schemas.SetMode(r.Context(), sc, in.Mode, boolParam(r.URL.Query(), "force"))
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, confluent.Mode{Mode: string(m)})
	return nil
}

// deleteMode answers DELETE /mode[/{s}]?recursive= with the mode removed
// ({} when recursive found none).
func (s *server) deleteMode(w http.ResponseWriter, r *http.Request) error {
	sc, err := scope(r)
	if err != nil {
		return err
	}
	m, err := s.schemas.DeleteMode(r.Context(), sc, boolParam(r.URL.Query(), "recursive"))
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, confluent.Mode{Mode: string(m)})
	return nil
}
