// Package registry is Charter's domain: subjects, versions, schema ids,
// references, compatibility levels, modes and config, the registration
// service that applies Confluent Schema Registry's rules, and the
// persistence port ([Store]) that storage adapters implement.
//
// # Registration
//
// [Schemas.Register] runs Confluent's algorithm in one store transaction:
//
//  1. validate the subject and rule set; resolve the scope's mode
//     (READONLY refuses, IMPORT requires an explicit id and skips checks);
//  2. resolve references (version -1 is pinned to the latest live version),
//     parse the schema with its format ([compat.Format]) and compute its
//     canonical text (normalized when asked or configured);
//  3. fingerprint the content (text, references, metadata, rule set); if the
//     subject already has it as a live version, return that version:
//     re-registering is idempotent and writes nothing;
//  4. check compatibility against the latest live version, or every live
//     version for *_TRANSITIVE levels, in the directions the level names;
//  5. reuse the context's id for that fingerprint or allocate max+1, and
//     store the next version number.
//
// # Config and mode resolution
//
// A subject's effective config is its own config merged field by field
// over its context's (for non-default contexts), over the global config,
// over the server default. Modes resolve the same way without merging:
// subject, then context, then global, then READWRITE.
//
// # Reads
//
// Schema content is immutable, so reads by id and by subject version are
// served from in-memory caches (sync.Map, no global lock) once warm; writes
// that change what a read would return invalidate the affected entries.
package registry

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/avrocompat"
	"github.com/charterhq/charter/compat/jsoncompat"
	"github.com/charterhq/charter/compat/protocompat"
)

// Observer receives measurements from the service; api.Metrics implements
// it with Prometheus collectors. All methods must be safe for concurrent use
// and fast.
type Observer interface {
	// StoreOp observes one store transaction ("view" or "update").
	StoreOp(op string, d time.Duration, err error)
	// Registered observes one registration; outcome is "created",
	// "existing" or "error".
	Registered(t SchemaType, outcome string, d time.Duration)
	// Checked observes one compatibility check of a new schema against one
	// earlier version.
	Checked(t SchemaType, compatible bool, d time.Duration)
}

// Options configure a Schemas service.
type Options struct {
	Store Store
	// Formats maps schema types to their parser and checker. Nil means
	// every format Charter has.
	Formats map[SchemaType]compat.Format
	// DefaultCompatibility applies when no config sets a level; BACKWARD
	// if empty.
	DefaultCompatibility Compatibility
	Now                  func() time.Time // time.Now if nil
	Logger               *slog.Logger     // slog.Default() if nil
	Observer             Observer         // none if nil
	// MaxConflictRetries bounds how often a registration is retried after
	// the store reports a serialization conflict; 5 if zero.
	MaxConflictRetries int
}

// Schemas is the schema registry service.
type Schemas struct {
	store   Store
	formats map[SchemaType]compat.Format
	defComp Compatibility
	now     func() time.Time
	log     *slog.Logger
	obs     Observer
	retries int

	byID      sync.Map // idKey -> Schema (only ids known to have a version)
	byVersion sync.Map // versionKey -> cached SubjectSchema
	parsed    sync.Map // parsedKey -> compat.Schema
	gens      sync.Map // Subject -> *atomic.Uint64
	idGen     atomic.Uint64
	byRequest sync.Map // regKey -> cachedRegistration
	cfgGen    atomic.Uint64
}

type idKey struct {
	c  Context
	id SchemaID
}

type versionKey struct {
	s Subject
	v Version
}

// NewSchemas returns a service over opts.Store.
func NewSchemas(opts Options) *Schemas {
	s := &Schemas{
		store:   opts.Store,
		formats: opts.Formats,
		defComp: opts.DefaultCompatibility,
		now:     opts.Now,
		log:     opts.Logger,
		obs:     opts.Observer,
		retries: opts.MaxConflictRetries,
	}
	if s.formats == nil {
		s.formats = map[SchemaType]compat.Format{Avro: avrocompat.New(), JSON: jsoncompat.New(), Protobuf: protocompat.New()}
	}
	if s.defComp == "" {
		s.defComp = CompatBackward
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	if s.retries <= 0 {
		s.retries = 5
	}
	return s
}

type nopObserver struct{}

func (nopObserver) StoreOp(string, time.Duration, error)         {}
func (nopObserver) Registered(SchemaType, string, time.Duration) {}
func (nopObserver) Checked(SchemaType, bool, time.Duration)      {}

// Types lists the schema types this registry accepts.
func (s *Schemas) Types() []SchemaType {
	out := make([]SchemaType, 0, len(s.formats))
	for _, t := range []SchemaType{JSON, Protobuf, Avro} {
		if _, ok := s.formats[t]; ok {
			out = append(out, t)
		}
	}
	return out
}

// Ready reports whether the store can serve requests.
func (s *Schemas) Ready(ctx context.Context) error { return s.store.Ping(ctx) }
