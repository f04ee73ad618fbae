package registry

import (
	"context"
	"strings"
)

// ContextSchema is a schema together with the context that holds it.
type ContextSchema struct {
	Context Context
	Schema  Schema
}

// SchemasByGUID returns the schemas whose GUID is guid, in every context
// where a version still holds them, the default context first. The GUID
// is derived from the content fingerprint, so it is the same in every
// context (8.x header-GUID deserializers rely on that).
//
// Kinds: SchemaNotFound.
func (s *Schemas) SchemasByGUID(ctx context.Context, guid string) ([]ContextSchema, error) {
	fp := strings.ToLower(strings.ReplaceAll(guid, "-", ""))
	notFoundErr := &Error{Kind: SchemaNotFound, Message: "Schema " + guid + " not found"}
	if len(fp) != 32 {
		return nil, notFoundErr
	}
	var out []ContextSchema
	err := s.view(ctx, "registry.Schemas.SchemasByGUID", func(tx Tx) error {
		cs, err := contextsOf(tx)
		if err != nil {
			return err
		}
		for _, c := range cs {
			sc, err := tx.SchemaByFingerprint(c, fp)
			if notFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if _, ok, err := schemaInUse(tx, c, sc.ID); err != nil {
				return err
			} else if ok {
				out = append(out, ContextSchema{Context: c, Schema: sc})
			}
		}
		if len(out) == 0 {
			return notFoundErr
		}
		return nil
	})
	return out, err
}

// LatestWithMetadata returns the newest version of subject whose metadata
// properties hold every pair in props (GET /subjects/{s}/metadata, used by
// serializers configured with use.latest.with.metadata).
//
// Kinds: SubjectNotFound, SchemaNotFound.
func (s *Schemas) LatestWithMetadata(ctx context.Context, subject Subject, props map[string]string, deleted bool) (SubjectSchema, error) {
	var out SubjectSchema
	err := s.view(ctx, "registry.Schemas.LatestWithMetadata", func(tx Tx) error {
		vs, err := tx.Versions(subject)
		if err != nil {
			return err
		}
		if !deleted {
			vs = live(vs)
		}
		if len(vs) == 0 {
			return subjectNotFound(subject)
		}
		ids := make([]SchemaID, len(vs))
		for i, v := range vs {
			ids[i] = v.SchemaID
		}
		scs, err := tx.SchemasByID(subject.Context(), ids)
		if err != nil {
			return err
		}
		byID := make(map[SchemaID]Schema, len(scs))
		for _, sc := range scs {
			byID[sc.ID] = sc
		}
		for i := len(vs) - 1; i >= 0; i-- {
			sc := byID[vs[i].SchemaID]
			if hasProperties(sc.Metadata, props) {
				out = SubjectSchema{SubjectVersion: vs[i], Schema: sc}
				return nil
			}
		}
		return &Error{Kind: SchemaNotFound, Subject: subject, Message: "Schema not found"}
	})
	return out, err
}

func hasProperties(md *Metadata, props map[string]string) bool {
	for k, v := range props {
		if md == nil || md.Properties[k] != v {
			return false
		}
	}
	return true
}
