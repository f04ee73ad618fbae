package avrocompat

import (
	"fmt"
	"strings"
	"unicode"
)

// kind is an Avro schema type.
type kind uint8

const (
	kNull kind = iota
	kBoolean
	kInt
	kLong
	kFloat
	kDouble
	kBytes
	kString
	kRecord
	kEnum
	kFixed
	kArray
	kMap
	kUnion
)

var kindNames = [...]string{
	kNull: "null", kBoolean: "boolean", kInt: "int", kLong: "long",
	kFloat: "float", kDouble: "double", kBytes: "bytes", kString: "string",
	kRecord: "record", kEnum: "enum", kFixed: "fixed", kArray: "array",
	kMap: "map", kUnion: "union",
}

func (k kind) String() string { return kindNames[k] }

// upper is the Java Schema.Type constant name, used in Avro's messages.
func (k kind) upper() string { return strings.ToUpper(kindNames[k]) }

func (k kind) named() bool { return k == kRecord || k == kEnum || k == kFixed }

var primitiveKinds = map[string]kind{
	"null": kNull, "boolean": kBoolean, "int": kInt, "long": kLong,
	"float": kFloat, "double": kDouble, "bytes": kBytes, "string": kString,
}

// node is one parsed schema. Named types are shared: every reference to a
// record, enum or fixed points at the node that defined it, so the graph may
// contain cycles (recursive records).
type node struct {
	kind kind

	// Named types (record, enum, fixed).
	name    string   // simple name
	space   string   // namespace, "" for none
	aliases []string // full names, in source order, without duplicates
	doc     *string  // nil when absent
	isError bool     // record declared with "type":"error"

	fields      []*field       // record
	fieldPos    map[string]int // record: field name -> index in fields
	symbols     []string       // enum
	enumDefault *string        // enum; always one of symbols
	size        int            // fixed

	items    *node   // array items, map values
	branches []*node // union

	// props are the custom properties (every non-reserved attribute,
	// logicalType included) in source order, as Java's JsonProperties keeps
	// them. Unions have none.
	props []member
}

func (n *node) fullName() string {
	if n.space == "" {
		return n.name
	}
	return n.space + "." + n.name
}

func (n *node) prop(key string) *jval {
	for _, m := range n.props {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// field is a record field.
type field struct {
	name    string
	typ     *node
	doc     *string
	def     *jval // nil when there is no default
	order   string
	aliases []string // as written (field aliases are not namespaced)
	props   []member
}

// Java's reserved attribute names: anything else is a custom property.
var (
	schemaReserved = set("doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases")
	enumReserved   = set("doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases", "default")
	fieldReserved  = set("default", "doc", "name", "order", "type", "aliases")
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// validName reports whether s is a valid Avro name part as Java's default
// validator sees it: a letter or '_' followed by letters, digits or '_'
// (Character.isLetter / isLetterOrDigit, so non-ASCII letters are allowed).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && unicode.IsDigit(r):
		default:
			return false
		}
	}
	return true
}

// splitName resolves a possibly dotted name against the enclosing namespace,
// as Java's Schema.Name constructor does.
func splitName(name, space string) (simple, ns string, err error) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ns, simple = name[:i], name[i+1:]
	} else {
		simple, ns = name, space
	}
	if !validName(simple) {
		return "", "", fmt.Errorf("illegal name %q", name)
	}
	if ns != "" {
		for part := range strings.SplitSeq(ns, ".") {
			if !validName(part) {
				return "", "", fmt.Errorf("illegal namespace %q", ns)
			}
		}
	}
	return simple, ns, nil
}

func qualify(simple, ns string) string {
	if ns == "" {
		return simple
	}
	return ns + "." + simple
}
