// Package avrocompat parses Avro schemas, computes their canonical forms and
// checks reader/writer compatibility with Confluent's rules.
//
// # Parsing
//
// [New] returns a [compat.Format]. Parse uses this package's own
// order-preserving JSON reader and name resolver, written to accept what
// Java's Schema.Parser accepts (with default validation on), because
// Confluent's verdicts and canonical text are Java's. It builds the schema
// graph the checker and the writers use. References are parsed first, in the
// order given, into the same per-call name table, so the schema may use the
// named types they define; nothing is shared between calls.
//
// github.com/hamba/avro/v2 is not the gatekeeper: it rejects schemas Java
// accepts (an upper-case field "order", a reference to a null-namespace type
// from inside a namespace, which Java resolves by falling back to the null
// namespace) and loses what the canonical form needs (property order, number
// literals). It is used, with a fresh avro.SchemaCache per call and never the
// package-global cache, only as a reference implementation in tests.
//
// # Canonical form
//
// Canonical returns what Confluent stores: Java's Schema.toString(refs,
// false), i.e. compact JSON where a schema without attributes is a bare
// string ("string", not {"type":"string"}); records print type, name,
// namespace, doc, fields, custom properties, aliases; fields print name,
// type, doc, default, order (unless ascending), aliases, properties; a named
// type is printed in full the first time and by name afterwards; a namespace
// is printed only when it differs from the enclosing one; the top-level named
// types of references are printed by name. Custom properties (logicalType
// included) keep their source order, numbers are re-printed as Jackson prints
// the JsonNode it parsed (1.50 as 1.5, 1e3 as 1000.0) and strings are escaped
// as Jackson escapes them. The writer is a single pass over the graph.
//
// # Normalized form
//
// Normalized returns what Confluent stores for normalize=true: the schema is
// rebuilt as Confluent's AvroSchemaUtils does (fully qualified names, custom
// properties and aliases sorted, the logical type attributes first, defaults
// re-encoded by the field's type so that 1 for a double becomes 1.0, "error"
// becoming "record", empty named-type docs dropped) and the result is then
// printed in canonical form, as Confluent does when it stores it. Known
// differences from Confluent: property keys are sorted by UTF-8 bytes (Java
// sorts UTF-16 code units; they differ only for characters above U+FFFF),
// and a logical type counts as valid when its name is one Avro 1.12 knows
// and its base type (and, for decimal, precision and scale) fit; Java's
// registry of custom logical types is not modelled. Confluent's quirks are
// kept on purpose: a named type in the null namespace nested inside a
// namespaced one is written without a namespace and so moves into the
// enclosing namespace when the normalized text is re-parsed.
//
// # Leniencies
//
// A second definition of a named type that is identical to the first is
// accepted (Java says "Can't redefine"); it occurs when a canonical text
// repeats a type nested inside one of its references, and accepting it keeps
// Parse(Canonical(x)) working. Field defaults are validated as Java's parser
// does with default validation on, with a bound on the work a record default
// can cause.
//
// # Compatibility
//
// Check is a re-implementation of Apache Avro's
// SchemaCompatibility.checkReaderWriterCompatibility, which Confluent calls
// unchanged; see rules.go for the rule table and walk.go for the traversal.
// Unlike Avro it reports every incompatibility with the path where it occurs
// (Avro memoises a shared named type's result and repeats the first path).
// Messages use Confluent's descriptions, with "new" for the reader and "old"
// for the writer, since BACKWARD calls Check(new, old).
package avrocompat

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/charterhq/charter/compat"
)

// New returns the Avro format.
func New() compat.Format { return format{} }

type format struct{}

// Schema is a parsed Avro schema.
type schema struct {
	root     *node
	refNodes []*node  // top-level nodes of the references, in order
	refTexts []string // the reference texts, for re-parsing the normalized form
	text     string

	canonicalOnce  sync.Once
	canonical      string
	normalizedOnce sync.Once
	normalized     string
}

// Parse implements [compat.Format].
func (format) Parse(text string, refs []compat.Reference) (compat.Schema, error) {
	s, err := parse(text, refs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", compat.ErrInvalidSchema, err.Error())
	}
	return s, nil
}

func parse(text string, refs []compat.Reference) (s *schema, err error) {
	// The parser should never panic, but a panic here would take a request
	// (or the process) down; treat it as an invalid schema instead.
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("schema could not be parsed: %v", p)
		}
	}()
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("empty schema")
	}
	s = &schema{}
	r := newResolver()
	for _, ref := range refs {
		n, err := r.parseText(ref.Text)
		if err != nil {
			return nil, fmt.Errorf("reference %q: %w", ref.Name, err)
		}
		if err := validateDefaults(n); err != nil {
			return nil, fmt.Errorf("reference %q: %w", ref.Name, err)
		}
		s.refNodes = append(s.refNodes, n)
		s.refTexts = append(s.refTexts, ref.Text)
	}
	if s.root, err = r.parseText(text); err != nil {
		return nil, err
	}
	if err := validateDefaults(s.root); err != nil {
		return nil, err
	}
	s.text = text
	return s, nil
}

// hambaSchema parses the schema with github.com/hamba/avro/v2, using a fresh
// SchemaCache (never the package-global one, which would share named types
// between callers): references first, then the schema. It returns an error
// where hamba is stricter than Java (see the package doc).
func (s *schema) hambaSchema() (hs avro.Schema, err error) {
	defer func() {
		if p := recover(); p != nil {
			hs, err = nil, fmt.Errorf("hamba/avro panicked: %v", p)
		}
	}()
	cache := &avro.SchemaCache{}
	for _, t := range s.refTexts {
		if _, err := avro.ParseWithCache(t, "", cache); err != nil {
			return nil, err
		}
	}
	return avro.ParseWithCache(s.text, "", cache)
}

// Canonical implements [compat.Schema].
func (s *schema) Canonical() string {
	s.canonicalOnce.Do(func() { s.canonical = canonical(s.root, s.refNodes) })
	return s.canonical
}

// Normalized implements [compat.Schema].
func (s *schema) Normalized() string {
	s.normalizedOnce.Do(func() { s.normalized = s.normalize() })
	return s.normalized
}

// Rules implements [compat.Checker].
func (format) Rules() []compat.Rule {
	out := make([]compat.Rule, len(rules))
	for i, r := range rules {
		out[i] = compat.Rule{ID: r.id, Purpose: r.purpose}
	}
	return out
}

// Check implements [compat.Checker].
func (format) Check(reader, writer compat.Schema, _ compat.Options) ([]compat.Finding, error) {
	r, ok := reader.(*schema)
	if !ok || r == nil {
		return nil, fmt.Errorf("avrocompat: reader schema %T was not parsed by this package", reader)
	}
	w, ok := writer.(*schema)
	if !ok || w == nil {
		return nil, fmt.Errorf("avrocompat: writer schema %T was not parsed by this package", writer)
	}
	return check(r.root, w.root), nil
}
