package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/charterhq/charter/registry"
)

// listContexts answers GET /contexts?contextPrefix=&offset=&limit=: the
// default context "." first, then the others.
func (s *server) listContexts(w http.ResponseWriter, r *http.Request) error {
	contexts, err := s.schemas.Contexts(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	prefix := q.Get("contextPrefix")
	out := make([]string, 0, len(contexts))
	for _, c := range contexts {
		if strings.HasPrefix(string(c), prefix) {
			out = append(out, string(c))
		}
	}
	lo, hi := page(q, len(out), noLimit)
	writeJSON(w, r, http.StatusOK, out[lo:hi])
	return nil
}

// deleteContext answers DELETE /contexts/{ctx} with 204; a context that
// still has subjects is 42211.
func (s *server) deleteContext(w http.ResponseWriter, r *http.Request) error {
	name, err := url.PathUnescape(r.PathValue("context"))
	if err != nil {
		return errNotFound
	}
	if err := s.schemas.DeleteContext(r.Context(), registry.ParseContext(name)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
