package registry

import "github.com/charterhq/charter/compat"

// This file lists the request and option types of the service's methods.

// SchemaRequest is schema content as submitted by a client.
type SchemaRequest struct {
	Schema     string
	Type       SchemaType // "" means AVRO
	References []Reference
	Metadata   *Metadata
	RuleSet    *RuleSet
}

// RegisterRequest is POST /subjects/{s}/versions.
type RegisterRequest struct {
	SchemaRequest
	// ID is an explicit schema id; only IMPORT mode accepts one.
	// ExplicitID says whether the client sent one ("id":0 counts).
	ID         SchemaID
	ExplicitID bool
	// Version is an explicit version: 0 means next; -1 means "next, but
	// only compare against latest for idempotency".
	Version   Version
	Normalize bool // normalize before fingerprinting
	Force     bool // skip the compatibility check
	// TagsToAdd and TagsToRemove edit inline tags of the schema before it
	// is stored (Confluent's schemaTagsToAdd / schemaTagsToRemove).
	TagsToAdd, TagsToRemove []compat.TagEdit
}

// LookupRequest is POST /subjects/{s}.
type LookupRequest struct {
	SchemaRequest
	Normalize bool
	Deleted   bool // soft-deleted versions match too
}

// IDOptions select the context an id is resolved in (by naming a subject,
// qualified or not) and whether soft-deleted versions count.
type IDOptions struct {
	Subject Subject
	Deleted bool
}

// SubjectsOptions filter GET /subjects.
type SubjectsOptions struct {
	Prefix      string // qualified-subject prefix; "" or ":*:" means every context
	Deleted     bool   // include subjects whose versions are all soft-deleted
	DeletedOnly bool   // only those
}

// VersionsOptions filter GET /subjects/{s}/versions.
type VersionsOptions struct {
	Deleted     bool
	DeletedOnly bool
}

// ListSchemasOptions filter GET /schemas.
type ListSchemasOptions struct {
	SubjectPrefix string // "" means the default context; ":*:" every context
	Deleted       bool
	LatestOnly    bool
}

// CompatibilityResult is the outcome of a compatibility check.
type CompatibilityResult struct {
	Compatible bool
	// Messages are Confluent-style lines ({errorType:…}, then
	// {oldSchemaVersion: N}, …), empty when compatible.
	Messages []string
}
