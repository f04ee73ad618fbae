package avrocompat

import (
	"strconv"
	"strings"
)

// canonical prints root as Java's Schema.toString(refs, false) does. The
// top-level named types of the references count as already printed, so they
// appear by name.
func canonical(root *node, refs []*node) string {
	c := canonWriter{printed: make(map[string]bool)}
	for _, r := range refs {
		if r.kind.named() {
			c.printed[r.fullName()] = true
		}
	}
	c.schema(root, "")
	return string(c.buf)
}

type canonWriter struct {
	jsonWriter
	printed map[string]bool // full names already printed in full
}

// typeNames are Java's Schema.Type names: a named type whose simple name is
// one of these is always printed with its namespace (Name.shouldWriteFull).
var typeNames = set("record", "enum", "array", "map", "union", "fixed", "string", "bytes", "int", "long", "float", "double", "boolean", "null")

// qualified is Java's Name.getQualified(defaultSpace).
func qualified(full, defaultSpace string) string {
	i := strings.LastIndexByte(full, '.')
	if i < 0 {
		return full
	}
	space, simple := full[:i], full[i+1:]
	if space == defaultSpace && !typeNames[simple] {
		return simple
	}
	return full
}

// schema writes n; space is the enclosing namespace (Java's names.space).
func (c *canonWriter) schema(n *node, space string) {
	switch n.kind {
	case kRecord, kEnum, kFixed:
		c.named(n, space)
	case kArray, kMap:
		c.raw(`{"type":`)
		if n.kind == kArray {
			c.raw(`"array","items":`)
		} else {
			c.raw(`"map","values":`)
		}
		c.schema(n.items, space)
		c.props(n.props)
		c.byte('}')
	case kUnion:
		c.byte('[')
		for i, b := range n.branches {
			if i > 0 {
				c.byte(',')
			}
			c.schema(b, space)
		}
		c.byte(']')
	default:
		if len(n.props) == 0 {
			c.str(n.kind.String())
			return
		}
		c.raw(`{"type":`)
		c.str(n.kind.String())
		c.props(n.props)
		c.byte('}')
	}
}

func (c *canonWriter) props(props []member) {
	for _, p := range props {
		c.key(p.key, false)
		c.value(p.val)
	}
}

func (c *canonWriter) named(n *node, space string) {
	full := n.fullName()
	if c.printed[full] {
		c.str(qualified(full, space))
		return
	}
	c.printed[full] = true
	c.raw(`{"type":`)
	switch {
	case n.kind == kEnum:
		c.raw(`"enum"`)
	case n.kind == kFixed:
		c.raw(`"fixed"`)
	case n.isError:
		c.raw(`"error"`)
	default:
		c.raw(`"record"`)
	}
	c.raw(`,"name":`)
	c.str(n.name)
	switch {
	case n.space != "" && n.space != space:
		c.raw(`,"namespace":`)
		c.str(n.space)
	case n.space == "" && space != "":
		c.raw(`,"namespace":""`)
	}
	if n.doc != nil {
		c.raw(`,"doc":`)
		c.str(*n.doc)
	}
	switch n.kind {
	case kRecord:
		c.raw(`,"fields":[`)
		for i, f := range n.fields {
			if i > 0 {
				c.byte(',')
			}
			c.field(f, n.space)
		}
		c.byte(']')
	case kEnum:
		c.raw(`,"symbols":[`)
		for i, s := range n.symbols {
			if i > 0 {
				c.byte(',')
			}
			c.str(s)
		}
		c.byte(']')
		if n.enumDefault != nil {
			c.raw(`,"default":`)
			c.str(*n.enumDefault)
		}
	case kFixed:
		c.raw(`,"size":`)
		c.raw(strconv.Itoa(n.size))
	}
	c.props(n.props)
	if len(n.aliases) > 0 {
		c.raw(`,"aliases":[`)
		for i, a := range n.aliases {
			if i > 0 {
				c.byte(',')
			}
			c.str(aliasName(a, n.space))
		}
		c.byte(']')
	}
	c.byte('}')
}

// aliasName prints a named type's alias relative to the type's namespace.
// An alias in no namespace, inside a type that has one, is written with a
// leading dot: Java writes it bare, which parses back into the type's own
// namespace (a different alias), so its canonical form would not be stable.
func aliasName(full, space string) string {
	if !strings.Contains(full, ".") && space != "" {
		return "." + full
	}
	return qualified(full, space)
}

func (c *canonWriter) field(f *field, space string) {
	c.raw(`{"name":`)
	c.str(f.name)
	c.raw(`,"type":`)
	c.schema(f.typ, space)
	if f.doc != nil {
		c.raw(`,"doc":`)
		c.str(*f.doc)
	}
	if f.def != nil {
		c.raw(`,"default":`)
		c.value(f.def)
	}
	if f.order != "ascending" {
		c.raw(`,"order":`)
		c.str(f.order)
	}
	if len(f.aliases) > 0 {
		c.raw(`,"aliases":[`)
		for i, a := range f.aliases {
			if i > 0 {
				c.byte(',')
			}
			c.str(a)
		}
		c.byte(']')
	}
	c.props(f.props)
	c.byte('}')
}
