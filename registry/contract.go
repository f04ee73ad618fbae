package registry

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// This file holds the data-contract rules the server enforces on metadata
// and rule sets: validation, and the key-wise merge used for inheritance
// and config defaults/overrides. Executing rules is the clients' job.

var ruleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// validateRuleSet checks a rule set's shape as Confluent does (42210).
func validateRuleSet(rs *RuleSet) error {
	if rs == nil {
		return nil
	}
	seen := map[string]bool{}
	lists := []struct {
		name  string
		rules []Rule
		modes []string
	}{
		{"migrationRules", rs.MigrationRules, []string{"UPGRADE", "DOWNGRADE", "UPDOWN"}},
		{"domainRules", rs.DomainRules, []string{"WRITE", "READ", "WRITEREAD"}},
		{"encodingRules", rs.EncodingRules, []string{"WRITE", "READ", "WRITEREAD"}},
	}
	for _, l := range lists {
		for _, r := range l.rules {
			if err := validateRule(r, l.name, l.modes); err != nil {
				return err
			}
			if seen[r.Name] {
				return Errorf(InvalidRuleSet, "Found rule with duplicate name '%s'", r.Name)
			}
			seen[r.Name] = true
		}
	}
	switch rs.EnableAt {
	case "", "ALL", "CLIENT", "GATEWAY", "SERVER", "NONE":
	default:
		return Errorf(InvalidRuleSet, "Invalid enableAt '%s'", rs.EnableAt)
	}
	return nil
}

func validateRule(r Rule, list string, modes []string) error {
	if len(r.Name) == 0 || len(r.Name) > 256 || !ruleName.MatchString(r.Name) {
		return Errorf(InvalidRuleSet, "Rule name '%s' is invalid: it must be 1 to 256 characters, start with a letter or underscore and contain only letters, digits, '_' and '-'", r.Name)
	}
	if r.Type == "" {
		return Errorf(InvalidRuleSet, "Rule '%s' has no type", r.Name)
	}
	switch r.Kind {
	case "", "TRANSFORM", "CONDITION":
	default:
		return Errorf(InvalidRuleSet, "Rule '%s' has invalid kind '%s'", r.Name, r.Kind)
	}
	mode := r.Mode
	if mode != "" && !slices.Contains(modes, mode) {
		return Errorf(InvalidRuleSet, "Rule '%s' has mode '%s', which %s do not allow (valid: %s)", r.Name, mode, list, strings.Join(modes, ", "))
	}
	dual := mode == "WRITEREAD" || mode == "UPDOWN"
	for _, action := range []string{r.OnSuccess, r.OnFailure} {
		if strings.Contains(action, ",") && !dual {
			return Errorf(InvalidRuleSet, "Rule '%s' has a pair of actions '%s' but mode '%s' takes one", r.Name, action, mode)
		}
	}
	return nil
}

// mergeMetadata returns base with over applied key-wise; either may be nil.
func mergeMetadata(base, over *Metadata) *Metadata {
	if base == nil && over == nil {
		return nil
	}
	out := &Metadata{}
	for _, m := range []*Metadata{base, over} {
		if m == nil {
			continue
		}
		if len(m.Tags) > 0 {
			if out.Tags == nil {
				out.Tags = map[string][]string{}
			}
			for k, v := range m.Tags {
				out.Tags[k] = slices.Clone(v)
			}
		}
		if len(m.Properties) > 0 {
			if out.Properties == nil {
				out.Properties = map[string]string{}
			}
			maps.Copy(out.Properties, m.Properties)
		}
		for _, s := range m.Sensitive {
			if !slices.Contains(out.Sensitive, s) {
				out.Sensitive = append(out.Sensitive, s)
			}
		}
	}
	return out
}

// withProperty returns a copy of md with key set to value.
func withProperty(md *Metadata, key, value string) *Metadata {
	return mergeMetadata(md, &Metadata{Properties: map[string]string{key: value}})
}

// mergeRuleSet returns base with over's rules replacing same-named ones.
func mergeRuleSet(base, over *RuleSet) *RuleSet {
	if base == nil && over == nil {
		return nil
	}
	if base == nil {
		c := *over
		return &c
	}
	if over == nil {
		c := *base
		return &c
	}
	merge := func(a, b []Rule) []Rule {
		out := slices.Clone(a)
		for _, r := range b {
			if i := slices.IndexFunc(out, func(x Rule) bool { return x.Name == r.Name }); i >= 0 {
				out[i] = r
			} else {
				out = append(out, r)
			}
		}
		return out
	}
	out := &RuleSet{
		MigrationRules: merge(base.MigrationRules, over.MigrationRules),
		DomainRules:    merge(base.DomainRules, over.DomainRules),
		EncodingRules:  merge(base.EncodingRules, over.EncodingRules),
		EnableAt:       base.EnableAt,
	}
	if over.EnableAt != "" {
		out.EnableAt = over.EnableAt
	}
	return out
}
