package registry

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// SchemaID identifies schema content within a context. The Confluent wire
// format carries it as a 4-byte big-endian integer.
type SchemaID int32

// SchemaType is the schema language.
type SchemaType string

// The schema languages. The empty SchemaType decodes to Avro, Confluent's
// default.
const (
	Avro     SchemaType = "AVRO"
	Protobuf SchemaType = "PROTOBUF"
	JSON     SchemaType = "JSON"
)

// ParseSchemaType parses a schemaType field. Matching is case-sensitive, as
// in Confluent; "" means AVRO.
func ParseSchemaType(s string) (SchemaType, error) {
	switch SchemaType(s) {
	case "":
		return Avro, nil
	case Avro, Protobuf, JSON:
		return SchemaType(s), nil
	}
	return "", Errorf(InvalidSchema, "Invalid schema type %s", s)
}

// Reference points from a schema to another registered schema it uses.
// Subject is as written by the client (relative to the referring schema's
// context); see [Subject.In].
type Reference struct {
	Name    string  `json:"name"`
	Subject Subject `json:"subject"`
	Version Version `json:"version"`
}

// Metadata is the data-contract metadata of a schema. The registry stores
// and validates it; clients act on it.
type Metadata struct {
	Tags       map[string][]string `json:"tags,omitempty"`
	Properties map[string]string   `json:"properties,omitempty"`
	Sensitive  []string            `json:"sensitive,omitempty"`
}

// RuleSet holds data-contract rules. The registry validates their shape;
// clients execute them.
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

// Schema is immutable schema content, identified within a context by ID and
// everywhere by Fingerprint.
type Schema struct {
	ID         SchemaID
	Type       SchemaType
	Text       string // canonical text, as served
	References []Reference
	Metadata   *Metadata
	RuleSet    *RuleSet
	// Fingerprint is the hex MD5 of the identity key (canonical text,
	// references, metadata, rule set). Schema type is not part of it, as in
	// Confluent.
	Fingerprint string
}

// GUID formats the fingerprint as a UUID, Confluent's "guid".
func (s Schema) GUID() string {
	f := s.Fingerprint
	if len(f) != 32 {
		return ""
	}
	return f[0:8] + "-" + f[8:12] + "-" + f[12:16] + "-" + f[16:20] + "-" + f[20:32]
}

// Fingerprint computes the identity key of schema content.
func Fingerprint(text string, refs []Reference, md *Metadata, rs *RuleSet) string {
	h := md5.New()
	h.Write([]byte(text))
	for _, r := range refs {
		h.Write([]byte(r.Name))
		h.Write([]byte(r.Subject))
		h.Write([]byte(strconv.Itoa(int(r.Version))))
	}
	if md != nil {
		b, _ := json.Marshal(md) // maps marshal with sorted keys: stable
		h.Write([]byte{1})
		h.Write(b)
	}
	if rs != nil {
		b, _ := json.Marshal(rs)
		h.Write([]byte{1})
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SubjectVersion is one version of a subject: the link between a subject
// and schema content.
type SubjectVersion struct {
	Subject   Subject
	Version   Version
	SchemaID  SchemaID
	Deleted   bool // soft-deleted
	CreatedAt time.Time
}

// SubjectSchema is a subject version together with its schema content, the
// view most reads return.
type SubjectSchema struct {
	SubjectVersion
	Schema Schema
}

func (s SubjectSchema) String() string {
	return fmt.Sprintf("%s/%d (id %d)", s.Subject, s.Version, s.Schema.ID)
}
