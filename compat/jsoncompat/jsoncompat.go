// Package jsoncompat parses JSON Schemas, computes their canonical and
// normalized forms, checks reader/writer compatibility with Confluent
// Schema Registry's JSON Schema rules, and bundles a schema with its
// references into one self-contained document.
//
// # Parsing
//
// [New] returns a [compat.Format]. Parse accepts a JSON object or a boolean
// schema (true, false). The draft comes from $schema (draft-04, draft-06,
// draft-07, 2019-09 and 2020-12, http or https, with or without a trailing
// "#"); without $schema it is draft 7, as in Confluent. Each document (the
// schema and every reference) is validated against its draft's meta-schema
// with github.com/santhosh-tekuri/jsonschema/v6, through a loader that
// serves only those documents: the meta-schemas come from the library's
// embedded copies, and nothing is ever read from the network or the file
// system. Errors wrap [compat.ErrInvalidSchema] and say what is wrong and
// where (a line and column for JSON syntax, a JSON pointer for meta-schema
// violations, the $ref text for a reference that cannot be resolved).
//
// References are resolved the way Confluent resolves them: each
// [compat.Reference] is registered under its Name (the $ref URI as written)
// resolved against the schema's base URI (its $id, or an internal base
// when it has none), under the Name as given, and under the reference's
// own $id. Local references (#/definitions/..., #/$defs/..., $id-based
// URIs, $anchor and draft 6/7 plain-name fragments) resolve inside the
// documents. $dynamicRef and $recursiveRef resolve statically, like $ref.
// A $ref that resolves to none of this is an error naming it.
//
// # Canonical and normalized forms
//
// Canonical is the compact JSON Confluent stores: members in source order,
// strings escaped as Jackson escapes them, numbers with their literal text
// (never re-printed through float64; Confluent's Jackson may print an
// exponent differently, e.g. 1e3 as 1E+3). A repeated member keeps its
// first position and its last value, as Jackson's ObjectNode does.
// Normalized is the same with the members of every object sorted by key
// (UTF-16 order, as Java sorts), so member order does not change identity.
//
// # Compatibility
//
// Check(reader, writer) re-implements Confluent's SchemaDiff with
// original = writer and update = reader (BACKWARD calls Check(new, old)),
// from Confluent's documented behaviour; see rules.go for the rules and
// walk.go for the traversal. It reports only incompatible differences, one
// [compat.Finding] each, with Path a JSON pointer in URI-fragment form
// ("#/properties/a") into the reader schema; inside a reference the path
// is prefixed with the reference name ("address.json#/properties/zip").
// Options.Policy "LENIENT" applies Confluent's lenient set. Differences
// from Confluent, all deliberate:
//
//   - exclusiveMaximum decreases are found by comparing the old and new
//     exclusiveMaximum (Confluent compares with the new maximum and fails
//     when there is none);
//   - draft 4's boolean exclusiveMaximum/exclusiveMinimum are read as the
//     numeric keywords of draft 6;
//   - an additionalProperties/additionalItems/unevaluated* schema that
//     accepts everything counts as true, and an items or contains schema
//     that accepts everything may be added;
//   - under partially open content models the differences found while
//     testing coverage are folded into the one *_NOT_COVERED_* finding
//     (carried in Detail), so LENIENT can accept it;
//   - enum and const values compare as JSON values (1 equals 1.0).
//
// Like Confluent, the checker ignores if/then/else (adding, removing or
// changing it is compatible; compat-rules.md §2.5), format,
// contentEncoding, contentMediaType, propertyNames, patternProperties
// schemas other than for coverage, and annotations (title, description,
// default, $id, examples, ...). Other keywords shape the schema as
// everit-json-schema models it: e.g. adding enum or not next to a type
// turns it into an allOf of parts, which is TYPE_CHANGED.
package jsoncompat

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/charterhq/charter/compat"
)

// New returns the JSON Schema format.
func New() compat.Format { return format{} }

type format struct{}

