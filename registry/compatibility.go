package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charterhq/charter/compat"
)

// parsedSchema is a submitted schema after reference resolution, parsing
// and canonicalisation.
type parsedSchema struct {
	typ    SchemaType
	parsed compat.Schema // nil when IMPORT mode stored unparseable text
	text   string        // canonical (or normalized) text to store
	refs   []Reference   // pinned
}

func (s *Schemas) format(t SchemaType) (compat.Format, error) {
	f, ok := s.formats[t]
	if !ok || f == nil {
		return nil, Errorf(InvalidSchema, "Invalid schema type %s", t)
	}
	return f, nil
}

// parse resolves req's references in context c and parses it. lenient
// keeps unparseable text as submitted (IMPORT mode skips validation).
func (s *Schemas) parse(tx Tx, c Context, req SchemaRequest, normalize, lenient bool) (parsedSchema, error) {
	typ, err := ParseSchemaType(string(req.Type))
	if err != nil {
		return parsedSchema{}, err
	}
	f, err := s.format(typ)
	if err != nil {
		return parsedSchema{}, err
	}
	if strings.TrimSpace(req.Schema) == "" {
		return parsedSchema{}, Errorf(InvalidSchema, "Empty schema")
	}
	refs, err := resolveReferences(tx, c, req.References, true)
	if err != nil {
		return parsedSchema{}, err
	}
	p, err := f.Parse(req.Schema, refs.all)
	if err != nil {
		if lenient {
			return parsedSchema{typ: typ, text: req.Schema, refs: refs.direct}, nil
		}
		return parsedSchema{}, invalidSchema(typ, err)
	}
	text := p.Canonical()
	if normalize {
		text = p.Normalized()
	}
	return parsedSchema{typ: typ, parsed: p, text: text, refs: refs.direct}, nil
}

func invalidSchema(t SchemaType, err error) *Error {
	msg := err.Error()
	if !errors.Is(err, compat.ErrInvalidSchema) {
		msg = "unexpected parser failure"
	}
	msg = strings.TrimPrefix(msg, compat.ErrInvalidSchema.Error()+": ")
	return &Error{Kind: InvalidSchema, Message: fmt.Sprintf("Invalid schema of type %s, details: %s", t, msg), Err: err}
}

type parsedKey struct {
	c  Context
	id SchemaID
}

// parsedStored returns the parsed form of a stored schema, from cache when
// possible: stored schemas are immutable, so the parse is reusable.
func (s *Schemas) parsedStored(tx Tx, c Context, sc Schema) (compat.Schema, error) {
	key := parsedKey{c, sc.ID}
	if p, ok := s.parsed.Load(key); ok {
		return p.(compat.Schema), nil
	}
	f, err := s.format(sc.Type)
	if err != nil {
		return nil, err
	}
	refs, err := resolveReferences(tx, c, sc.References, false)
	if err != nil {
		return nil, err
	}
	p, err := f.Parse(sc.Text, refs.all)
	if err != nil {
		return nil, fmt.Errorf("parse stored schema %d: %w", sc.ID, err)
	}
	s.parsed.Store(key, p)
	return p, nil
}

// checkAgainst checks the new schema against earlier versions (newest
// first) under level, stopping at the first incompatible version as
// Confluent does. It returns the Confluent-style messages and findings.
func (s *Schemas) checkAgainst(tx Tx, c Context, level Compatibility, cfg Config, next parsedSchema, olds []SubjectVersion) ([]string, []compat.Finding, error) {
	if level == CompatNone || len(olds) == 0 {
		return nil, nil, nil
	}
	f, err := s.format(next.typ)
	if err != nil {
		return nil, nil, err
	}
	opts := compat.Options{Policy: cfg.CompatibilityPolicy, RuleSet: cfg.CompatibilityRuleSet}
	for i := len(olds) - 1; i >= 0; i-- {
		old := olds[i]
		sc, err := tx.SchemaByID(c, old.SchemaID)
		if err != nil {
			return nil, nil, fmt.Errorf("load version %d: %w", old.Version, err)
		}
		start := time.Now()
		var findings []compat.Finding
		if sc.Type != next.typ {
			findings = []compat.Finding{{Rule: "TYPE_MISMATCH", Path: "/",
				Message: "Incompatible because of different schema type"}}
		} else {
			prev, err := s.parsedStored(tx, c, sc)
			if err != nil {
				return nil, nil, err
			}
			if next.parsed == nil {
				return nil, nil, Errorf(InvalidSchema, "Invalid schema of type %s", next.typ)
			}
			if level.Backward() {
				fs, err := f.Check(next.parsed, prev, opts)
				if err != nil {
					return nil, nil, err
				}
				findings = append(findings, fs...)
			}
			if level.Forward() {
				fs, err := f.Check(prev, next.parsed, opts)
				if err != nil {
					return nil, nil, err
				}
				findings = append(findings, fs...)
			}
		}
		s.obs.Checked(next.typ, len(findings) == 0, time.Since(start))
		if len(findings) > 0 {
			return compatMessages(findings, old.Version, sc.Text, level, cfg), findings, nil
		}
	}
	return nil, nil, nil
}

