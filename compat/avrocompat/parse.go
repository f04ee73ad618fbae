package avrocompat

import (
	"errors"
	"fmt"
	"strings"
)

// resolver turns JSON trees into schema nodes, resolving names the way Java's
// Schema.Parser does. One resolver is used per Parse call, so named types
// never leak between calls; references are resolved into it first.
type resolver struct {
	names map[string]*node // full name -> named type
}

func newResolver() *resolver { return &resolver{names: make(map[string]*node)} }

// parseText parses one schema text.
func (r *resolver) parseText(text string) (*node, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("empty schema")
	}
	v, err := parseJSON(text)
	if err != nil {
		return nil, err
	}
	return r.parse(v, "")
}

// lookup finds a named type the way Java's Names.get does: first in the
// enclosing namespace (or the namespace in the name), then in the null
// namespace.
func (r *resolver) lookup(name, space string) *node {
	full := name
	if !strings.Contains(name, ".") {
		full = qualify(name, space)
	}
	if n := r.names[full]; n != nil {
		return n
	}
	return r.names[name]
}

func (r *resolver) parse(v *jval, space string) (*node, error) {
	switch v.kind {
	case jstring:
		if k, ok := primitiveKinds[v.s]; ok {
			return &node{kind: k}, nil
		}
		if n := r.lookup(v.s, space); n != nil {
			return n, nil
		}
		return nil, fmt.Errorf("undefined name: %q", v.s)
	case jarray:
		return r.parseUnion(v, space)
	case jobject:
		return r.parseObject(v, space)
	default:
		return nil, fmt.Errorf("a schema must be a JSON string, object or array, not %s", jsonKindName(v.kind))
	}
}

func jsonKindName(k jkind) string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

func (r *resolver) parseUnion(v *jval, space string) (*node, error) {
	u := &node{kind: kUnion, branches: make([]*node, 0, len(v.arr))}
	seen := make(map[string]bool, len(v.arr))
	for _, el := range v.arr {
		b, err := r.parse(el, space)
		if err != nil {
			return nil, err
		}
		if b.kind == kUnion {
			return nil, errors.New("nested union: a union may not directly contain another union")
		}
		key := b.kind.String()
		if b.kind.named() {
			key = b.fullName()
		}
		if seen[key] {
			return nil, fmt.Errorf("duplicate in union: %s", key)
		}
		seen[key] = true
		u.branches = append(u.branches, b)
	}
	return u, nil
}

func (r *resolver) parseObject(v *jval, space string) (*node, error) {
	t, ok := v.get("type").text()
	if !ok {
		if v.get("type") == nil {
			return nil, errors.New("no type in schema object")
		}
		return nil, errors.New(`"type" must be a string in a schema object`)
	}
	switch t {
	case "record", "error", "enum", "fixed":
		return r.parseNamed(v, t, space)
	case "array", "map":
		key := "items"
		k := kArray
		if t == "map" {
			key, k = "values", kMap
		}
		inner := v.get(key)
		if inner == nil {
			return nil, fmt.Errorf("%s has no %s", t, key)
		}
		n := &node{kind: k}
		var err error
		if n.items, err = r.parse(inner, space); err != nil {
			return nil, err
		}
		n.props = props(v, schemaReserved)
		return n, nil
	}
	if k, ok := primitiveKinds[t]; ok {
		return &node{kind: k, props: props(v, schemaReserved)}, nil
	}
	// {"type":"Name"} refers to a named type; Java discards the other
	// attributes of such an object.
	if n := r.lookup(t, space); n != nil {
		return n, nil
	}
	return nil, fmt.Errorf("type not supported: %q", t)
}

func props(v *jval, reserved map[string]bool) []member {
	var out []member
	for _, m := range v.members {
		if !reserved[m.key] {
			out = append(out, m)
		}
	}
	return out
}

func optText(v *jval, key string) *string {
	if s, ok := v.get(key).text(); ok {
		return &s
	}
	return nil
}

func (r *resolver) parseNamed(v *jval, t, enclosing string) (*node, error) {
	nameText, ok := v.get("name").text()
	if !ok {
		return nil, fmt.Errorf("no name in %s schema", t)
	}
	space := enclosing
	if ns, ok := v.get("namespace").text(); ok {
		space = ns
	}
	simple, ns, err := splitName(nameText, space)
	if err != nil {
		return nil, err
	}
	n := &node{name: simple, space: ns, doc: optText(v, "doc")}
	full := n.fullName()
	if _, ok := primitiveKinds[simple]; ok && ns == "" {
		return nil, fmt.Errorf("a named type may not be called %q", simple)
	}
	if prev := r.names[full]; prev != nil {
		return r.redefine(prev, v, t, enclosing)
	}
	if n.aliases, err = namedAliases(v, ns); err != nil {
		return nil, err
	}
	switch t {
	case "record", "error":
		n.kind, n.isError = kRecord, t == "error"
		n.props = props(v, schemaReserved)
		// Register before the fields so recursive references resolve.
		r.names[full] = n
		if err := r.parseFields(n, v.get("fields")); err != nil {
			return nil, err
		}
	case "enum":
		n.kind = kEnum
		n.props = props(v, enumReserved)
		if err := parseSymbols(n, v); err != nil {
			return nil, err
		}
		r.names[full] = n
	case "fixed":
		n.kind = kFixed
		n.props = props(v, schemaReserved)
		size := v.get("size")
		sz, ok := int64(0), false
		if size != nil && size.kind == jnumber && isIntegral(size.s) {
			sz, ok = intLiteral(size.s)
		}
		if !ok || sz < 0 || sz > 1<<31-1 {
			return nil, fmt.Errorf("invalid or no size in fixed %s", full)
		}
		n.size = int(sz)
		r.names[full] = n
	}
	return n, nil
}