// schema is a parsed JSON Schema with its references.
type schema struct {
	ix        *index
	root      *node
	canonical string

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

func describeKind(v *value) string {
	switch v.kind {
	case jnull:
		return "null"
	case jnumber:
		return "a number"
	case jstring:
		return "a string"
	case jarray:
		return "an array"
	}
	return "an object"
}

// parseDocument parses one document's text.
func parseDocument(text string) (*value, draft, error) {
	if strings.TrimSpace(text) == "" {
		return nil, 0, errors.New("empty schema")
	}
	v, err := parseJSON(text)
	if err != nil {
		return nil, 0, err
	}
	if v.kind != jobject && v.kind != jbool {
		return nil, 0, fmt.Errorf("a JSON Schema must be an object or a boolean, not %s", describeKind(v))
	}
	d := draft(7)
	if v.kind == jobject {
		if d, err = draftOf(v, 7); err != nil {
			return nil, 0, err
		}
	}
	return v, d, nil
}

// ownID returns the $id (draft 4: id) of a document's root without its
// fragment.
func ownID(v *value, d draft) string {
	if v.kind != jobject {
		return ""
	}
	id, _ := v.str(d.idKeyword())
	u, _ := splitFragment(id)
	return u
}

func parse(text string, refs []compat.Reference) (s *schema, err error) {
	// Nothing here should panic, but a panic would take a request (or the
	// process) down; report it as an invalid schema instead.
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("the schema could not be parsed: %v", p)
		}
	}()
	root, d, err := parseDocument(text)
	if err != nil {
		return nil, err
	}
	ix := newIndex()
	base := rootBase
	if id := ownID(root, d); id != "" {
		if base, err = resolveURI(rootBase, id); err != nil {
			return nil, fmt.Errorf("invalid %s %q at #: %v", d.idKeyword(), id, err)
		}
	}
	if err := ix.addDocument(&document{base: base, draft: d, root: root, prefix: "#"}); err != nil {
		return nil, err
	}
	for _, ref := range refs {
		if err := addReference(ix, base, ref); err != nil {
			return nil, err
		}
	}
	if err := ix.resolveAll(); err != nil {
		return nil, err
	}
	if err := validateMeta(ix); err != nil {
		return nil, err
	}
	b := &builder{ix: ix, nodes: map[loc]*node{}}
	s = &schema{ix: ix, root: b.node(loc{0, ""})}
	if err := refCycles(b.nodes); err != nil {
		return nil, err
	}
	var sb strings.Builder
	sb.Grow(len(text))
	writeJSON(&sb, root, false)
	s.canonical = sb.String()
	return s, nil
}

func addReference(ix *index, rootBase string, ref compat.Reference) error {
	v, d, err := parseDocument(ref.Text)
	if err != nil {
		return fmt.Errorf("reference %q: %w", ref.Name, err)
	}
	nameURI, err := resolveURI(rootBase, ref.Name)
	if err != nil {
		nameURI = ref.Name
	}
	nameURI, _ = splitFragment(nameURI)
	base := nameURI
	if id := ownID(v, d); id != "" {
		if b, err := resolveURI(nameURI, id); err == nil {
			base = b
		}
	}
	i := len(ix.docs)
	if err := ix.addDocument(&document{name: ref.Name, base: base, draft: d, root: v, prefix: ref.Name + "#"}); err != nil {
		return err
	}
	if _, ok := ix.resources[nameURI]; !ok {
		ix.resources[nameURI] = loc{i, ""}
	}
	return nil
}

// refCycles rejects references that only point at each other.
func refCycles(nodes map[loc]*node) error {
	all := make([]*node, 0, len(nodes))
	for _, n := range nodes {
		all = append(all, n)
	}
	slices.SortFunc(all, func(a, b *node) int { return strings.Compare(a.loc, b.loc) })
	ok := map[*node]bool{}
	for _, n := range all {
		seen := map[*node]bool{}
		var chain []*node
		for m := n; m.kind == kRef && !ok[m]; m = m.target {
			if seen[m] {
				return fmt.Errorf("$ref cycle at %s: the references point at each other and never at a schema", m.loc)
			}
			seen[m] = true
			chain = append(chain, m)
		}
		for _, m := range chain {
			ok[m] = true
		}
	}
	return nil
}

// Canonical implements [compat.Schema].
func (s *schema) Canonical() string { return s.canonical }

// Normalized implements [compat.Schema].
func (s *schema) Normalized() string {
	s.normalizedOnce.Do(func() {
		var sb strings.Builder
		sb.Grow(len(s.canonical))
		writeJSON(&sb, s.ix.docs[0].root, true)
		s.normalized = sb.String()
	})
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

// LenientRules lists the rule IDs that compatibility policy LENIENT
// accepts.
func LenientRules() []string {
	var out []string
	for _, r := range rules {
		if r.lenient {
			out = append(out, r.id)
		}
	}
	return out
}

// Check implements [compat.Checker].
func (format) Check(reader, writer compat.Schema, opts compat.Options) ([]compat.Finding, error) {
	r, ok := reader.(*schema)
	if !ok || r == nil {
		return nil, fmt.Errorf("jsoncompat: reader schema %T was not parsed by this package", reader)
	}
	w, ok := writer.(*schema)
	if !ok || w == nil {
		return nil, fmt.Errorf("jsoncompat: writer schema %T was not parsed by this package", writer)
	}
	var lenient bool
	switch strings.ToUpper(opts.Policy) {
	case "", "STRICT":
	case "LENIENT":
		lenient = true
	default:
		return nil, fmt.Errorf("jsoncompat: unknown compatibility policy %q (want STRICT or LENIENT)", opts.Policy)
	}
	return check(r.root, w.root, lenient), nil
}
