package api

import (
	"net/http"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/registry"
)

// tagVersion answers POST /subjects/{s}/versions/{v}/tags: a new version
// derived from v with inline tags, metadata or rules edited, answered like
// a registration.
func (s *server) tagVersion(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	var body confluent.TagSchemaRequest
	if err := decodeJSON(r.Body, &body); err != nil {
		return err
	}
	ss, err := s.schemas.Tag(r.Context(), subject, v, registry.TagRequest{
		NewVersion:    registry.Version(body.NewVersion),
		TagsToAdd:     tagEdits(body.TagsToAdd),
		TagsToRemove:  tagEdits(body.TagsToRemove),
		Metadata:      domainMetadata(body.Metadata),
		RuleSet:       domainRuleSet(body.RuleSet),
		RulesToMerge:  domainRuleSet(body.RulesToMerge),
		RulesToRemove: body.RulesToRemove,
	})
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, registerView(ss))
	return nil
}

func tagEdits(ts []confluent.SchemaTags) []compat.TagEdit {
	out := make([]compat.TagEdit, len(ts))
	for i, t := range ts {
		out[i] = compat.TagEdit{EntityType: t.SchemaEntity.EntityType, EntityPath: t.SchemaEntity.EntityPath, Tags: t.Tags}
	}
	return out
}
