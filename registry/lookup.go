package registry

import (
	"context"
	"slices"
)

// Lookup finds the version of subject that holds req's content (POST
// /subjects/{s}). Metadata and rule set are inherited from the latest
// version when req has none, as registration would.
//
// Kinds: SubjectNotFound, SchemaNotFound, InvalidSchema.
func (s *Schemas) Lookup(ctx context.Context, subject Subject, req LookupRequest) (SubjectSchema, error) {
	const op = "registry.Schemas.Lookup"
	var out SubjectSchema
	err := s.view(ctx, op, func(tx Tx) error {
		vs, err := tx.Versions(subject)
		if err != nil {
			return err
		}
		if !req.Deleted {
			vs = live(vs)
		}
		if len(vs) == 0 {
			return subjectNotFound(subject)
		}
		cfg, err := s.effectiveConfig(tx, subject)
		if err != nil {
			return err
		}
		c := subject.Context()
		p, err := s.parse(tx, c, req.SchemaRequest, req.Normalize || boolOf(cfg.Normalize), false)
		if err != nil {
			return err
		}
		candidates := []struct {
			md *Metadata
			rs *RuleSet
		}{{req.Metadata, req.RuleSet}}
		if lv, ok := latest(vs); ok && (req.Metadata == nil || req.RuleSet == nil) {
			prev, err := tx.SchemaByID(c, lv.SchemaID)
			if err != nil {
				return err
			}
			md, rs := req.Metadata, req.RuleSet
			if md == nil {
				md = prev.Metadata
			}
			if rs == nil {
				rs = prev.RuleSet
			}
			md = mergeMetadata(mergeMetadata(cfg.DefaultMetadata, md), cfg.OverrideMetadata)
			rs = mergeRuleSet(mergeRuleSet(cfg.DefaultRuleSet, rs), cfg.OverrideRuleSet)
			candidates = append(candidates, struct {
				md *Metadata
				rs *RuleSet
			}{md, rs})
		}
		for _, cand := range candidates {
			sc, err := tx.SchemaByFingerprint(c, Fingerprint(p.text, p.refs, cand.md, cand.rs))
			if notFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			for i := len(vs) - 1; i >= 0; i-- {
				if vs[i].SchemaID == sc.ID {
					out = SubjectSchema{SubjectVersion: vs[i], Schema: sc}
					return nil
				}
			}
		}
		return &Error{Kind: SchemaNotFound, Subject: subject, Message: "Schema not found"}
	})
	return out, err
}

// SchemaByID returns the schema with id. opts.Subject selects the context
// (an unqualified or absent subject searches the default context first,
// then every other). Soft-deleted schemas are still served; an id whose
// versions were all permanently deleted is not. Served from cache when
// warm.
//
// Kinds: SchemaNotFound.
func (s *Schemas) SchemaByID(ctx context.Context, id SchemaID, opts IDOptions) (Schema, error) {
	_, sc, err := s.schemaByID(ctx, id, opts)
	return sc, err
}

// schemaByID is SchemaByID that also says which context the id was
// resolved in.
func (s *Schemas) schemaByID(ctx context.Context, id SchemaID, opts IDOptions) (Context, Schema, error) {
	const op = "registry.Schemas.SchemaByID"
	key := idKey{c: "", id: id}
	qualified := isQualified(opts.Subject)
	if qualified {
		key.c = opts.Subject.Context()
	}
	if c, sc, ok := s.cachedSchema(key); ok {
		return c, sc, nil
	}
	gen := s.idGen.Load()
	var out Schema
	var in Context
	err := s.view(ctx, op, func(tx Tx) error {
		contexts := []Context{key.c}
		if !qualified {
			all, err := contextsOf(tx)
			if err != nil {
				return err
			}
			contexts = all
		}
		for _, c := range contexts {
			sc, ok, err := schemaInUse(tx, c, id)
			if err != nil {
				return err
			}
			if ok {
				out, in = sc, c
				return nil
			}
		}
		return &Error{Kind: SchemaNotFound, ID: id, Message: "Schema " + itoa(int(id)) + " not found"}
	})
	if err != nil {
		return "", Schema{}, err
	}
	s.rememberSchema(key, gen, in, out)
	return in, out, nil
}

// schemaInUse returns schema id of context c if some version (soft-deleted
// included) still holds it.
func schemaInUse(tx Tx, c Context, id SchemaID) (Schema, bool, error) {
	sc, err := tx.SchemaByID(c, id)
	if notFound(err) {
		return Schema{}, false, nil
	}
	if err != nil {
		return Schema{}, false, err
	}
	vs, err := tx.VersionsBySchemaID(c, id)
	if err != nil {
		return Schema{}, false, err
	}
	return sc, len(vs) > 0, nil
}

