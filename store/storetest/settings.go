package storetest

import (
	"errors"
	"testing"

	"github.com/charterhq/charter/registry"
)

// scopes are the kinds of scope config and mode are stored for.
var scopes = []registry.Subject{
	registry.GlobalScope,
	ctxA.Scope(),
	"s",
	registry.NewSubject(ctxA, "s"),
}

var configTests = []test{
	{"NotFound", testConfigNotFound},
	{"PerScope", testConfigPerScope},
	{"AllFields", testConfigAllFields},
	{"Replace", testConfigReplace},
	{"Delete", testConfigDelete},
}

func getConfig(t *testing.T, s registry.Store, scope registry.Subject) (registry.Config, error) {
	t.Helper()
	var c registry.Config
	err := s.View(t.Context(), func(tx registry.Tx) error {
		var err error
		c, err = tx.Config(scope)
		return err
	})
	return c, err
}

func testConfigNotFound(t *testing.T, s registry.Store) {
	for _, scope := range scopes {
		if _, err := getConfig(t, s, scope); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Config(%q) = %v, want ErrNotFound", scope, err)
		}
	}
}

func testConfigPerScope(t *testing.T, s registry.Store) {
	levels := []registry.Compatibility{
		registry.CompatFull, registry.CompatNone, registry.CompatForward, registry.CompatBackwardTransitive,
	}
	MustUpdate(t, s, func(tx registry.Tx) error {
		for i, scope := range scopes {
			if err := tx.SetConfig(scope, registry.Config{Compatibility: levels[i]}); err != nil {
				return err
			}
		}
		return nil
	})
	for i, scope := range scopes {
		got, err := getConfig(t, s, scope)
		if err != nil {
			t.Fatalf("Config(%q): %v", scope, err)
		}
		if got.Compatibility != levels[i] {
			t.Errorf("Config(%q).Compatibility = %s, want %s", scope, got.Compatibility, levels[i])
		}
	}
	if _, err := getConfig(t, s, ":.ctxb:"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Config(other context) = %v, want ErrNotFound", err)
	}
}

func ptr[T any](v T) *T { return &v }

// fullConfig sets every field of Config, with a false pointer to prove
// that false is kept apart from unset.
func fullConfig() registry.Config {
	return registry.Config{
		Compatibility:       registry.CompatFullTransitive,
		CompatibilityPolicy: "strict",
		CompatibilityGroup:  "application.major.version",
		Normalize:           ptr(false),
		ValidateFields:      ptr(true),
		Alias:               "other-subject",
		DefaultMetadata: &registry.Metadata{
			Tags:       map[string][]string{"*.ssn": {"PII"}},
			Properties: map[string]string{"owner": "team"},
			Sensitive:  []string{"key"},
		},
		OverrideMetadata: &registry.Metadata{},
		DefaultRuleSet: &registry.RuleSet{
			DomainRules: []registry.Rule{{Name: "r", Kind: "CONDITION", Type: "CEL", Expr: "true",
				Params: map[string]string{"a": "b"}, Tags: []string{"PII"}, Disabled: true}},
			EnableAt: "2025-01-01T00:00:00Z",
		},
		OverrideRuleSet: &registry.RuleSet{
			MigrationRules: []registry.Rule{{Name: "m", Kind: "TRANSFORM", Mode: "UPGRADE"}},
			EncodingRules:  []registry.Rule{{Name: "e", OnSuccess: "NONE", OnFailure: "ERROR", Doc: "d"}},
		},
	}
}

func testConfigAllFields(t *testing.T, s registry.Store) {
	want := fullConfig()
	sparse := registry.Config{Normalize: ptr(true)}
	MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.SetConfig("s", want); err != nil {
			return err
		}
		return tx.SetConfig("t", sparse)
	})
	got, err := getConfig(t, s, "s")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("Config mismatch (-want +got):\n%s", d)
	}
	if got.OverrideMetadata == nil {
		t.Error("empty OverrideMetadata came back nil")
	}
	got, err = getConfig(t, s, "t")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(sparse, got); d != "" {
		t.Errorf("sparse Config mismatch (-want +got):\n%s", d)
	}
}

