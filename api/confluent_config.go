package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// scope returns the config/mode scope a request addresses: the global scope
// for /config and /mode, else the {subject} segment (":.ctx:" addresses a
// context, ":.:" the global scope).
func scope(r *http.Request) (registry.Subject, error) {
	if r.PathValue("subject") == "" {
		return registry.GlobalScope, nil
	}
	return pathSubject(r)
}

// getConfig answers GET /config[/{s}]?defaultToGlobal=. Without
// defaultToGlobal a subject with no config of its own is 40408 (kafkajs
// relies on that 404).
func (s *server) getConfig(w http.ResponseWriter, r *http.Request) error {
	sc, err := scope(r)
	if err != nil {
		return err
	}
	cfg, err := s.schemas.Config(r.Context(), sc, boolParam(r.URL.Query(), "defaultToGlobal"))
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, configView(cfg))
	return nil
}

// putConfig answers PUT /config[/{s}]: a partial update where an absent
// field keeps the stored value and an explicit null clears it. The answer
// is the resulting config with the level under "compatibility".
func (s *server) putConfig(w http.ResponseWriter, r *http.Request) error {
	sc, err := scope(r)
	if err != nil {
		return err
	}
	u, err := decodeConfigUpdate(r)
	if err != nil {
		return err
	}
	cfg, err := s.schemas.SetConfig(r.Context(), sc, u)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, configUpdateView(cfg))
	return nil
}

// deleteConfig answers DELETE /config[/{s}] with the config it removed; a
// subject without one is 40401.
func (s *server) deleteConfig(w http.ResponseWriter, r *http.Request) error {
	sc, err := scope(r)
	if err != nil {
		return err
	}
	cfg, err := s.schemas.DeleteConfig(r.Context(), sc)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, configView(cfg))
	return nil
}

// decodeConfigUpdate reads a ConfigUpdateRequest, keeping track of which
// fields were present.
func decodeConfigUpdate(r *http.Request) (registry.ConfigUpdate, error) {
	var fields map[string]json.RawMessage
	var u registry.ConfigUpdate
	if err := decodeJSON(r.Body, &fields); err != nil {
		return u, err
	}
	level := "compatibility"
	if _, ok := fields[level]; !ok {
		level = "compatibilityLevel" // the GET spelling; tolerated
	}
	for _, err := range []error{
		patchField(fields, level, &u.Compatibility),
		patchField(fields, "compatibilityPolicy", &u.CompatibilityPolicy),
		patchField(fields, "compatibilityGroup", &u.CompatibilityGroup),
		patchField(fields, "compatibilityRuleSet", &u.CompatibilityRuleSet),
		patchField(fields, "normalize", &u.Normalize),
		patchField(fields, "validateFields", &u.ValidateFields),
		patchField(fields, "alias", &u.Alias),
		patchWire(fields, "defaultMetadata", &u.DefaultMetadata, domainMetadata),
		patchWire(fields, "overrideMetadata", &u.OverrideMetadata, domainMetadata),
		patchWire(fields, "defaultRuleSet", &u.DefaultRuleSet, domainRuleSet),
		patchWire(fields, "overrideRuleSet", &u.OverrideRuleSet, domainRuleSet),
	} {
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

// patchField fills p from fields[name]: absent leaves p unset, null sets it
// to "clear", anything else must decode as T.
func patchField[T any](fields map[string]json.RawMessage, name string, p *registry.Patch[T]) error {
	raw, ok := fields[name]
	if !ok {
		return nil
	}
	p.Set = true
	if string(raw) == "null" {
		return nil
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return fieldError(name, err)
	}
	p.Value = &v
	return nil
}

// patchWire is patchField for values that decode as wire type W and convert
// to domain type T.
func patchWire[W, T any](fields map[string]json.RawMessage, name string, p *registry.Patch[T], conv func(*W) *T) error {
	var w registry.Patch[W]
	if err := patchField(fields, name, &w); err != nil {
		return err
	}
	p.Set, p.Value = w.Set, conv(w.Value)
	return nil
}

func fieldError(name string, err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return newHTTPError(http.StatusBadRequest,
			"Cannot deserialize value of type `%s` from JSON %s (field %q)", typ.Type, typ.Value, name)
	}
	return newHTTPError(http.StatusBadRequest, "Malformed JSON in field %q: %v", name, err)
}

func configView(c registry.Config) confluent.Config {
	return confluent.Config{
		CompatibilityLevel:   string(c.Compatibility),
		CompatibilityPolicy:  c.CompatibilityPolicy,
		CompatibilityGroup:   c.CompatibilityGroup,
		CompatibilityRuleSet: c.CompatibilityRuleSet,
		Normalize:            c.Normalize,
		ValidateFields:       c.ValidateFields,
		Alias:                c.Alias,
		DefaultMetadata:      wireMetadata(c.DefaultMetadata),
		OverrideMetadata:     wireMetadata(c.OverrideMetadata),
		DefaultRuleSet:       wireRuleSet(c.DefaultRuleSet),
		OverrideRuleSet:      wireRuleSet(c.OverrideRuleSet),
	}
}

func configUpdateView(c registry.Config) confluent.ConfigUpdate {
	v := configView(c)
	return confluent.ConfigUpdate{
		Compatibility:        v.CompatibilityLevel,
		CompatibilityPolicy:  v.CompatibilityPolicy,
		CompatibilityGroup:   v.CompatibilityGroup,
		CompatibilityRuleSet: v.CompatibilityRuleSet,
		Normalize:            v.Normalize,
		ValidateFields:       v.ValidateFields,
		Alias:                v.Alias,
		DefaultMetadata:      v.DefaultMetadata,
		OverrideMetadata:     v.OverrideMetadata,
		DefaultRuleSet:       v.DefaultRuleSet,
		OverrideRuleSet:      v.OverrideRuleSet,
	}
}
