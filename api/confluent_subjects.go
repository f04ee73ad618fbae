package api

import (
	"io"
	"math"
	"net/http"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// listSubjects answers GET /subjects?subjectPrefix=&deleted=&deletedOnly=
// &offset=&limit=. The default prefix covers every context.
func (s *server) listSubjects(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	subjects, err := s.schemas.Subjects(r.Context(), registry.SubjectsOptions{
		Prefix:      q.Get("subjectPrefix"),
		Deleted:     boolParam(q, "deleted"),
		DeletedOnly: boolParam(q, "deletedOnly"),
	})
	if err != nil {
		return err
	}
	lo, hi := page(q, len(subjects), noLimit)
	out := make([]string, 0, hi-lo)
	for _, sub := range subjects[lo:hi] {
		out = append(out, string(sub))
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}

// registerSchema answers POST /subjects/{s}/versions?normalize=&force=.
// The answer is 200 (not 201), also for new schemas, as in Confluent.
func (s *server) registerSchema(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	req, err := decodeRegisterRequest(r.Body)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	req.Normalize = boolParam(q, "normalize")
	req.Force = boolParam(q, "force")
	ss, err := s.schemas.Register(r.Context(), subject, req)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, registerView(ss))
	return nil
}

// lookupSchema answers POST /subjects/{s}?normalize=&deleted=: the version
// of s holding the schema in the body.
func (s *server) lookupSchema(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	req, err := decodeRegisterRequest(r.Body)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ss, err := s.schemas.Lookup(r.Context(), subject, registry.LookupRequest{
		SchemaRequest: req.SchemaRequest,
		Normalize:     boolParam(q, "normalize"),
		Deleted:       boolParam(q, "deleted"),
	})
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, schemaView(ss))
	return nil
}

