// Package compat defines the contract between the registry and the schema
// formats it understands: parsing a schema text into a [Schema], and checking
// whether a reader schema can read data written with a writer schema.
//
// # Rules and levels
//
// A format reports incompatibilities as [Finding]s, each produced by a named
// [Rule]. Rules only answer "can reader read writer?". Compatibility levels
// (BACKWARD, FORWARD, FULL and their transitive forms) are composed by the
// registry from that single question, the way buf composes rule categories:
//
//	BACKWARD = Check(reader: new, writer: old)
//	FORWARD  = Check(reader: old, writer: new)
//	FULL     = both
//
// Rule IDs are the identifiers Confluent clients already see in
// {errorType:"…"} messages, so Charter's 409 messages read the same.
//
// This package imports only the standard library; it knows no format.
package compat

import (
	"errors"
	"fmt"
)

// A Finding is one incompatibility reported by a rule. Findings are results,
// not errors: Check returns an error only when it cannot run at all.
type Finding struct {
	Rule string // stable ID, e.g. "READER_FIELD_MISSING_DEFAULT_VALUE"
	// Path locates the element: a JSON pointer for Avro and JSON Schema
	// ("/fields/2"), the element's full name for Protobuf ("acme.Order.id").
	Path string
	// File, Line and Column locate the element in source text when the
	// format knows it (Protobuf); Line and Column count from 1, 0 = unknown.
	File         string
	Line, Column int
	Message      string // one sentence for humans
	// Detail is terse machine-oriented context (Confluent's
	// "additionalInfo", e.g. "reader type: STRING not compatible with
	// writer type: DOUBLE"); may be empty.
	Detail string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s %s: %s", f.Rule, f.Path, f.Message)
}

// Rule describes one check; the table of rules is the documentation.
type Rule struct {
	ID      string
	Purpose string
}

// Reference is a schema that the schema being parsed refers to by name (an
// Avro named type, a Protobuf import, a JSON Schema $ref). References are
// passed to Parse already resolved, dependencies before dependents.
type Reference struct {
	Name string // the name used in the referring schema
	Text string // the referenced schema's text
}

// Schema is a parsed, valid schema.
type Schema interface {
	// Canonical is the text the registry stores and serves for this schema
	// (Confluent's canonical string for the format). Parsing the canonical
	// text again yields the same canonical text.
	Canonical() string
	// Normalized is the text stored when normalization is requested; two
	// schemas that differ only in ways normalization removes have equal
	// Normalized texts.
	Normalized() string
}

// Options tune a check. The zero value is Confluent's default behaviour.
type Options struct {
	// Policy is Confluent's compatibilityPolicy: "" or "STRICT" (default),
	// "LENIENT" (relaxed JSON Schema rules). Formats ignore values they do
	// not use.
	Policy string
	// RuleSet selects a stricter Charter rule set where a format offers
	// one: for Protobuf "WIRE" or "WIRE_JSON" (buf's categories). "" means
	// Confluent's rules.
	RuleSet string
}

// Checker reports what prevents reader from reading data written with writer.
type Checker interface {
	// Check returns no findings when reader can read all data written with
	// writer. Both schemas must come from the same Format's Parse.
	Check(reader, writer Schema, opts Options) ([]Finding, error)
	// Rules lists every rule Check can report, in a stable order.
	Rules() []Rule
}

// Format is one schema language: a parser and its checker.
type Format interface {
	// Parse parses and validates text. It returns an error wrapping
	// ErrInvalidSchema whose message is safe to show to clients when the
	// text is not a valid schema.
	Parse(text string, refs []Reference) (Schema, error)
	Checker
}

// ErrInvalidSchema is wrapped by Parse errors caused by the input.
var ErrInvalidSchema = errors.New("invalid schema")

// TagEdit adds or removes inline tags on one element of a schema
// (Confluent's SchemaTags: {"schemaEntity":{"entityPath","entityType"},"tags"}).
type TagEdit struct {
	EntityType string // "sr_record" or "sr_field"
	EntityPath string // record full name, or record full name + "." + field name
	Tags       []string
}

// Tagger is implemented by formats whose schemas carry inline tags
// (Avro's "confluent:tags" property). EditTags returns the schema text with
// the edits applied; the caller parses it again.
type Tagger interface {
	EditTags(s Schema, add, remove []TagEdit) (string, error)
}