// contextsOf lists the contexts that hold subjects, the default first.
func contextsOf(tx Tx) ([]Context, error) {
	vs, err := tx.AllVersions(":.")
	if err != nil {
		return nil, err
	}
	out := []Context{DefaultContext}
	for _, v := range vs {
		if c := v.Subject.Context(); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out[1:])
	return out, nil
}

// VersionsByID lists the subject versions holding schema id, in the
// context opts.Subject selects (default context when unqualified).
//
// Kinds: SchemaNotFound.
func (s *Schemas) VersionsByID(ctx context.Context, id SchemaID, opts IDOptions) ([]SubjectVersion, error) {
	const op = "registry.Schemas.VersionsByID"
	var out []SubjectVersion
	err := s.view(ctx, op, func(tx Tx) error {
		vs, err := tx.VersionsBySchemaID(opts.Subject.Context(), id)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return &Error{Kind: SchemaNotFound, ID: id, Message: "Schema not found"}
		}
		for _, v := range vs {
			if opts.Deleted || !v.Deleted {
				out = append(out, v)
			}
		}
		return nil
	})
	return out, err
}

// SubjectsByID lists the subjects that hold schema id (see VersionsByID).
//
// Kinds: SchemaNotFound.
func (s *Schemas) SubjectsByID(ctx context.Context, id SchemaID, opts IDOptions) ([]Subject, error) {
	vs, err := s.VersionsByID(ctx, id, opts)
	if err != nil {
		return nil, err
	}
	out := []Subject{}
	for _, v := range vs {
		if !slices.Contains(out, v.Subject) {
			out = append(out, v.Subject)
		}
	}
	return out, nil
}

// allPrefix turns Confluent's subjectPrefix ("" or ":*:" = every context)
// into a store prefix.
func allPrefix(p string) string {
	if p == ":*:" {
		return ""
	}
	return p
}

