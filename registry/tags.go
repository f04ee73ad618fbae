package registry

import (
	"context"
	"slices"

	"github.com/charterhq/charter/compat"
)

// TagRequest edits inline tags, metadata or rules of a version, producing
// a new version (POST /subjects/{s}/versions/{v}/tags).
type TagRequest struct {
	// NewVersion, when set, must be the version the edit creates.
	NewVersion   Version
	TagsToAdd    []compat.TagEdit
	TagsToRemove []compat.TagEdit
	// Metadata and RuleSet replace the version's own when set.
	Metadata *Metadata
	RuleSet  *RuleSet
	// RulesToMerge are merged into (and RulesToRemove, by name, removed
	// from) the version's rule set; not allowed together with RuleSet.
	RulesToMerge  *RuleSet
	RulesToRemove []string
}

// Tag registers a new version of subject derived from version v with
// req's edits applied. The new version goes through registration as usual
// (mode, compatibility, idempotency).
//
// Kinds: SubjectNotFound, VersionNotFound, InvalidSchema (an edit names no
// element, or the format has no inline tags), InvalidRuleSet, and those of
// Register.
func (s *Schemas) Tag(ctx context.Context, subject Subject, v Version, req TagRequest) (SubjectSchema, error) {
	if req.RuleSet != nil && (req.RulesToMerge != nil || len(req.RulesToRemove) > 0) {
		return SubjectSchema{}, Errorf(InvalidRuleSet, "ruleSet cannot be combined with rulesToMerge or rulesToRemove")
	}
	base, err := s.Version(ctx, subject, v, false)
	if err != nil {
		return SubjectSchema{}, err
	}
	sc := base.Schema
	text := sc.Text
	if len(req.TagsToAdd)+len(req.TagsToRemove) > 0 {
		f, err := s.format(sc.Type)
		if err != nil {
			return SubjectSchema{}, err
		}
		tagger, ok := f.(compat.Tagger)
		if !ok {
			return SubjectSchema{}, Errorf(InvalidSchema, "Schemas of type %s have no inline tags", sc.Type)
		}
		var parsed compat.Schema
		if err := s.view(ctx, "registry.Schemas.Tag", func(tx Tx) error {
			var err error
			parsed, err = s.parsedStored(tx, subject.Context(), sc)
			return err
		}); err != nil {
			return SubjectSchema{}, err
		}
		if text, err = tagger.EditTags(parsed, req.TagsToAdd, req.TagsToRemove); err != nil {
			return SubjectSchema{}, invalidSchema(sc.Type, err)
		}
	}
	md := sc.Metadata
	if req.Metadata != nil {
		md = req.Metadata
	}
	rs := sc.RuleSet
	switch {
	case req.RuleSet != nil:
		rs = req.RuleSet
	case req.RulesToMerge != nil || len(req.RulesToRemove) > 0:
		rs = mergeRuleSet(rs, req.RulesToMerge)
		if rs != nil && len(req.RulesToRemove) > 0 {
			drop := func(r Rule) bool { return slices.Contains(req.RulesToRemove, r.Name) }
			rs.MigrationRules = slices.DeleteFunc(slices.Clone(rs.MigrationRules), drop)
			rs.DomainRules = slices.DeleteFunc(slices.Clone(rs.DomainRules), drop)
			rs.EncodingRules = slices.DeleteFunc(slices.Clone(rs.EncodingRules), drop)
		}
	}
	return s.Register(ctx, subject, RegisterRequest{
		SchemaRequest: SchemaRequest{Schema: text, Type: sc.Type, References: sc.References, Metadata: md, RuleSet: rs},
		Version:       req.NewVersion,
	})
}
