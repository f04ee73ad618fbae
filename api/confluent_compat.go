package api

import (
	"errors"
	"net/http"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// checkCompatibility answers POST /compatibility/subjects/{s}/versions/{v}
// (against that version only) and POST /compatibility/subjects/{s}/versions
// (against the versions registration would check), with ?normalize= and
// ?verbose=. With verbose=true the answer lists the findings, and a schema
// that does not parse is reported as incompatible with the parse error
// instead of failing with 42201.
func (s *server) checkCompatibility(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	var v registry.Version // 0: as registration would
	if r.PathValue("version") != "" {
		if v, err = pathVersion(r); err != nil {
			return err
		}
	}
	q := r.URL.Query()
	verbose := boolParam(q, "verbose")
	req, err := decodeRegisterRequest(r.Body)
	var res registry.CompatibilityResult
	if err == nil {
		res, err = s.schemas.CheckCompatibility(r.Context(), subject, v, req.SchemaRequest, boolParam(q, "normalize"))
	}
	if err != nil {
		var re *registry.Error
		if verbose && errors.As(err, &re) && re.Kind == registry.InvalidSchema {
			writeJSON(w, r, http.StatusOK, confluent.CompatibilityCheckResponse{
				IsCompatible: false, Messages: []string{re.Message},
			})
			return nil
		}
		return err
	}
	out := confluent.CompatibilityCheckResponse{IsCompatible: res.Compatible}
	if verbose {
		out.Messages = res.Messages
		if out.Messages == nil {
			out.Messages = []string{}
		}
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}
