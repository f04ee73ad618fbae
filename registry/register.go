package registry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/charterhq/charter/compat"
)

// errStale means the state a registration was planned on changed before
// it could be written; the registration is planned again.
var errStale = errors.New("registration plan is stale")

// registration is what planning decided to write.
type registration struct {
	subject    Subject
	version    Version
	maxVersion Version // highest version (soft-deleted included) at planning
	mode       Mode
	schema     Schema // ID is 0 when an id must be found or allocated
	explicitID bool
}

// Register registers req under subject and returns the stored version. A
// schema the subject already has as a live version is returned as is
// (idempotent: safe to retry). See the package doc for the algorithm.
//
// Kinds: InvalidSubject, InvalidSchema, InvalidRuleSet,
// OperationNotPermitted (mode), Incompatible, IDMismatch, Unavailable.
func (s *Schemas) Register(ctx context.Context, subject Subject, req RegisterRequest) (SubjectSchema, error) {
	const op = "registry.Schemas.Register"
	start := time.Now()
	// Fast path: a request this node has answered before, with nothing
	// changed since in the subject or in any config, gets the same answer
	// without touching the store. Serializers re-register their schema on
	// every start, so this is most registrations; Confluent answers them
	// locally too (before the mode check, as here).
	key, cacheable := registrationKey(subject, req)
	gen := s.subjectGen(subject).Load()
	cfgGen := s.cfgGen.Load()
	if ss, ok := s.cachedRegistration(key, gen, cfgGen); ok && cacheable {
		t, _ := ParseSchemaType(string(req.Type))
		s.obs.Registered(t, "existing", time.Since(start))
		return ss, nil
	}
	out, created, err := s.register(ctx, op, subject, req)
	if err == nil && cacheable {
		if created {
			gen = s.subjectGen(subject).Load() // the commit bumped it
		}
		s.rememberRegistration(key, gen, cfgGen, out)
	}
	outcome := "existing"
	switch {
	case err != nil:
		outcome = "error"
		var e *Error
		if errors.As(err, &e) && e.Subject == "" {
			e.Subject = subject
		}
	case created:
		outcome = "created"
	}
	t, _ := ParseSchemaType(string(req.Type))
	s.obs.Registered(t, outcome, time.Since(start))
	return out, err
}

func (s *Schemas) register(ctx context.Context, op string, subject Subject, req RegisterRequest) (SubjectSchema, bool, error) {
	if err := subject.Validate(); err != nil {
		return SubjectSchema{}, false, err
	}
	if err := validateRuleSet(req.RuleSet); err != nil {
		return SubjectSchema{}, false, err
	}
	// Planning (parse, dedupe, compatibility) runs in a read transaction so
	// that slow work never holds the store's write lock; the write then
	// re-checks that nothing it depends on moved, and plans again if it did.
	// Under heavy contention on one subject optimism can keep losing, so
	// after a few jittered retries the last attempt plans inside the write
	// transaction itself, where the store serialises it.
	for attempt := 0; ; attempt++ {
		if attempt >= s.retries {
			return s.registerLocked(ctx, op, subject, req)
		}
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return SubjectSchema{}, false, storeError(op, err)
			}
		}
		var plan registration
		var existing *SubjectSchema
		err := s.view(ctx, op, func(tx Tx) error {
			var err error
			plan, existing, err = s.plan(tx, subject, req)
			return err
		})
		if err != nil {
			return SubjectSchema{}, false, err
		}
		if existing != nil {
			return *existing, false, nil
		}
		var out SubjectSchema
		err = s.update(ctx, op, func(tx Tx) error {
			var err error
			out, err = s.commit(tx, plan)
			return err
		})
		if err == nil {
			s.invalidateSubject(subject)
			return out, true, nil
		}
		if !errors.Is(err, errStale) && !errors.Is(err, ErrConflict) {
			return SubjectSchema{}, false, err
		}
	}
}

// registerLocked plans and commits in one write transaction: slower (the
// store's lock is held while parsing and checking) but it cannot be
// overtaken, so it ends the retries of a contended subject.
func (s *Schemas) registerLocked(ctx context.Context, op string, subject Subject, req RegisterRequest) (SubjectSchema, bool, error) {
	var out SubjectSchema
	created := false
	err := s.update(ctx, op, func(tx Tx) error {
		plan, existing, err := s.plan(tx, subject, req)
		if err != nil {
			return err
		}
		if existing != nil {
			out = *existing
			return nil
		}
		out, err = s.commit(tx, plan)
		created = err == nil
		return err
	})
	switch {
	case err == nil:
		if created {
			s.invalidateSubject(subject)
		}
		return out, created, nil
	case errors.Is(err, errStale), errors.Is(err, ErrConflict):
		return SubjectSchema{}, false, &Error{Kind: Unavailable, Op: op, Subject: subject,
			Message: "Too many concurrent registrations for subject; retry later", Err: err}
	}
	return SubjectSchema{}, false, err
}

