package registry

import (
	"strconv"

	"github.com/charterhq/charter/compat"
)

func itoa(n int) string { return strconv.Itoa(n) }

// scopeChain lists the scopes whose config and mode apply to subject,
// innermost first: the subject itself (unless it is a scope), its context
// outside the default one, and the global scope.
func scopeChain(subject Subject) []Subject {
	scopes := make([]Subject, 0, 3)
	if !subject.IsScope() {
		scopes = append(scopes, subject)
	}
	if c := subject.Context(); !c.IsDefault() {
		scopes = append(scopes, c.Scope())
	}
	return append(scopes, GlobalScope)
}

// effectiveConfig merges the configs that apply to subject: its own, its
// context's (outside the default context), the global one, and the server
// default, innermost first.
func (s *Schemas) effectiveConfig(tx Tx, subject Subject) (Config, error) {
	var cfg Config
	for _, sc := range scopeChain(subject) {
		c, err := tx.Config(sc)
		if notFound(err) {
			continue
		}
		if err != nil {
			return Config{}, err
		}
		cfg = cfg.merge(c)
	}
	return cfg.merge(Config{Compatibility: s.defComp}), nil
}

// effectiveMode resolves subject's mode: subject, context, global, READWRITE.
func effectiveMode(tx Tx, subject Subject) (Mode, error) {
	for _, sc := range scopeChain(subject) {
		m, err := tx.Mode(sc)
		if notFound(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		return m, nil
	}
	return ModeReadWrite, nil
}

func contextLabel(c Context) string {
	if c.IsDefault() {
		return "."
	}
	return string(c)
}

// checkWritable refuses writes to subject when its mode is read-only.
func checkWritable(tx Tx, subject Subject) (Mode, error) {
	m, err := effectiveMode(tx, subject)
	if err != nil {
		return "", err
	}
	if m.readOnly() {
		return m, &Error{Kind: OperationNotPermitted, Subject: subject, Message: "Subject " + subject.Name() +
			" in context " + contextLabel(subject.Context()) + " is in read-only mode"}
	}
	return m, nil
}

// resolvedRefs is the dependency closure of a schema's references.
type resolvedRefs struct {
	direct []Reference        // as stored: versions pinned
	all    []compat.Reference // dependencies before dependents, for Parse
}

// resolveReferences pins and loads the references of a schema living in
// context c. A reference version of -1 is pinned to the latest live
// version. requireLive demands live targets, as new registrations do;
// stored schemas may point at soft-deleted versions.
func resolveReferences(tx Tx, c Context, refs []Reference, requireLive bool) (resolvedRefs, error) {
	var out resolvedRefs
	seen := map[versionKey]bool{}
	var visit func(c Context, refs []Reference, top bool) error
	visit = func(c Context, refs []Reference, top bool) error {
		for _, r := range refs {
			if r.Name == "" || r.Subject == "" {
				return Errorf(InvalidSchema, "Invalid schema reference %+v: name, subject and version are required", r)
			}
			target := r.Subject.In(c)
			vs, err := tx.Versions(target)
			if err != nil {
				return err
			}
			sv, ok := find(vs, r.Version)
			if !ok || (requireLive && top && sv.Deleted) {
				return Errorf(InvalidSchema, "No schema reference found for subject \"%s\" and version %s",
					r.Subject, versionText(r.Version))
			}
			if top {
				pinned := r
				pinned.Version = sv.Version
				out.direct = append(out.direct, pinned)
			}
			key := versionKey{target, sv.Version}
			if seen[key] {
				continue
			}
			seen[key] = true
			sc, err := tx.SchemaByID(target.Context(), sv.SchemaID)
			if err != nil {
				return err
			}
			if err := visit(target.Context(), sc.References, false); err != nil {
				return err
			}
			out.all = append(out.all, compat.Reference{Name: r.Name, Text: sc.Text})
		}
		return nil
	}
	if err := visit(c, refs, true); err != nil {
		return resolvedRefs{}, err
	}
	return out, nil
}