// Subjects lists subjects, sorted. A subject counts as deleted when all its
// versions are soft-deleted.
func (s *Schemas) Subjects(ctx context.Context, opts SubjectsOptions) ([]Subject, error) {
	const op = "registry.Schemas.Subjects"
	out := []Subject{}
	err := s.view(ctx, op, func(tx Tx) error {
		vs, err := tx.AllVersions(allPrefix(opts.Prefix))
		if err != nil {
			return err
		}
		liveCount := map[Subject]int{}
		var order []Subject
		for _, v := range vs {
			if _, ok := liveCount[v.Subject]; !ok {
				order = append(order, v.Subject)
				liveCount[v.Subject] = 0
			}
			if !v.Deleted {
				liveCount[v.Subject]++
			}
		}
		for _, sub := range order {
			n := liveCount[sub]
			switch {
			case opts.DeletedOnly:
				if n == 0 {
					out = append(out, sub)
				}
			case n > 0 || opts.Deleted:
				out = append(out, sub)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// Versions lists subject's versions.
//
// Kinds: SubjectNotFound (no version matches).
func (s *Schemas) Versions(ctx context.Context, subject Subject, opts VersionsOptions) ([]SubjectVersion, error) {
	const op = "registry.Schemas.Versions"
	var out []SubjectVersion
	err := s.view(ctx, op, func(tx Tx) error {
		vs, err := tx.Versions(subject)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if opts.DeletedOnly && !v.Deleted || !opts.DeletedOnly && !opts.Deleted && v.Deleted {
				continue
			}
			out = append(out, v)
		}
		if len(out) == 0 {
			return subjectNotFound(subject)
		}
		return nil
	})
	return out, err
}

// Version returns version v (or the latest live one) of subject; deleted
// lets soft-deleted versions be read. Served from cache when warm.
//
// Kinds: SubjectNotFound, VersionNotFound.
func (s *Schemas) Version(ctx context.Context, subject Subject, v Version, deleted bool) (SubjectSchema, error) {
	const op = "registry.Schemas.Version"
	if ss, ok := s.cachedVersion(subject, v); ok && (deleted || !ss.Deleted) {
		return ss, nil
	}
	gen := s.subjectGen(subject).Load()
	var out SubjectSchema
	err := s.view(ctx, op, func(tx Tx) error {
		vs, err := tx.Versions(subject)
		if err != nil {
			return err
		}
		if len(vs) == 0 || (!deleted && len(live(vs)) == 0) {
			return subjectNotFound(subject)
		}
		sv, ok := find(vs, v)
		if v == VersionLatest && !ok && deleted {
			sv, ok = vs[len(vs)-1], true
		}
		if !ok || (sv.Deleted && !deleted) {
			return versionNotFound(subject, v)
		}
		sc, err := tx.SchemaByID(subject.Context(), sv.SchemaID)
		if err != nil {
			return err
		}
		out = SubjectSchema{SubjectVersion: sv, Schema: sc}
		return nil
	})
	if err != nil {
		return SubjectSchema{}, err
	}
	s.rememberVersion(subject, v, gen, out)
	return out, nil
}

// ReferencedBy lists the ids of schemas that reference subject version v
// (soft-deleted v included). deleted includes soft-deleted referrers.
//
// Kinds: SubjectNotFound, VersionNotFound.
func (s *Schemas) ReferencedBy(ctx context.Context, subject Subject, v Version, deleted bool) ([]SchemaID, error) {
	sv, err := s.Version(ctx, subject, v, true)
	if err != nil {
		return nil, err
	}
	const op = "registry.Schemas.ReferencedBy"
	out := []SchemaID{}
	err = s.view(ctx, op, func(tx Tx) error {
		refs, err := tx.Referrers(subject, sv.Version)
		if err != nil {
			return err
		}
		for _, r := range refs {
			if (deleted || !r.Deleted) && !slices.Contains(out, r.SchemaID) {
				out = append(out, r.SchemaID)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// ListSchemas lists subject versions with their schemas (GET /schemas),
// ordered by subject and version. Schemas are fetched in one batch per
// context.
func (s *Schemas) ListSchemas(ctx context.Context, opts ListSchemasOptions) ([]SubjectSchema, error) {
	const op = "registry.Schemas.ListSchemas"
	var out []SubjectSchema
	err := s.view(ctx, op, func(tx Tx) error {
		vs, err := tx.AllVersions(allPrefix(opts.SubjectPrefix))
		if err != nil {
			return err
		}
		var picked []SubjectVersion
		for i, v := range vs {
			if opts.SubjectPrefix == "" && !v.Subject.Context().IsDefault() {
				continue
			}
			if v.Deleted && !opts.Deleted {
				continue
			}
			if opts.LatestOnly && i+1 < len(vs) && vs[i+1].Subject == v.Subject && (opts.Deleted || !vs[i+1].Deleted) {
				continue
			}
			picked = append(picked, v)
		}
		ids := map[Context][]SchemaID{}
		for _, v := range picked {
			c := v.Subject.Context()
			ids[c] = append(ids[c], v.SchemaID)
		}
		schemas := map[idKey]Schema{}
		for c, list := range ids {
			scs, err := tx.SchemasByID(c, list)
			if err != nil {
				return err
			}
			for _, sc := range scs {
				schemas[idKey{c, sc.ID}] = sc
			}
		}
		for _, v := range picked {
			out = append(out, SubjectSchema{SubjectVersion: v, Schema: schemas[idKey{v.Subject.Context(), v.SchemaID}]})
		}
		return nil
	})
	return out, err
}

// Contexts lists the contexts in use, the default context first.
func (s *Schemas) Contexts(ctx context.Context) ([]Context, error) {
	var out []Context
	err := s.view(ctx, "registry.Schemas.Contexts", func(tx Tx) error {
		var err error
		out, err = contextsOf(tx)
		return err
	})
	return out, err
}

// DeleteContext deletes an empty context. Contexts exist through their
// subjects, so an empty one needs no write.
//
// Kinds: ContextNotEmpty.
func (s *Schemas) DeleteContext(ctx context.Context, c Context) error {
	return s.view(ctx, "registry.Schemas.DeleteContext", func(tx Tx) error {
		vs, err := tx.AllVersions(string(NewSubject(c, "")))
		if err != nil {
			return err
		}
		n := 0
		for _, v := range vs {
			if v.Subject.Context() == c {
				n++
			}
		}
		if n > 0 {
			return Errorf(ContextNotEmpty, "The specified context '%s' is not empty.", c)
		}
		return nil
	})
}

// MaxSchemaID returns the highest schema id allocated in c (fetchMaxId).
func (s *Schemas) MaxSchemaID(ctx context.Context, c Context) (SchemaID, error) {
	var out SchemaID
	err := s.view(ctx, "registry.Schemas.MaxSchemaID", func(tx Tx) error {
		var err error
		out, err = tx.MaxSchemaID(c)
		return err
	})
	return out, err
}