// deleteSubject answers DELETE /subjects/{s}?permanent= with the deleted
// version numbers.
func (s *server) deleteSubject(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	versions, err := s.schemas.DeleteSubject(r.Context(), subject, boolParam(r.URL.Query(), "permanent"))
	if err != nil {
		return err
	}
	out := make([]int, len(versions))
	for i, v := range versions {
		out[i] = int(v)
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}

// listVersions answers GET /subjects/{s}/versions?deleted=&deletedOnly=
// &deletedAsNegative=&offset=&limit=. With deletedAsNegative, soft-deleted
// versions (listed when deleted or deletedOnly asks for them) are negated.
func (s *server) listVersions(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	svs, err := s.schemas.Versions(r.Context(), subject, registry.VersionsOptions{
		Deleted:     boolParam(q, "deleted"),
		DeletedOnly: boolParam(q, "deletedOnly"),
	})
	if err != nil {
		return err
	}
	if len(svs) == 0 {
		return &registry.Error{Kind: registry.SubjectNotFound, Subject: subject,
			Message: "Subject '" + string(subject) + "' not found."}
	}
	negate := boolParam(q, "deletedAsNegative")
	lo, hi := page(q, len(svs), noLimit)
	out := make([]int, 0, hi-lo)
	for _, sv := range svs[lo:hi] {
		v := int(sv.Version)
		if negate && sv.Deleted {
			v = -v
		}
		out = append(out, v)
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}

// subjectVersion resolves the {subject} and {version} path parameters and reads
// that version (soft-deleted ones only with deleted=true).
func (s *server) subjectVersion(r *http.Request) (registry.SubjectSchema, error) {
	subject, err := pathSubject(r)
	if err != nil {
		return registry.SubjectSchema{}, err
	}
	v, err := pathVersion(r)
	if err != nil {
		return registry.SubjectSchema{}, err
	}
	return s.schemas.Version(r.Context(), subject, v, boolParam(r.URL.Query(), "deleted"))
}

// getVersion answers GET /subjects/{s}/versions/{v}?deleted=.
func (s *server) getVersion(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.subjectVersion(r)
	if err != nil {
		return err
	}
	view := schemaView(ss)
	if wantFormat(r, ss.Schema.Type) {
		_, p, err := s.schemas.ParsedVersion(r.Context(), ss.Subject, ss.Version, true)
		if err != nil {
			return err
		}
		if view.Schema, err = formatted(r, p); err != nil {
			return err
		}
	}
	writeJSON(w, r, http.StatusOK, view)
	return nil
}

// versionText answers GET /subjects/{s}/versions/{v}/schema?deleted= with
// the schema text itself.
func (s *server) versionText(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.subjectVersion(r)
	if err != nil {
		return err
	}
	writeRaw(w, r, ss.Schema.Text)
	return nil
}

// deleteVersion answers DELETE /subjects/{s}/versions/{v}?permanent= with
// the deleted version number.
func (s *server) deleteVersion(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	deleted, err := s.schemas.DeleteVersion(r.Context(), subject, v, boolParam(r.URL.Query(), "permanent"))
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, int(deleted))
	return nil
}

// referencedBy answers GET /subjects/{s}/versions/{v}/referencedby?deleted=
// &offset=&limit= with the ids of the schemas referring to that version.
func (s *server) referencedBy(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	ids, err := s.schemas.ReferencedBy(r.Context(), subject, v, boolParam(q, "deleted"))
	if err != nil {
		return err
	}
	lo, hi := page(q, len(ids), schemaSearchLimit)
	out := make([]int, 0, hi-lo)
	for _, id := range ids[lo:hi] {
		out = append(out, int(id))
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}

// decodeRegisterRequest reads a RegisterSchemaRequest body (registration,
// lookup and compatibility checks share it) into the service's request.
// Errors are *httpError 400/413 for bodies that are not the JSON expected,
// or *registry.Error 42201 for an unknown schema type; otherwise the
// request holds a valid schema type and ids and versions in range.
func decodeRegisterRequest(body io.Reader) (registry.RegisterRequest, error) {
	var in confluent.RegisterSchemaRequest
	if err := decodeJSON(body, &in); err != nil {
		return registry.RegisterRequest{}, err
	}
	t, err := registry.ParseSchemaType(in.SchemaType)
	if err != nil {
		return registry.RegisterRequest{}, err
	}
	if !inInt32(in.Version) {
		return registry.RegisterRequest{}, newHTTPError(http.StatusBadRequest,
			"Numeric value (%d) out of range of int (field \"version\")", in.Version)
	}
	out := registry.RegisterRequest{
		SchemaRequest: registry.SchemaRequest{
			Schema:   in.Schema,
			Type:     t,
			Metadata: domainMetadata(in.Metadata),
			RuleSet:  domainRuleSet(in.RuleSet),
		},
		Version:      registry.Version(in.Version),
		TagsToAdd:    tagEdits(in.SchemaTagsToAdd),
		TagsToRemove: tagEdits(in.SchemaTagsToRemove),
	}
	if in.ID != nil {
		if !inInt32(*in.ID) {
			return registry.RegisterRequest{}, newHTTPError(http.StatusBadRequest,
				"Numeric value (%d) out of range of int (field \"id\")", *in.ID)
		}
		out.ID, out.ExplicitID = registry.SchemaID(*in.ID), true
	}
	if len(in.References) > 0 {
		out.References = make([]registry.Reference, len(in.References))
		for i, ref := range in.References {
			if !inInt32(ref.Version) {
				return registry.RegisterRequest{}, newHTTPError(http.StatusBadRequest,
					"Numeric value (%d) out of range of int (field \"references[%d].version\")", ref.Version, i)
			}
			out.References[i] = registry.Reference{
				Name: ref.Name, Subject: registry.Subject(ref.Subject), Version: registry.Version(ref.Version),
			}
		}
	}
	return out, nil
}

func inInt32(n int) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }

// latestWithMetadata answers GET /subjects/{s}/metadata?key=k&value=v…
// &deleted=: the newest version whose metadata properties hold every
// key/value pair (keys and values pair up by position).
func (s *server) latestWithMetadata(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	keys, values := q["key"], q["value"]
	props := make(map[string]string, len(keys))
	for i, k := range keys {
		if i < len(values) {
			props[k] = values[i]
		}
	}
	ss, err := s.schemas.LatestWithMetadata(r.Context(), subject, props, boolParam(q, "deleted"))
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, schemaView(ss))
	return nil
}
