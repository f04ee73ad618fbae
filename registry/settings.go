package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Config returns the config of scope (GlobalScope, a context scope or a
// subject). The global scope always answers (with the server default when
// nothing is stored). Other scopes answer their own stored config, or
// SubjectConfigNotFound unless defaultToGlobal asks for the effective one.
//
// Kinds: SubjectConfigNotFound.
func (s *Schemas) Config(ctx context.Context, scope Subject, defaultToGlobal bool) (Config, error) {
	var out Config
	err := s.view(ctx, "registry.Schemas.Config", func(tx Tx) error {
		if scope != GlobalScope && !defaultToGlobal {
			c, err := tx.Config(scope)
			if notFound(err) {
				return &Error{Kind: SubjectConfigNotFound, Subject: scope, Message: fmt.Sprintf(
					"Subject '%s' does not have subject-level compatibility configured", scope)}
			}
			out = c
			return err
		}
		var err error
		out, err = s.effectiveConfig(tx, scope)
		return err
	})
	return out, err
}

// SetConfig applies a partial update to scope's stored config and returns
// the stored result.
//
// Kinds: InvalidSubject, InvalidCompatibility, InvalidRuleSet,
// OperationNotPermitted.
func (s *Schemas) SetConfig(ctx context.Context, scope Subject, u ConfigUpdate) (Config, error) {
	if !scope.IsScope() {
		if err := scope.Validate(); err != nil {
			return Config{}, err
		}
	}
	var level Compatibility
	if u.Compatibility.Set && u.Compatibility.Value != nil {
		var err error
		if level, err = ParseCompatibility(*u.Compatibility.Value); err != nil {
			return Config{}, err
		}
	}
	if err := normalizeChoice(&u.CompatibilityPolicy, "compatibility policy", "STRICT", "LENIENT"); err != nil {
		return Config{}, err
	}
	if err := normalizeChoice(&u.CompatibilityRuleSet, "compatibility rule set", "WIRE", "WIRE_JSON"); err != nil {
		return Config{}, err
	}
	for _, p := range []Patch[RuleSet]{u.DefaultRuleSet, u.OverrideRuleSet} {
		if p.Value != nil {
			if err := validateRuleSet(p.Value); err != nil {
				return Config{}, err
			}
		}
	}
	var out Config
	err := s.update(ctx, "registry.Schemas.SetConfig", func(tx Tx) error {
		if _, err := checkWritable(tx, scope); err != nil {
			return err
		}
		c, err := tx.Config(scope)
		if err != nil && !notFound(err) {
			return err
		}
		if u.Compatibility.Set {
			c.Compatibility = level
		}
		u.CompatibilityPolicy.apply(&c.CompatibilityPolicy)
		u.CompatibilityGroup.apply(&c.CompatibilityGroup)
		u.CompatibilityRuleSet.apply(&c.CompatibilityRuleSet)
		u.Alias.apply(&c.Alias)
		applyPtr(u.Normalize, &c.Normalize)
		applyPtr(u.ValidateFields, &c.ValidateFields)
		applyPtr(u.DefaultMetadata, &c.DefaultMetadata)
		applyPtr(u.OverrideMetadata, &c.OverrideMetadata)
		applyPtr(u.DefaultRuleSet, &c.DefaultRuleSet)
		applyPtr(u.OverrideRuleSet, &c.OverrideRuleSet)
		out = c
		return tx.SetConfig(scope, c)
	})
	if err == nil {
		s.invalidateConfigs()
	}
	return out, err
}

// DeleteConfig removes scope's stored config and returns it. The global
// scope answers the server default when nothing was stored.
//
// Kinds: SubjectNotFound (a subject scope with no config), OperationNotPermitted.
func (s *Schemas) DeleteConfig(ctx context.Context, scope Subject) (Config, error) {
	var out Config
	err := s.update(ctx, "registry.Schemas.DeleteConfig", func(tx Tx) error {
		if _, err := checkWritable(tx, scope); err != nil {
			return err
		}
		c, err := tx.Config(scope)
		if notFound(err) {
			if scope == GlobalScope {
				out = Config{Compatibility: s.defComp}
				return nil
			}
			return subjectNotFound(scope)
		}
		if err != nil {
			return err
		}
		out = c
		return tx.DeleteConfig(scope)
	})
	if err == nil {
		s.invalidateConfigs()
	}
	return out, err
}

// Mode returns scope's mode: the global scope always answers (READWRITE by
// default); other scopes answer their own or SubjectModeNotFound unless
// defaultToGlobal asks for the effective mode.
//
// Kinds: SubjectModeNotFound.
func (s *Schemas) Mode(ctx context.Context, scope Subject, defaultToGlobal bool) (Mode, error) {
	var out Mode
	err := s.view(ctx, "registry.Schemas.Mode", func(tx Tx) error {
		if scope != GlobalScope && !defaultToGlobal {
			m, err := tx.Mode(scope)
			if notFound(err) {
				return &Error{Kind: SubjectModeNotFound, Subject: scope, Message: fmt.Sprintf(
					"Subject '%s' does not have subject-level mode configured", scope)}
			}
			out = m
			return err
		}
		var err error
		out, err = effectiveMode(tx, scope)
		return err
	})
	return out, err
}

// SetMode sets scope's mode. FORWARD is global only. Entering IMPORT
// requires the scope to have no live subjects unless force is set.
//
// Kinds: InvalidMode, InvalidSubject, OperationNotPermitted.
func (s *Schemas) SetMode(ctx context.Context, scope Subject, mode string, force bool) (Mode, error) {
	m, err := ParseMode(mode)
	if err != nil {
		return "", err
	}
	if m == ModeForward && scope != GlobalScope {
		return "", Errorf(InvalidMode, "Forward mode only supported on global level")
	}
	if !scope.IsScope() {
		if err := scope.Validate(); err != nil {
			return "", err
		}
	}
	err = s.update(ctx, "registry.Schemas.SetMode", func(tx Tx) error {
		if m == ModeImport && !force {
			prefix := string(scope)
			if scope == GlobalScope {
				prefix = ""
			}
			vs, err := tx.AllVersions(prefix)
			if err != nil {
				return err
			}
			for _, v := range vs {
				if !v.Deleted && (scope.IsScope() && v.Subject.Context() == scope.Context() || v.Subject == scope) {
					return Errorf(OperationNotPermitted, "Cannot import since found existing subjects")
				}
			}
		}
		return tx.SetMode(scope, m)
	})
	if err != nil {
		return "", err
	}
	return m, nil
}

// DeleteMode removes scope's mode and returns it. With recursive, the modes
// of every subject in the scope's context go too, and a scope without a mode
// answers "" instead of an error.
//
// Kinds: SubjectNotFound.
func (s *Schemas) DeleteMode(ctx context.Context, scope Subject, recursive bool) (Mode, error) {
	var out Mode
	err := s.update(ctx, "registry.Schemas.DeleteMode", func(tx Tx) error {
		out = ""
		m, err := tx.Mode(scope)
		switch {
		case notFound(err) && !recursive:
			return subjectNotFound(scope)
		case notFound(err):
		case err != nil:
			return err
		default:
			out = m
			if err := tx.DeleteMode(scope); err != nil {
				return err
			}
		}
		if !recursive || !scope.IsScope() {
			return nil
		}
		vs, err := tx.AllVersions(string(scope))
		if err != nil {
			return err
		}
		var last Subject
		for _, v := range vs {
			if v.Subject == last || v.Subject.Context() != scope.Context() {
				continue
			}
			last = v.Subject
			if err := tx.DeleteMode(v.Subject); err != nil && !notFound(err) {
				return err
			}
		}
		return nil
	})
	return out, err
}

// normalizeChoice upper-cases a set string patch and checks it is one of
// valid (or empty, which clears it).
func normalizeChoice(p *Patch[string], what string, valid ...string) error {
	if !p.Set || p.Value == nil || *p.Value == "" {
		return nil
	}
	v := strings.ToUpper(strings.TrimSpace(*p.Value))
	if !slices.Contains(valid, v) {
		return Errorf(InvalidCompatibility, "Invalid %s '%s'. Valid values are %s", what, *p.Value, strings.Join(valid, ", "))
	}
	p.Value = &v
	return nil
}