func testConfigReplace(t *testing.T, s registry.Store) {
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetConfig("s", fullConfig()) })
	want := registry.Config{Compatibility: registry.CompatNone}
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetConfig("s", want) })
	got, err := getConfig(t, s, "s")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("Config after replace (-want +got):\n%s", d)
	}
}

func testConfigDelete(t *testing.T, s registry.Store) {
	MustUpdate(t, s, func(tx registry.Tx) error {
		for _, scope := range scopes {
			if err := tx.SetConfig(scope, registry.Config{Compatibility: registry.CompatFull}); err != nil {
				return err
			}
		}
		return nil
	})
	for i, scope := range scopes {
		MustUpdate(t, s, func(tx registry.Tx) error { return tx.DeleteConfig(scope) })
		if _, err := getConfig(t, s, scope); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Config(%q) after delete = %v, want ErrNotFound", scope, err)
		}
		for _, other := range scopes[i+1:] {
			if _, err := getConfig(t, s, other); err != nil {
				t.Errorf("Config(%q) after deleting %q: %v", other, scope, err)
			}
		}
		err := s.Update(t.Context(), func(tx registry.Tx) error { return tx.DeleteConfig(scope) })
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("DeleteConfig(%q) twice = %v, want ErrNotFound", scope, err)
		}
	}
}

var modeTests = []test{
	{"NotFound", testModeNotFound},
	{"PerScope", testModePerScope},
	{"Delete", testModeDelete},
}

func getMode(t *testing.T, s registry.Store, scope registry.Subject) (registry.Mode, error) {
	t.Helper()
	var m registry.Mode
	err := s.View(t.Context(), func(tx registry.Tx) error {
		var err error
		m, err = tx.Mode(scope)
		return err
	})
	return m, err
}

func testModeNotFound(t *testing.T, s registry.Store) {
	for _, scope := range scopes {
		if _, err := getMode(t, s, scope); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Mode(%q) = %v, want ErrNotFound", scope, err)
		}
	}
}

func testModePerScope(t *testing.T, s registry.Store) {
	modes := []registry.Mode{
		registry.ModeReadOnly, registry.ModeImport, registry.ModeReadWrite, registry.ModeReadOnlyOverride,
	}
	MustUpdate(t, s, func(tx registry.Tx) error {
		for i, scope := range scopes {
			if err := tx.SetMode(scope, modes[i]); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(want []registry.Mode) {
		t.Helper()
		for i, scope := range scopes {
			got, err := getMode(t, s, scope)
			if err != nil {
				t.Fatalf("Mode(%q): %v", scope, err)
			}
			if got != want[i] {
				t.Errorf("Mode(%q) = %s, want %s", scope, got, want[i])
			}
		}
	}
	check(modes)
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetMode(scopes[0], registry.ModeForward) })
	modes[0] = registry.ModeForward
	check(modes)
}

func testModeDelete(t *testing.T, s registry.Store) {
	MustUpdate(t, s, func(tx registry.Tx) error {
		for _, scope := range scopes {
			if err := tx.SetMode(scope, registry.ModeReadOnly); err != nil {
				return err
			}
		}
		return nil
	})
	for i, scope := range scopes {
		MustUpdate(t, s, func(tx registry.Tx) error { return tx.DeleteMode(scope) })
		if _, err := getMode(t, s, scope); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Mode(%q) after delete = %v, want ErrNotFound", scope, err)
		}
		for _, other := range scopes[i+1:] {
			if _, err := getMode(t, s, other); err != nil {
				t.Errorf("Mode(%q) after deleting %q: %v", other, scope, err)
			}
		}
		err := s.Update(t.Context(), func(tx registry.Tx) error { return tx.DeleteMode(scope) })
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("DeleteMode(%q) twice = %v, want ErrNotFound", scope, err)
		}
	}
}