// backoff waits before retry number attempt: exponential from 1 ms with
// full jitter, so contending registrations spread out instead of
// colliding again in lockstep.
func backoff(ctx context.Context, attempt int) error {
	ceiling := time.Millisecond << min(attempt, 6)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling)) + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// plan validates req against the current state and decides what to write.
// It returns the existing version instead when the subject already has the
// content.
func (s *Schemas) plan(tx Tx, subject Subject, req RegisterRequest) (registration, *SubjectSchema, error) {
	c := subject.Context()
	mode, err := checkWritable(tx, subject)
	if err != nil {
		return registration{}, nil, err
	}
	importing := mode.importing()
	where := subject.Name() + " in context " + contextLabel(c)
	if req.ExplicitID && !importing {
		return registration{}, nil, Errorf(OperationNotPermitted, "Subject %s is not in import mode", where)
	}
	if !req.ExplicitID && importing {
		return registration{}, nil, Errorf(OperationNotPermitted, "Subject %s is not in read-write mode", where)
	}
	cfg, err := s.effectiveConfig(tx, subject)
	if err != nil {
		return registration{}, nil, err
	}
	vs, err := tx.Versions(subject)
	if err != nil {
		return registration{}, nil, err
	}
	var maxV Version
	for _, v := range vs {
		maxV = max(maxV, v.Version)
	}
	sreq := req.SchemaRequest
	md, rs := sreq.Metadata, sreq.RuleSet
	next := maxV + 1
	if req.Version > 0 {
		if !importing && req.Version != next {
			return registration{}, nil, Errorf(InvalidSchema, "Version is not one more than previous version")
		}
		next = req.Version
	}
	// Imports keep their content exactly as given: no inheritance from the
	// previous version, no config defaults, no confluent:version property
	// (Confluent skips all of it in IMPORT and FORWARD modes).
	if !importing {
		var prev *Schema
		if lv, ok := latest(vs); ok {
			sc, err := tx.SchemaByID(c, lv.SchemaID)
			if err != nil {
				return registration{}, nil, fmt.Errorf("load latest version: %w", err)
			}
			prev = &sc
		}
		if prev != nil {
			if strings.TrimSpace(sreq.Schema) == "" {
				// A blank schema re-registers the latest one with new metadata
				// or rules, which is how clients update only those.
				sreq.Schema, sreq.Type, sreq.References = prev.Text, prev.Type, prev.References
			}
			if md == nil {
				md = prev.Metadata
			}
			if rs == nil {
				rs = prev.RuleSet
			}
		}
		md = mergeMetadata(mergeMetadata(cfg.DefaultMetadata, md), cfg.OverrideMetadata)
		rs = mergeRuleSet(mergeRuleSet(cfg.DefaultRuleSet, rs), cfg.OverrideRuleSet)
		if req.Version > 0 || property(md, "confluent:version") != "" {
			md = withProperty(md, "confluent:version", itoa(int(next)))
		}
	}
	normalize := req.Normalize || boolOf(cfg.Normalize)
	p, err := s.parse(tx, c, sreq, normalize, importing)
	if err != nil {
		return registration{}, nil, err
	}
	if len(req.TagsToAdd)+len(req.TagsToRemove) > 0 {
		if p, err = s.editTags(tx, c, sreq, p, req, normalize); err != nil {
			return registration{}, nil, err
		}
	}
	fp := Fingerprint(p.text, p.refs, md, rs)

	// Idempotency: the same content already registered here is returned.
	if sc, err := tx.SchemaByFingerprint(c, fp); err == nil {
		if !req.ExplicitID || req.ID == sc.ID {
			if sv, ok := findSchema(vs, sc.ID, req.Version); ok {
				return registration{}, &SubjectSchema{SubjectVersion: sv, Schema: sc}, nil
			}
		}
	} else if !notFound(err) {
		return registration{}, nil, err
	}
	if importing && req.Version > 0 {
		if _, ok := find(vs, req.Version); ok {
			return registration{}, nil, Errorf(OperationNotPermitted,
				"Version %d of subject %s already exists with a different schema", req.Version, where)
		}
	}

	if !importing && !req.Force {
		olds, err := s.groupVersions(tx, c, vs, cfg, md)
		if err != nil {
			return registration{}, nil, err
		}
		msgs, fs, err := s.checkAgainst(tx, c, cfg.Compatibility, cfg, p, olds)
		if err != nil {
			return registration{}, nil, err
		}
		if len(msgs) > 0 {
			return registration{}, nil, incompatible(subject, msgs, fs)
		}
	}
	plan := registration{
		subject: subject, version: next, maxVersion: maxV, mode: mode, explicitID: req.ExplicitID,
		schema: Schema{Type: p.typ, Text: p.text, References: p.refs, Metadata: md, RuleSet: rs, Fingerprint: fp},
	}
	if req.ExplicitID {
		plan.schema.ID = req.ID
	}
	return plan, nil, nil
}

