package registry

import (
	"crypto/sha256"
	"encoding/json"
	"sync/atomic"
)

// The read caches hold immutable schema content and subject-version views.
// Each entry carries the generation of what it depends on; a write bumps
// the generation after it commits, so an entry filled by a reader that
// raced with the write is ignored rather than served stale. There is no
// lock: sync.Map and atomics only.

type cachedVersion struct {
	gen uint64
	ss  SubjectSchema
}

type cachedSchema struct {
	gen uint64
	c   Context // where the id resolved
	sc  Schema
}

// subjectGen returns subject's generation counter.
func (s *Schemas) subjectGen(subject Subject) *atomic.Uint64 {
	if g, ok := s.gens.Load(subject); ok {
		return g.(*atomic.Uint64)
	}
	g, _ := s.gens.LoadOrStore(subject, new(atomic.Uint64))
	return g.(*atomic.Uint64)
}

func (s *Schemas) cachedVersion(subject Subject, v Version) (SubjectSchema, bool) {
	e, ok := s.byVersion.Load(versionKey{subject, v})
	if !ok {
		return SubjectSchema{}, false
	}
	c := e.(cachedVersion)
	if c.gen != s.subjectGen(subject).Load() {
		return SubjectSchema{}, false
	}
	return c.ss, true
}

func (s *Schemas) rememberVersion(subject Subject, v Version, gen uint64, ss SubjectSchema) {
	s.byVersion.Store(versionKey{subject, v}, cachedVersion{gen, ss})
}

// invalidateSubject drops every cached view of subject.
func (s *Schemas) invalidateSubject(subject Subject) { s.subjectGen(subject).Add(1) }

func (s *Schemas) cachedSchema(k idKey) (Context, Schema, bool) {
	e, ok := s.byID.Load(k)
	if !ok {
		return "", Schema{}, false
	}
	c := e.(cachedSchema)
	if c.gen != s.idGen.Load() {
		return "", Schema{}, false
	}
	return c.c, c.sc, true
}

func (s *Schemas) rememberSchema(k idKey, gen uint64, c Context, sc Schema) {
	s.byID.Store(k, cachedSchema{gen, c, sc})
}

// invalidateIDs drops every cached schema-by-id answer. Only permanent
// deletes need it (an id stops resolving when its last version goes), and
// they are rare, so one counter for all ids is enough.
func (s *Schemas) invalidateIDs() { s.idGen.Add(1) }

// ChangeKind says what another node changed.
type ChangeKind string

// The kinds of change that invalidate cached reads.
const (
	// ChangedVersions: a subject gained or lost versions or a version's
	// soft-delete flag changed.
	ChangedVersions ChangeKind = "version"
	// ChangedDeleted: versions were permanently deleted, so an id may have
	// stopped resolving.
	ChangedDeleted ChangeKind = "delete"
	// ChangedConfig: a config changed; cached registration answers may no
	// longer hold.
	ChangedConfig ChangeKind = "config"
	// ChangedMode changes no cached read (registration answers are given
	// before the mode check, as in Confluent); accepted so feeds can pass
	// every change through.
	ChangedMode ChangeKind = "mode"
)

// Invalidate drops cached reads made stale by a change another node
// committed to the shared store. Writes made through this Schemas
// invalidate its caches themselves; Invalidate is for change feeds (e.g.
// PostgreSQL LISTEN/NOTIFY) in multi-node deployments. A subject of ""
// with ChangedVersions or ChangedDeleted drops everything (used after the
// feed reconnects and cannot tell what it missed).
func (s *Schemas) Invalidate(kind ChangeKind, subject Subject) {
	switch kind {
	case ChangedConfig:
		s.invalidateConfigs()
	case ChangedVersions, ChangedDeleted:
		if subject == "" {
			s.gens.Range(func(_, g any) bool { g.(*atomic.Uint64).Add(1); return true })
			s.invalidateIDs()
			return
		}
		s.invalidateSubject(subject)
		if kind == ChangedDeleted {
			s.invalidateIDs()
		}
	}
}

// regKey identifies a registration request: the subject and a hash of
// everything in the request that can change its answer.
type regKey struct {
	subject Subject
	sum     [sha256.Size]byte
}

type cachedRegistration struct {
	gen, cfgGen uint64
	ss          SubjectSchema
}

// registrationKey hashes req. A request is not cacheable when its answer
// depends on another subject's state: a reference to "latest" (-1).
func registrationKey(subject Subject, req RegisterRequest) (regKey, bool) {
	for _, r := range req.References {
		if r.Version == VersionLatest {
			return regKey{}, false
		}
	}
	b, _ := json.Marshal(req) // exported fields only; maps in sorted order
	return regKey{subject, sha256.Sum256(b)}, true
}

func (s *Schemas) cachedRegistration(k regKey, gen, cfgGen uint64) (SubjectSchema, bool) {
	e, ok := s.byRequest.Load(k)
	if !ok {
		return SubjectSchema{}, false
	}
	c := e.(cachedRegistration)
	if c.gen != gen || c.cfgGen != cfgGen {
		return SubjectSchema{}, false
	}
	return c.ss, true
}

// rememberRegistration keeps the answer to a request, tagged with the
// generations read before the request was planned: if anything moved in
// between, the entry is already stale and will not be served.
func (s *Schemas) rememberRegistration(k regKey, gen, cfgGen uint64, ss SubjectSchema) {
	s.byRequest.Store(k, cachedRegistration{gen, cfgGen, ss})
}

// invalidateConfigs drops every cached registration answer: a config
// change (normalize, default or override metadata and rules, level) can
// change what a request registers.
func (s *Schemas) invalidateConfigs() { s.cfgGen.Add(1) }