// oldSchemaLimit is where Confluent truncates the old schema in messages.
const oldSchemaLimit = 10 * 1024

// compatMessages renders findings the way Confluent's verbose messages
// read, so clients and humans see familiar text.
func compatMessages(fs []compat.Finding, oldVersion Version, oldText string, level Compatibility, cfg Config) []string {
	out := make([]string, 0, len(fs)+3)
	for _, f := range fs {
		desc := f.Message
		if f.File != "" && f.Line > 0 {
			desc = fmt.Sprintf("%s (%s:%d:%d)", desc, f.File, f.Line, f.Column)
		}
		out = append(out, fmt.Sprintf("{errorType:'%s', description:'%s', additionalInfo:'%s'}", f.Rule, desc, f.Detail))
	}
	if len(oldText) > oldSchemaLimit {
		oldText = oldText[:oldSchemaLimit]
	}
	validate := cfg.ValidateFields != nil && *cfg.ValidateFields
	out = append(out,
		fmt.Sprintf("{oldSchemaVersion: %d}", oldVersion),
		fmt.Sprintf("{oldSchema: '%s'}", oldText),
		fmt.Sprintf("{validateFields: '%t', compatibility: '%s'}", validate, level))
	return out
}

func incompatible(subject Subject, msgs []string, fs []compat.Finding) *Error {
	return &Error{Kind: Incompatible, Subject: subject, Findings: fs,
		Message: fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject \"%s\", details: [%s]",
			subject, strings.Join(msgs, ", "))}
}

// compatibleVersions picks the earlier versions a new schema is checked
// against: the latest live one, or all live ones for transitive levels,
// restricted to the same compatibility group when one is configured.
func compatibleVersions(vs []SubjectVersion, level Compatibility, cfg Config, group func(SubjectVersion) string, newGroup string) []SubjectVersion {
	ls := live(vs)
	if cfg.CompatibilityGroup != "" {
		kept := ls[:0:0]
		for _, v := range ls {
			if group(v) == newGroup {
				kept = append(kept, v)
			}
		}
		ls = kept
	}
	if !level.Transitive() && len(ls) > 1 {
		ls = ls[len(ls)-1:]
	}
	return ls
}

// CheckCompatibility checks req against version v of subject, or, when v is
// 0, against the versions registration would check. A missing subject (or
// v = latest with no live version) is compatible, as in Confluent.
func (s *Schemas) CheckCompatibility(ctx context.Context, subject Subject, v Version, req SchemaRequest, normalize bool) (CompatibilityResult, error) {
	const op = "registry.Schemas.CheckCompatibility"
	var res CompatibilityResult
	err := s.view(ctx, op, func(tx Tx) error {
		cfg, err := s.effectiveConfig(tx, subject)
		if err != nil {
			return err
		}
		c := subject.Context()
		p, err := s.parse(tx, c, req, normalize || boolOf(cfg.Normalize), false)
		if err != nil {
			return err
		}
		vs, err := tx.Versions(subject)
		if err != nil {
			return err
		}
		var olds []SubjectVersion
		switch {
		case v == 0:
			md := req.Metadata
			olds, err = s.groupVersions(tx, c, vs, cfg, md)
			if err != nil {
				return err
			}
		default:
			sv, ok := find(vs, v)
			if !ok || sv.Deleted {
				if v == VersionLatest {
					res.Compatible = true
					return nil
				}
				return versionNotFound(subject, v)
			}
			olds = []SubjectVersion{sv}
		}
		msgs, _, err := s.checkAgainst(tx, c, cfg.Compatibility, cfg, p, olds)
		if err != nil {
			return err
		}
		res = CompatibilityResult{Compatible: len(msgs) == 0, Messages: msgs}
		return nil
	})
	return res, err
}

// groupVersions returns the versions a registration of content with
// metadata md is checked against under cfg.
func (s *Schemas) groupVersions(tx Tx, c Context, vs []SubjectVersion, cfg Config, md *Metadata) ([]SubjectVersion, error) {
	level := cfg.Compatibility
	if cfg.CompatibilityGroup == "" {
		return compatibleVersions(vs, level, cfg, nil, ""), nil
	}
	ids := make([]SchemaID, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.SchemaID)
	}
	scs, err := tx.SchemasByID(c, ids)
	if err != nil {
		return nil, err
	}
	groups := make(map[SchemaID]string, len(scs))
	for _, sc := range scs {
		groups[sc.ID] = property(sc.Metadata, cfg.CompatibilityGroup)
	}
	return compatibleVersions(vs, level, cfg, func(v SubjectVersion) string { return groups[v.SchemaID] },
		property(md, cfg.CompatibilityGroup)), nil
}

func property(md *Metadata, key string) string {
	if md == nil {
		return ""
	}
	return md.Properties[key]
}

func boolOf(b *bool) bool { return b != nil && *b }
