// Package confluent holds the wire types of the Confluent Schema Registry
// REST API: request and response bodies with Confluent's exact JSON field
// names, its error codes and its media types.
//
// The package imports only the standard library and has no behaviour, so
// clients (the ci gate, tests) can speak the protocol without importing the
// server. Field tags follow Confluent's Jackson settings: response entities
// are NON_EMPTY (empty fields omitted) except where a comment says
// otherwise.
package confluent

// Media types of the Confluent API. Requests may use any of the first four;
// responses use MediaTypeV1 unless the client asks only for another one.
const (
	MediaTypeV1      = "application/vnd.schemaregistry.v1+json"
	MediaTypeDefault = "application/vnd.schemaregistry+json"
	MediaTypeJSON    = "application/json"
	MediaTypeOctet   = "application/octet-stream" // accepted as JSON
)

// Error codes carried in ErrorResponse.ErrorCode. Five-digit codes start
// with their HTTP status; the router's own errors use the status itself.
const (
	CodeBadRequest       = 400 // malformed JSON
	CodeNotFound         = 404 // unknown route
	CodeMethodNotAllowed = 405
	CodeEntityTooLarge   = 413
	CodeUnsupportedMedia = 415

	CodeSubjectNotFound        = 40401
	CodeVersionNotFound        = 40402
	CodeSchemaNotFound         = 40403
	CodeSubjectSoftDeleted     = 40404
	CodeSubjectNotSoftDeleted  = 40405
	CodeVersionSoftDeleted     = 40406
	CodeVersionNotSoftDeleted  = 40407
	CodeSubjectConfigNotFound  = 40408
	CodeSubjectModeNotFound    = 40409
	CodeIncompatible           = 409   // every release up to 8.0.3/8.1.1
	CodeIncompatibleV8         = 40901 // 8.0.4+, 8.1.2+, 8.2+
	CodeInvalidSchema          = 42201
	CodeInvalidVersion         = 42202
	CodeInvalidCompatibility   = 42203
	CodeInvalidMode            = 42204
	CodeOperationNotPermitted  = 42205
	CodeReferenceExists        = 42206
	CodeIDMismatch             = 42207
	CodeInvalidSubject         = 42208
	CodeSchemaTooLarge         = 42209
	CodeInvalidRuleSet         = 42210
	CodeContextNotEmpty        = 42211
	CodeInternal               = 500
	CodeStoreError             = 50001
	CodeOperationTimeout       = 50002
	CodeForwardingError        = 50003
	CodeLeaderUnknown          = 50004
	CodeUnparseableResponseErr = 50005 // client side only
)

// ErrorResponse is the body of every error.
type ErrorResponse struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

// SchemaReference points at another registered schema.
type SchemaReference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Metadata is data-contract metadata (tags, properties, sensitive names).
type Metadata struct {
	Tags       map[string][]string `json:"tags,omitempty"`
	Properties map[string]string   `json:"properties,omitempty"`
	Sensitive  []string            `json:"sensitive,omitempty"`
}

// RuleSet holds data-contract rules.
type RuleSet struct {
	MigrationRules []Rule `json:"migrationRules,omitempty"`
	DomainRules    []Rule `json:"domainRules,omitempty"`
	EncodingRules  []Rule `json:"encodingRules,omitempty"`
	EnableAt       string `json:"enableAt,omitempty"`
}

