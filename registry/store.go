package registry

import "context"

// Store persists registry state. Implementations: store/sqlite, store/inmem
// (and later store/postgres). Every implementation must pass store/storetest.
//
// Stores are thin: they persist and query, and hold no Confluent rules.
// Errors are returned wrapped with %w around exactly three sentinels where
// relevant: ErrNotFound, ErrConflict and ErrUnavailable. Anything else is an
// internal error.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction that commits iff fn returns
	// nil. Updates are serializable: two concurrent Updates behave as if one
	// ran after the other, or one of them fails with ErrConflict (and then
	// nothing it did is visible). A failed commit leaves nothing written.
	Update(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the store can serve requests (readiness).
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// Tx holds the persistence primitives, valid only inside the View or Update
// call that handed it out. Write methods called on a View's Tx return an
// error.
//
// Subjects are stored in their qualified form (see [Subject]). Schemas live
// in a context: the same SchemaID in two contexts names unrelated content.
type Tx interface {
	// SchemaByID returns the schema with id in c.
	// Returns ErrNotFound if there is none.
	SchemaByID(c Context, id SchemaID) (Schema, error)
	// SchemasByID returns the schemas with the given ids in c, in no
	// particular order; ids that do not exist are left out.
	SchemasByID(c Context, ids []SchemaID) ([]Schema, error)
	// SchemaByFingerprint returns the schema with that fingerprint in c.
	// Returns ErrNotFound if there is none.
	SchemaByFingerprint(c Context, fingerprint string) (Schema, error)
	// MaxSchemaID returns the highest id ever stored in c, 0 if none.
	MaxSchemaID(c Context) (SchemaID, error)
	// InsertSchema stores s (with s.ID set) in c.
	// Returns ErrConflict if c already has s.ID or s.Fingerprint.
	InsertSchema(c Context, s Schema) error

	// Versions returns every version of subject, soft-deleted ones
	// included, in ascending order; an empty slice if there is none.
	Versions(subject Subject) ([]SubjectVersion, error)
	// AllVersions returns every version (soft-deleted included) of every
	// subject whose qualified name starts with prefix, ordered by subject
	// then version.
	AllVersions(prefix string) ([]SubjectVersion, error)
	// VersionsBySchemaID returns every version (soft-deleted included)
	// whose subject is in c and whose schema is id, ordered by subject
	// then version.
	VersionsBySchemaID(c Context, id SchemaID) ([]SubjectVersion, error)
	// Referrers returns every version (soft-deleted included) whose schema
	// has a reference that resolves, relative to that schema's context (see
	// [Subject.In]), to subject at version v. Ordered by subject, version.
	Referrers(subject Subject, v Version) ([]SubjectVersion, error)
	// InsertVersion stores v.
	// Returns ErrConflict if v.Subject already has v.Version.
	InsertVersion(v SubjectVersion) error
	// SetVersionDeleted sets the soft-delete flag of subject's version v.
	// Returns ErrNotFound if there is no such version.
	SetVersionDeleted(subject Subject, v Version, deleted bool) error
	// DeleteVersion removes subject's version v permanently. The schema
	// content stays (ids are never reused).
	// Returns ErrNotFound if there is no such version.
	DeleteVersion(subject Subject, v Version) error

	// Config returns the config stored for scope (GlobalScope, a context
	// scope ":.ctx:" or a subject). Returns ErrNotFound if none is stored.
	Config(scope Subject) (Config, error)
	// SetConfig stores c for scope, replacing any earlier one.
	SetConfig(scope Subject, c Config) error
	// DeleteConfig removes scope's config. Returns ErrNotFound if none.
	DeleteConfig(scope Subject) error

	// Mode returns the mode stored for scope. Returns ErrNotFound if none.
	Mode(scope Subject) (Mode, error)
	// SetMode stores m for scope.
	SetMode(scope Subject, m Mode) error
	// DeleteMode removes scope's mode. Returns ErrNotFound if none.
	DeleteMode(scope Subject) error
}
