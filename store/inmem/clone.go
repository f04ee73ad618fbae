package inmem

import (
	"maps"
	"slices"

	"github.com/charterhq/charter/registry"
)

// The clone functions deep-copy everything a caller could mutate: slices,
// maps and pointers. They keep nil as nil.

func cloneSchema(s registry.Schema) registry.Schema {
	s.References = slices.Clone(s.References)
	s.Metadata = cloneMetadata(s.Metadata)
	s.RuleSet = cloneRuleSet(s.RuleSet)
	return s
}

func cloneMetadata(m *registry.Metadata) *registry.Metadata {
	if m == nil {
		return nil
	}
	c := &registry.Metadata{
		Properties: maps.Clone(m.Properties),
		Sensitive:  slices.Clone(m.Sensitive),
	}
	if m.Tags != nil {
		c.Tags = make(map[string][]string, len(m.Tags))
		for k, v := range m.Tags {
			c.Tags[k] = slices.Clone(v)
		}
	}
	return c
}

func cloneRuleSet(rs *registry.RuleSet) *registry.RuleSet {
	if rs == nil {
		return nil
	}
	return &registry.RuleSet{
		MigrationRules: cloneRules(rs.MigrationRules),
		DomainRules:    cloneRules(rs.DomainRules),
		EncodingRules:  cloneRules(rs.EncodingRules),
		EnableAt:       rs.EnableAt,
	}
}

func cloneRules(rules []registry.Rule) []registry.Rule {
	rules = slices.Clone(rules)
	for i := range rules {
		rules[i].Tags = slices.Clone(rules[i].Tags)
		rules[i].Params = maps.Clone(rules[i].Params)
	}
	return rules
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneConfig(c registry.Config) registry.Config {
	c.Normalize = clonePtr(c.Normalize)
	c.ValidateFields = clonePtr(c.ValidateFields)
	c.DefaultMetadata = cloneMetadata(c.DefaultMetadata)
	c.OverrideMetadata = cloneMetadata(c.OverrideMetadata)
	c.DefaultRuleSet = cloneRuleSet(c.DefaultRuleSet)
	c.OverrideRuleSet = cloneRuleSet(c.OverrideRuleSet)
	return c
}