// findSchema returns the newest live version of vs holding id; with
// onlyLatest (-1) the latest live version must be it.
func findSchema(vs []SubjectVersion, id SchemaID, v Version) (SubjectVersion, bool) {
	if v > 0 {
		sv, ok := find(vs, v)
		return sv, ok && sv.SchemaID == id && !sv.Deleted
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Deleted {
			continue
		}
		if vs[i].SchemaID == id {
			return vs[i], true
		}
		if v == VersionLatest {
			break
		}
	}
	return SubjectVersion{}, false
}

// commit writes a planned registration, or returns errStale if the
// subject or its mode changed since planning.
func (s *Schemas) commit(tx Tx, p registration) (SubjectSchema, error) {
	c := p.subject.Context()
	mode, err := effectiveMode(tx, p.subject)
	if err != nil {
		return SubjectSchema{}, err
	}
	vs, err := tx.Versions(p.subject)
	if err != nil {
		return SubjectSchema{}, err
	}
	var maxV Version
	for _, v := range vs {
		maxV = max(maxV, v.Version)
	}
	if mode != p.mode || maxV != p.maxVersion {
		return SubjectSchema{}, errStale
	}
	// A referenced version deleted since planning would leave a dangling
	// reference; reading it here also takes its subject's lock in stores
	// that lock per subject.
	for _, r := range p.schema.References {
		rvs, err := tx.Versions(r.Subject.In(c))
		if err != nil {
			return SubjectSchema{}, err
		}
		if sv, ok := find(rvs, r.Version); !ok || sv.Deleted {
			return SubjectSchema{}, errStale
		}
	}
	sc, err := s.storeContent(tx, c, p)
	if err != nil {
		return SubjectSchema{}, err
	}
	// Older soft-deleted versions holding the same id are removed, so that
	// re-registering a deleted schema does not leave two versions of it.
	for _, v := range vs {
		if !v.Deleted || v.SchemaID != sc.ID {
			continue
		}
		refs, err := tx.Referrers(p.subject, v.Version)
		if err != nil {
			return SubjectSchema{}, err
		}
		if len(refs) == 0 {
			if err := tx.DeleteVersion(p.subject, v.Version); err != nil {
				return SubjectSchema{}, err
			}
		}
	}
	sv := SubjectVersion{Subject: p.subject, Version: p.version, SchemaID: sc.ID, CreatedAt: s.now().UTC()}
	if err := tx.InsertVersion(sv); err != nil {
		return SubjectSchema{}, err
	}
	return SubjectSchema{SubjectVersion: sv, Schema: sc}, nil
}

// storeContent finds or stores the planned schema content and returns it
// with its id.
func (s *Schemas) storeContent(tx Tx, c Context, p registration) (Schema, error) {
	where := contextLabel(c)
	byFP, err := tx.SchemaByFingerprint(c, p.schema.Fingerprint)
	found := err == nil
	if err != nil && !notFound(err) {
		return Schema{}, err
	}
	if p.explicitID {
		if found && byFP.ID == p.schema.ID {
			return byFP, nil
		}
		byID, err := tx.SchemaByID(c, p.schema.ID)
		switch {
		case err == nil && byID.Fingerprint != p.schema.Fingerprint:
			return Schema{}, Errorf(OperationNotPermitted, "Overwrite new schema with id %d in context %s is not permitted.", p.schema.ID, where)
		case err == nil:
			return byID, nil
		case !notFound(err):
			return Schema{}, err
		case found:
			return Schema{}, &Error{Kind: IDMismatch, ID: p.schema.ID,
				Message: fmt.Sprintf("The ID of an imported schema does not match the existing ID %d", byFP.ID)}
		}
		return p.schema, tx.InsertSchema(c, p.schema)
	}
	if found {
		return byFP, nil
	}
	maxID, err := tx.MaxSchemaID(c)
	if err != nil {
		return Schema{}, err
	}
	sc := p.schema
	sc.ID = maxID + 1
	return sc, tx.InsertSchema(c, sc)
}

// editTags applies a registration's inline tag edits and parses the result.
func (s *Schemas) editTags(tx Tx, c Context, sreq SchemaRequest, p parsedSchema, req RegisterRequest, normalize bool) (parsedSchema, error) {
	f, err := s.format(p.typ)
	if err != nil {
		return parsedSchema{}, err
	}
	tagger, ok := f.(compat.Tagger)
	if !ok || p.parsed == nil {
		return parsedSchema{}, Errorf(InvalidSchema, "Schemas of type %s have no inline tags", p.typ)
	}
	text, err := tagger.EditTags(p.parsed, req.TagsToAdd, req.TagsToRemove)
	if err != nil {
		return parsedSchema{}, invalidSchema(p.typ, err)
	}
	sreq.Schema = text
	sreq.References = p.refs
	return s.parse(tx, c, sreq, normalize, false)
}