func aliasList(v *jval) ([]string, error) {
	a := v.get("aliases")
	if a == nil {
		return nil, nil
	}
	if a.kind != jarray {
		return nil, errors.New("aliases not an array")
	}
	out := make([]string, 0, len(a.arr))
	for _, el := range a.arr {
		s, ok := el.text()
		if !ok {
			return nil, errors.New("alias not a string")
		}
		out = appendUnique(out, s)
	}
	return out, nil
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// namedAliases resolves a named type's aliases to full names: an alias
// without a dot lives in the type's own namespace.
func namedAliases(v *jval, space string) ([]string, error) {
	raw, err := aliasList(v)
	if err != nil || raw == nil {
		return nil, err
	}
	out := make([]string, 0, len(raw))
	for _, a := range raw {
		simple, ns, err := splitName(a, space)
		if err != nil {
			return nil, fmt.Errorf("alias: %w", err)
		}
		out = appendUnique(out, qualify(simple, ns))
	}
	return out, nil
}

func parseSymbols(n *node, v *jval) error {
	syms := v.get("symbols")
	if syms == nil || syms.kind != jarray {
		return fmt.Errorf("enum %s has no symbols", n.fullName())
	}
	seen := make(map[string]bool, len(syms.arr))
	for _, el := range syms.arr {
		s, ok := el.text()
		if !ok || !validName(s) {
			return fmt.Errorf("enum %s: invalid symbol %s", n.fullName(), describe(el))
		}
		if seen[s] {
			return fmt.Errorf("enum %s: duplicate symbol %s", n.fullName(), s)
		}
		seen[s] = true
		n.symbols = append(n.symbols, s)
	}
	if d, ok := v.get("default").text(); ok {
		if !seen[d] {
			return fmt.Errorf("enum %s: default %q is not one of its symbols", n.fullName(), d)
		}
		n.enumDefault = &d
	}
	return nil
}

func describe(v *jval) string {
	if v.kind == jstring {
		return fmt.Sprintf("%q", v.s)
	}
	return jsonKindName(v.kind)
}

var orders = map[string]string{"ascending": "ascending", "descending": "descending", "ignore": "ignore"}

func (r *resolver) parseFields(n *node, fields *jval) error {
	if fields == nil || fields.kind != jarray {
		return fmt.Errorf("record %s has no fields", n.fullName())
	}
	n.fields = make([]*field, 0, len(fields.arr))
	n.fieldPos = make(map[string]int, len(fields.arr))
	for _, fv := range fields.arr {
		if fv.kind != jobject {
			return fmt.Errorf("record %s: a field must be an object", n.fullName())
		}
		name, ok := fv.get("name").text()
		if !ok {
			return fmt.Errorf("record %s: no field name", n.fullName())
		}
		if !validName(name) {
			return fmt.Errorf("record %s: illegal field name %q", n.fullName(), name)
		}
		if _, dup := n.fieldPos[name]; dup {
			return fmt.Errorf("record %s: duplicate field %s", n.fullName(), name)
		}
		tv := fv.get("type")
		if tv == nil {
			return fmt.Errorf("record %s: field %s has no type", n.fullName(), name)
		}
		f := &field{name: name, doc: optText(fv, "doc"), def: fv.get("default"), order: "ascending"}
		var err error
		if f.typ, err = r.parse(tv, n.space); err != nil {
			return fmt.Errorf("record %s, field %s: %w", n.fullName(), name, err)
		}
		if ov := fv.get("order"); ov != nil {
			o, ok := ov.text()
			if !ok || orders[strings.ToLower(o)] == "" {
				return fmt.Errorf("record %s, field %s: invalid order", n.fullName(), name)
			}
			f.order = orders[strings.ToLower(o)]
		}
		if f.aliases, err = aliasList(fv); err != nil {
			return fmt.Errorf("record %s, field %s: %w", n.fullName(), name, err)
		}
		f.props = props(fv, fieldReserved)
		n.fieldPos[name] = len(n.fields)
		n.fields = append(n.fields, f)
	}
	return nil
}

// redefine handles a second definition of a named type. It is accepted only
// when it defines exactly the same type, which happens when a canonical text
// repeats, in full, a type nested in one of its references; the first
// definition is kept. Anything else is Java's "Can't redefine" error.
func (r *resolver) redefine(prev *node, v *jval, t, enclosing string) (*node, error) {
	full := prev.fullName()
	delete(r.names, full)
	n, err := r.parseNamed(v, t, enclosing)
	r.names[full] = prev
	if err != nil {
		return nil, err
	}
	if canonical(n, nil) != canonical(prev, nil) {
		return nil, fmt.Errorf("can't redefine: %s", full)
	}
	return prev, nil
}
