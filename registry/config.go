package registry

import "strings"

// Compatibility is a compatibility level: which earlier versions a new
// schema is checked against, and in which direction.
type Compatibility string

// The compatibility levels.
const (
	CompatNone               Compatibility = "NONE"
	CompatBackward           Compatibility = "BACKWARD"
	CompatBackwardTransitive Compatibility = "BACKWARD_TRANSITIVE"
	CompatForward            Compatibility = "FORWARD"
	CompatForwardTransitive  Compatibility = "FORWARD_TRANSITIVE"
	CompatFull               Compatibility = "FULL"
	CompatFullTransitive     Compatibility = "FULL_TRANSITIVE"
)

// ParseCompatibility parses a level case-insensitively.
func ParseCompatibility(s string) (Compatibility, error) {
	c := Compatibility(strings.ToUpper(strings.TrimSpace(s)))
	switch c {
	case CompatNone, CompatBackward, CompatBackwardTransitive, CompatForward,
		CompatForwardTransitive, CompatFull, CompatFullTransitive:
		return c, nil
	}
	return "", Errorf(InvalidCompatibility, "Invalid compatibility level. Valid values are none, backward, "+
		"forward, full, backward_transitive, forward_transitive, and full_transitive")
}

// Transitive reports whether c checks against every live version rather
// than the latest only.
func (c Compatibility) Transitive() bool { return strings.HasSuffix(string(c), "_TRANSITIVE") }

// Backward reports whether the new schema must read data written with old ones.
func (c Compatibility) Backward() bool {
	return strings.HasPrefix(string(c), "BACKWARD") || strings.HasPrefix(string(c), "FULL")
}

// Forward reports whether old schemas must read data written with the new one.
func (c Compatibility) Forward() bool {
	return strings.HasPrefix(string(c), "FORWARD") || strings.HasPrefix(string(c), "FULL")
}

// Config is the configuration stored for a scope (global, context or
// subject). Unset fields inherit from the next scope out.
type Config struct {
	Compatibility       Compatibility `json:"compatibilityLevel,omitempty"`
	CompatibilityPolicy string        `json:"compatibilityPolicy,omitempty"`
	// CompatibilityRuleSet is Charter's own setting: a stricter rule set
	// where the format has one (Protobuf: "WIRE", "WIRE_JSON").
	CompatibilityRuleSet string    `json:"compatibilityRuleSet,omitempty"`
	CompatibilityGroup   string    `json:"compatibilityGroup,omitempty"`
	Normalize            *bool     `json:"normalize,omitempty"`
	ValidateFields       *bool     `json:"validateFields,omitempty"`
	Alias                string    `json:"alias,omitempty"`
	DefaultMetadata      *Metadata `json:"defaultMetadata,omitempty"`
	OverrideMetadata     *Metadata `json:"overrideMetadata,omitempty"`
	DefaultRuleSet       *RuleSet  `json:"defaultRuleSet,omitempty"`
	OverrideRuleSet      *RuleSet  `json:"overrideRuleSet,omitempty"`
}

// merge returns c with every unset field taken from outer.
func (c Config) merge(outer Config) Config {
	if c.Compatibility == "" {
		c.Compatibility = outer.Compatibility
	}
	if c.CompatibilityPolicy == "" {
		c.CompatibilityPolicy = outer.CompatibilityPolicy
	}
	if c.CompatibilityGroup == "" {
		c.CompatibilityGroup = outer.CompatibilityGroup
	}
	if c.CompatibilityRuleSet == "" {
		c.CompatibilityRuleSet = outer.CompatibilityRuleSet
	}
	if c.Normalize == nil {
		c.Normalize = outer.Normalize
	}
	if c.ValidateFields == nil {
		c.ValidateFields = outer.ValidateFields
	}
	if c.Alias == "" {
		c.Alias = outer.Alias
	}
	if c.DefaultMetadata == nil {
		c.DefaultMetadata = outer.DefaultMetadata
	}
	if c.OverrideMetadata == nil {
		c.OverrideMetadata = outer.OverrideMetadata
	}
	if c.DefaultRuleSet == nil {
		c.DefaultRuleSet = outer.DefaultRuleSet
	}
	if c.OverrideRuleSet == nil {
		c.OverrideRuleSet = outer.OverrideRuleSet
	}
	return c
}

// Patch is one field of a partial config update: not Set keeps the stored
// value, Set with a nil Value clears it (an explicit JSON null).
type Patch[T any] struct {
	Set   bool
	Value *T
}

// Val returns a Patch that sets v.
func Val[T any](v T) Patch[T] { return Patch[T]{Set: true, Value: &v} }

func (p Patch[T]) apply(dst *T) {
	if !p.Set {
		return
	}
	var zero T
	if p.Value == nil {
		*dst = zero
		return
	}
	*dst = *p.Value
}

// ConfigUpdate is a partial update of a scope's Config (PUT /config).
type ConfigUpdate struct {
	Compatibility        Patch[string] // parsed and validated by SetConfig
	CompatibilityPolicy  Patch[string]
	CompatibilityGroup   Patch[string]
	CompatibilityRuleSet Patch[string]
	Normalize            Patch[bool]
	ValidateFields       Patch[bool]
	Alias                Patch[string]
	DefaultMetadata      Patch[Metadata]
	OverrideMetadata     Patch[Metadata]
	DefaultRuleSet       Patch[RuleSet]
	OverrideRuleSet      Patch[RuleSet]
}

func applyPtr[T any](p Patch[T], dst **T) {
	if !p.Set {
		return
	}
	if p.Value == nil {
		*dst = nil
		return
	}
	v := *p.Value
	*dst = &v
}