// Rule is one data-contract rule.
type Rule struct {
	Name      string            `json:"name"`
	Doc       string            `json:"doc,omitempty"`
	Kind      string            `json:"kind,omitempty"`
	Mode      string            `json:"mode,omitempty"`
	Type      string            `json:"type,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
	Expr      string            `json:"expr,omitempty"`
	OnSuccess string            `json:"onSuccess,omitempty"`
	OnFailure string            `json:"onFailure,omitempty"`
	Disabled  bool              `json:"disabled,omitempty"`
}

// SchemaEntity names a place in a schema that inline tags apply to.
type SchemaEntity struct {
	EntityPath string `json:"entityPath"`
	EntityType string `json:"entityType"` // "sr_record" or "sr_field"
}

// SchemaTags is a set of inline tags for one schema entity.
type SchemaTags struct {
	SchemaEntity SchemaEntity `json:"schemaEntity"`
	Tags         []string     `json:"tags"`
}

// RegisterSchemaRequest is the body of POST /subjects/{s}/versions,
// POST /subjects/{s} (lookup) and the compatibility checks.
type RegisterSchemaRequest struct {
	Schema     string            `json:"schema,omitempty"`
	SchemaType string            `json:"schemaType,omitempty"` // "" means AVRO
	References []SchemaReference `json:"references,omitempty"`
	Metadata   *Metadata         `json:"metadata,omitempty"`
	RuleSet    *RuleSet          `json:"ruleSet,omitempty"`
	// ID is an explicit schema id, accepted in IMPORT mode only. It is a
	// pointer because "id":0 is explicit too.
	ID *int `json:"id,omitempty"`
	// Version is an explicit version; 0 means the next one and -1 means
	// "next, but compare against the latest only for idempotency".
	Version             int          `json:"version,omitempty"`
	SchemaTagsToAdd     []SchemaTags `json:"schemaTagsToAdd,omitempty"`
	SchemaTagsToRemove  []SchemaTags `json:"schemaTagsToRemove,omitempty"`
	PropagateSchemaTags bool         `json:"propagateSchemaTags,omitempty"`
}

// TagSchemaRequest is the body of POST /subjects/{s}/versions/{v}/tags:
// edits that produce a new version.
type TagSchemaRequest struct {
	NewVersion    int          `json:"newVersion,omitempty"`
	TagsToAdd     []SchemaTags `json:"tagsToAdd,omitempty"`
	TagsToRemove  []SchemaTags `json:"tagsToRemove,omitempty"`
	Metadata      *Metadata    `json:"metadata,omitempty"`
	RuleSet       *RuleSet     `json:"ruleSet,omitempty"`
	RulesToMerge  *RuleSet     `json:"rulesToMerge,omitempty"`
	RulesToRemove []string     `json:"rulesToRemove,omitempty"`
}

// RegisterSchemaResponse answers a registration. CP ≤ 7.4 sent only id;
// later releases send the stored schema as well.
type RegisterSchemaResponse struct {
	ID         int               `json:"id"`
	Version    int               `json:"version,omitempty"`
	GUID       string            `json:"guid,omitempty"`
	SchemaType string            `json:"schemaType,omitempty"`
	References []SchemaReference `json:"references,omitempty"`
	Metadata   *Metadata         `json:"metadata,omitempty"`
	RuleSet    *RuleSet          `json:"ruleSet,omitempty"`
	Schema     string            `json:"schema,omitempty"`
	Ts         int64             `json:"ts,omitempty"`
	Deleted    bool              `json:"deleted"`
}

// Schema is the subject-version view returned by GET
// /subjects/{s}/versions/{v}, POST /subjects/{s} and GET /schemas.
// SchemaType is always present (CP 8.x style; older releases left it out
// for AVRO).
type Schema struct {
	Subject    string            `json:"subject"`
	Version    int               `json:"version"`
	ID         int               `json:"id"`
	GUID       string            `json:"guid,omitempty"`
	SchemaType string            `json:"schemaType"`
	References []SchemaReference `json:"references,omitempty"`
	Metadata   *Metadata         `json:"metadata,omitempty"`
	RuleSet    *RuleSet          `json:"ruleSet,omitempty"`
	Schema     string            `json:"schema"`
	Ts         int64             `json:"ts,omitempty"`
	Deleted    bool              `json:"deleted"`
}

// SchemaString is the by-id view returned by GET /schemas/ids/{id}.
// Subject and Version are set only when the request named a subject;
// MaxID only with fetchMaxId=true.
type SchemaString struct {
	Schema     string            `json:"schema"`
	SchemaType string            `json:"schemaType"`
	References []SchemaReference `json:"references,omitempty"`
	Metadata   *Metadata         `json:"metadata,omitempty"`
	RuleSet    *RuleSet          `json:"ruleSet,omitempty"`
	GUID       string            `json:"guid,omitempty"`
	MaxID      int               `json:"maxId,omitempty"`
	Subject    string            `json:"subject,omitempty"`
	Version    int               `json:"version,omitempty"`
	Ts         int64             `json:"ts,omitempty"`
	Deleted    bool              `json:"deleted,omitempty"`
}

// SubjectVersion is one element of GET /schemas/ids/{id}/versions.
type SubjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// ContextID is one element of GET /schemas/guids/{guid}/ids.
type ContextID struct {
	Context string `json:"context"`
	ID      int    `json:"id"`
}

// CompatibilityCheckResponse answers POST /compatibility/.... Confluent
// serializes it NON_NULL: Messages is present (possibly empty) exactly when
// the request asked for verbose=true, which omitzero reproduces.
type CompatibilityCheckResponse struct {
	IsCompatible bool     `json:"is_compatible"`
	Messages     []string `json:"messages,omitzero"`
}

// Config is the body of GET /config[/{s}] and DELETE /config[/{s}]. Note
// the level key: compatibilityLevel here, compatibility in ConfigUpdate.
type Config struct {
	CompatibilityLevel  string `json:"compatibilityLevel,omitempty"`
	CompatibilityPolicy string `json:"compatibilityPolicy,omitempty"`
	CompatibilityGroup  string `json:"compatibilityGroup,omitempty"`
	// CompatibilityRuleSet is Charter's extension: a stricter rule set
	// (Protobuf: WIRE, WIRE_JSON). Confluent clients ignore it.
	CompatibilityRuleSet string    `json:"compatibilityRuleSet,omitempty"`
	Normalize            *bool     `json:"normalize,omitempty"`
	ValidateFields       *bool     `json:"validateFields,omitempty"`
	Alias                string    `json:"alias,omitempty"`
	DefaultMetadata      *Metadata `json:"defaultMetadata,omitempty"`
	OverrideMetadata     *Metadata `json:"overrideMetadata,omitempty"`
	DefaultRuleSet       *RuleSet  `json:"defaultRuleSet,omitempty"`
	OverrideRuleSet      *RuleSet  `json:"overrideRuleSet,omitempty"`
}

// ConfigUpdate is the body of PUT /config[/{s}] and of its response. A
// server reading it must tell an absent field (keep) from an explicit null
// (clear), which this struct cannot; it serves clients and responses.
type ConfigUpdate struct {
	Compatibility       string `json:"compatibility,omitempty"`
	CompatibilityPolicy string `json:"compatibilityPolicy,omitempty"`
	CompatibilityGroup  string `json:"compatibilityGroup,omitempty"`
	// CompatibilityRuleSet is Charter's extension: a stricter rule set
	// (Protobuf: WIRE, WIRE_JSON). Confluent clients ignore it.
	CompatibilityRuleSet string    `json:"compatibilityRuleSet,omitempty"`
	Normalize            *bool     `json:"normalize,omitempty"`
	ValidateFields       *bool     `json:"validateFields,omitempty"`
	Alias                string    `json:"alias,omitempty"`
	DefaultMetadata      *Metadata `json:"defaultMetadata,omitempty"`
	OverrideMetadata     *Metadata `json:"overrideMetadata,omitempty"`
	DefaultRuleSet       *RuleSet  `json:"defaultRuleSet,omitempty"`
	OverrideRuleSet      *RuleSet  `json:"overrideRuleSet,omitempty"`
}

// Mode is the body of GET, PUT and DELETE /mode[/{s}]. An empty Mode
// renders as {} (DELETE ?recursive=true with nothing to delete).
type Mode struct {
	Mode string `json:"mode,omitempty"`
}

// ServerVersion is the body of GET /v1/metadata/version.
type ServerVersion struct {
	Version  string `json:"version"`
	CommitID string `json:"commitId"`
}

// ServerClusterID is the body of GET /v1/metadata/id.
type ServerClusterID struct {
	ID    string       `json:"id"`
	Scope ClusterScope `json:"scope"`
}

// ClusterScope locates a server: Path is always empty and Clusters maps
// "kafka-cluster" and "schema-registry-cluster" to ids.
type ClusterScope struct {
	Path     []string          `json:"path"`
	Clusters map[string]string `json:"clusters"`
}
