package api

import (
	"net/http"
	"time"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// schemaTypes answers GET /schemas/types.
func (s *server) schemaTypes(w http.ResponseWriter, r *http.Request) error {
	types := s.schemas.Types()
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}

// listSchemas answers GET /schemas?subjectPrefix=&deleted=&latestOnly=
// &offset=&limit= (limit at most 1000). aliases, ruleType, format and the
// association filters are not supported and ignored.
func (s *server) listSchemas(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := s.schemas.ListSchemas(r.Context(), registry.ListSchemasOptions{
		SubjectPrefix: q.Get("subjectPrefix"),
		Deleted:       boolParam(q, "deleted"),
		LatestOnly:    boolParam(q, "latestOnly"),
	})
	if err != nil {
		return err
	}
	lo, hi := page(q, len(list), schemaSearchLimit)
	out := make([]confluent.Schema, 0, hi-lo)
	for _, ss := range list[lo:hi] {
		out = append(out, schemaView(ss))
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}

// idOptions reads the subject query parameter that selects the context an
// id is resolved in.
func idOptions(r *http.Request, deleted bool) registry.IDOptions {
	return registry.IDOptions{Subject: registry.ParseSubject(r.URL.Query().Get("subject")), Deleted: deleted}
}

// schemaByID answers GET /schemas/ids/{id}?subject=. Soft-deleted schemas
// are served too. With a subject naming one of the id's versions, the
// answer carries that subject and version (CP 8.0+); with fetchMaxId=true,
// the highest id of the context as maxId. format, referenceFormat and
// findTags are not supported and ignored.
func (s *server) schemaByID(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	opts := idOptions(r, true)
	sc, err := s.schemas.SchemaByID(r.Context(), id, opts)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	reformat := wantFormat(r, sc.Type)
	plain := opts.Subject.IsScope() && !boolParam(q, "fetchMaxId") && !reformat
	key := bodyKey{sc.Fingerprint, sc.Type}
	if plain {
		// Every deserializer asks this; serve the encoded body from cache.
		if b, ok := s.byIDBodies.Load(key); ok {
			writeBody(w, r, http.StatusOK, b.([]byte))
			return nil
		}
	}
	out := confluent.SchemaString{
		Schema:     sc.Text,
		SchemaType: schemaTypeName(sc.Type),
		References: wireRefs(sc.References),
		Metadata:   wireMetadata(sc.Metadata),
		RuleSet:    wireRuleSet(sc.RuleSet),
		GUID:       sc.GUID(),
	}
	if !opts.Subject.IsScope() {
		if svs, err := s.schemas.VersionsByID(r.Context(), id, opts); err == nil {
			for _, sv := range svs {
				if sv.Subject == opts.Subject {
					out.Subject, out.Version = string(sv.Subject), int(sv.Version)
				}
			}
		}
	}
	if reformat {
		_, p, err := s.schemas.ParsedByID(r.Context(), id, opts)
		if err != nil {
			return err
		}
		if out.Schema, err = formatted(r, p); err != nil {
			return err
		}
	}
	if boolParam(q, "fetchMaxId") {
		maxID, err := s.schemas.MaxSchemaID(r.Context(), opts.Subject.Context())
		if err != nil {
			return err
		}
		out.MaxID = int(maxID)
	}
	if !plain {
		writeJSON(w, r, http.StatusOK, out)
		return nil
	}
	b, err := encodeJSON(out)
	if err != nil {
		return err
	}
	s.byIDBodies.Store(key, b)
	writeBody(w, r, http.StatusOK, b)
	return nil
}

// schemaTextByID answers GET /schemas/ids/{id}/schema with the schema text
// itself.
func (s *server) schemaTextByID(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sc, err := s.schemas.SchemaByID(r.Context(), id, idOptions(r, true))
	if err != nil {
		return err
	}
	writeRaw(w, r, sc.Text)
	return nil
}

// subjectsByID answers GET /schemas/ids/{id}/subjects?subject=&deleted=
// &offset=&limit=.
func (s *server) subjectsByID(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	subjects, err := s.schemas.SubjectsByID(r.Context(), id, idOptions(r, boolParam(q, "deleted")))
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

// versionsByID answers GET /schemas/ids/{id}/versions?subject=&deleted=
// &offset=&limit=.
func (s *server) versionsByID(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	svs, err := s.schemas.VersionsByID(r.Context(), id, idOptions(r, boolParam(q, "deleted")))
	if err != nil {
		return err
	}
	lo, hi := page(q, len(svs), noLimit)
	out := make([]confluent.SubjectVersion, 0, hi-lo)
	for _, sv := range svs[lo:hi] {
		out = append(out, confluent.SubjectVersion{Subject: string(sv.Subject), Version: int(sv.Version)})
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}

// schemaView is the subject-version view of ss.
func schemaView(ss registry.SubjectSchema) confluent.Schema {
	return confluent.Schema{
		Subject:    string(ss.Subject),
		Version:    int(ss.Version),
		ID:         int(ss.Schema.ID),
		GUID:       ss.Schema.GUID(),
		SchemaType: schemaTypeName(ss.Schema.Type),
		References: wireRefs(ss.Schema.References),
		Metadata:   wireMetadata(ss.Schema.Metadata),
		RuleSet:    wireRuleSet(ss.Schema.RuleSet),
		Schema:     ss.Schema.Text,
		Ts:         millis(ss.CreatedAt),
		Deleted:    ss.Deleted,
	}
}

// registerView is the registration answer for ss.
func registerView(ss registry.SubjectSchema) confluent.RegisterSchemaResponse {
	return confluent.RegisterSchemaResponse{
		ID:         int(ss.Schema.ID),
		Version:    int(ss.Version),
		GUID:       ss.Schema.GUID(),
		SchemaType: schemaTypeName(ss.Schema.Type),
		References: wireRefs(ss.Schema.References),
		Metadata:   wireMetadata(ss.Schema.Metadata),
		RuleSet:    wireRuleSet(ss.Schema.RuleSet),
		Schema:     ss.Schema.Text,
		Ts:         millis(ss.CreatedAt),
		Deleted:    ss.Deleted,
	}
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func schemaTypeName(t registry.SchemaType) string {
	if t == "" {
		return string(registry.Avro)
	}
	return string(t)
}

func wireRefs(refs []registry.Reference) []confluent.SchemaReference {
	if len(refs) == 0 {
		return nil
	}
	out := make([]confluent.SchemaReference, len(refs))
	for i, ref := range refs {
		out[i] = confluent.SchemaReference{Name: ref.Name, Subject: string(ref.Subject), Version: int(ref.Version)}
	}
	return out
}

func wireMetadata(m *registry.Metadata) *confluent.Metadata {
	if m == nil {
		return nil
	}
	c := confluent.Metadata(*m)
	return &c
}

func wireRuleSet(rs *registry.RuleSet) *confluent.RuleSet {
	if rs == nil {
		return nil
	}
	return &confluent.RuleSet{
		MigrationRules: convertRules[registry.Rule, confluent.Rule](rs.MigrationRules),
		DomainRules:    convertRules[registry.Rule, confluent.Rule](rs.DomainRules),
		EncodingRules:  convertRules[registry.Rule, confluent.Rule](rs.EncodingRules),
		EnableAt:       rs.EnableAt,
	}
}

func domainMetadata(m *confluent.Metadata) *registry.Metadata {
	if m == nil {
		return nil
	}
	d := registry.Metadata(*m)
	return &d
}

func domainRuleSet(rs *confluent.RuleSet) *registry.RuleSet {
	if rs == nil {
		return nil
	}
	return &registry.RuleSet{
		MigrationRules: convertRules[confluent.Rule, registry.Rule](rs.MigrationRules),
		DomainRules:    convertRules[confluent.Rule, registry.Rule](rs.DomainRules),
		EncodingRules:  convertRules[confluent.Rule, registry.Rule](rs.EncodingRules),
		EnableAt:       rs.EnableAt,
	}
}

// convertRules converts between the wire and domain rule types, which have
// identical fields.
func convertRules[From, To registry.Rule | confluent.Rule](in []From) []To {
	if in == nil {
		return nil
	}
	out := make([]To, len(in))
	for i, r := range in {
		out[i] = To(r)
	}
	return out
}

// schemaByGUID answers GET /schemas/guids/{guid}: the schema with that
// GUID, resolved in the default context first, then each other context.
func (s *server) schemaByGUID(w http.ResponseWriter, r *http.Request) error {
	found, err := s.schemas.SchemasByGUID(r.Context(), r.PathValue("guid"))
	if err != nil {
		return err
	}
	sc := found[0].Schema
	writeJSON(w, r, http.StatusOK, confluent.SchemaString{
		Schema:     sc.Text,
		SchemaType: schemaTypeName(sc.Type),
		References: wireRefs(sc.References),
		Metadata:   wireMetadata(sc.Metadata),
		RuleSet:    wireRuleSet(sc.RuleSet),
		GUID:       sc.GUID(),
	})
	return nil
}

// idsByGUID answers GET /schemas/guids/{guid}/ids with the id the GUID has
// in every context.
func (s *server) idsByGUID(w http.ResponseWriter, r *http.Request) error {
	found, err := s.schemas.SchemasByGUID(r.Context(), r.PathValue("guid"))
	if err != nil {
		return err
	}
	out := make([]confluent.ContextID, len(found))
	for i, f := range found {
		out[i] = confluent.ContextID{Context: string(f.Context), ID: int(f.Schema.ID)}
	}
	writeJSON(w, r, http.StatusOK, out)
	return nil
}
