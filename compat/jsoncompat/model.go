package jsoncompat

import (
	"math/big"
	"regexp"
	"slices"
	"strconv"
)

// This file builds the checker's model of a schema. It decomposes each
// schema object the way everit-json-schema (the library Confluent's checker
// works on) does, because Confluent's verdicts depend on that shape:
//
//   - a schema object with "$ref" is only that reference up to draft 7
//     (siblings are ignored); from 2019-09 the reference is one part among
//     the others;
//   - otherwise each of these is one part: enum, each of allOf/anyOf/oneOf,
//     not, const (draft 6+), the "type" (a list of types is an anyOf of one
//     part per type), and one part per keyword family the type did not
//     cover (array, object, number, string keywords);
//   - if/then/else is not a part: Confluent's checker ignores conditionals
//     (compat-rules.md §2.5: adding if/then/else is compatible);
//   - no part is the empty schema, one part is that part, several parts are
//     a synthetic allOf.
//
// Nodes are memoised by location, so a recursive $ref becomes a cycle in
// the graph, never an infinite expansion. The model is immutable once Parse
// returns, so a schema can be checked from several goroutines.

type kind uint8

const (
	kPending kind = iota // being built (only seen through a cycle)
	kEmpty               // {} or an object with no assertion
	kTrue
	kFalse
	kRef
	kCombined
	kNot
	kEnum
	kConst
	kString
	kNumber
	kBoolean
	kNull
	kObject
	kArray
)

var kindNames = [...]string{"pending", "empty", "true", "false", "$ref", "combined", "not", "enum", "const",
	"string", "number", "boolean", "null", "object", "array", "conditional"}

func (k kind) String() string { return kindNames[k] }

// node is one schema, or one part of a schema object.
type node struct {
	loc          string // "#/properties/a", or "<reference name>#/..." inside a reference
	kind         kind
	hasDefault   bool
	connectBytes bool // "connect.type": "bytes"

	target *node // kRef

	// kCombined
	crit      string // "allOf", "anyOf" or "oneOf"
	synthetic bool   // several parts of one schema object
	subs      []*node

	not *node // kNot

	enum   []*value // kEnum
	constV *value   // kConst

	// kString
	minLength, maxLength *big.Rat
	pattern              *string

	// kNumber
	integer                                    bool
	minimum, maximum, exclMin, exclMax, multOf *big.Rat

	obj *objectModel
	arr *arrayModel
}

type objectModel struct {
	props        []prop
	propIndex    map[string]int
	required     map[string]int // name -> index in "required"
	patternProps []patternProp
	addl         *node // additionalProperties as a schema (nil: absent or boolean)
	addlFalse    bool
	addlSet      bool  // additionalProperties present
	uneval       *node // unevaluatedProperties as a schema
	unevalFalse  bool
	minProps     *big.Rat
	maxProps     *big.Rat
	depArrays    []depArray
	depSchemas   []depSchema
}

type prop struct {
	name string
	n    *node
}

type patternProp struct {
	src string
	re  *regexp.Regexp // nil when RE2 cannot compile it (never matches)
	n   *node
}

type depArray struct {
	kw, key string
	names   []string
}

type depSchema struct {
	kw, key string
	n       *node
}

type arrayModel struct {
	allItems    *node   // items as one schema
	tuple       []*node // items as an array, or prefixItems
	tupleKw     string
	addl        *node // additionalItems (or items after prefixItems) as a schema
	addlFalse   bool
	addlKw      string
	uneval      *node
	unevalFalse bool
	contains    *node
	minItems    *big.Rat
	maxItems    *big.Rat
	minContains *big.Rat
	maxContains *big.Rat
	unique      bool
}

// builder builds the nodes of one Parse call.
type builder struct {
	ix    *index
	nodes map[loc]*node
}

// node returns the node at l, looking its value up.
func (b *builder) node(l loc) *node {
	if n, ok := b.nodes[l]; ok {
		return n
	}
	return b.nodeWith(l, b.ix.valueAt(l))
}

// nodeWith returns the node at l whose value v the caller already has.
func (b *builder) nodeWith(l loc, v *value) *node {
	if n, ok := b.nodes[l]; ok {
		return n
	}
	n := &node{loc: b.ix.docs[l.doc].prefix + l.ptr}
	b.nodes[l] = n
	b.fill(n, v, l)
	return n
}

// child returns the node of subschema v, found at l's pointer plus tokens.
func (b *builder) child(l loc, v *value, tokens ...string) *node {
	p := l.ptr
	for _, t := range tokens {
		p += "/" + escapeToken(t)
	}
	return b.nodeWith(loc{l.doc, p}, v)
}

var (
	arrayKeywords  = []string{"items", "additionalItems", "maxItems", "minItems", "uniqueItems", "contains", "prefixItems", "unevaluatedItems", "minContains", "maxContains"}
	objectKeywords = []string{"properties", "required", "minProperties", "maxProperties", "dependencies", "patternProperties", "additionalProperties", "propertyNames", "dependentRequired", "dependentSchemas", "unevaluatedProperties"}
	numberKeywords = []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
	stringKeywords = []string{"minLength", "maxLength", "pattern", "format"}
)

func hasAny(v *value, kws []string) bool {
	return slices.ContainsFunc(kws, v.has)
}

// partFn fills a node with one part of the schema object.
type partFn func(n *node)

func (b *builder) fill(n *node, v *value, l loc) {
	if v == nil {
		n.kind = kEmpty
		return
	}
	if v.kind == jbool {
		n.kind = kFalse
		if v.b {
			n.kind = kTrue
		}
		return
	}
	if v.kind != jobject {
		n.kind = kEmpty
		return
	}
	d := b.ix.docs[l.doc].draft
	n.hasDefault = v.has("default")
	if ct, _ := v.str("connect.type"); ct == "bytes" {
		n.connectBytes = true
	}
	if t, ok := b.ix.refs[l]; ok && d <= 7 {
		n.kind = kRef
		n.target = b.node(t)
		return
	}
	var parts []partFn
	if e := v.get("enum"); e != nil && e.kind == jarray {
		parts = append(parts, func(p *node) { p.kind, p.enum = kEnum, e.arr })
	}
	for _, crit := range []string{"allOf", "anyOf", "oneOf"} {
		if a := v.get(crit); a != nil && a.kind == jarray {
			parts = append(parts, func(p *node) {
				p.kind, p.crit = kCombined, crit
				for i := range a.arr {
					p.subs = append(p.subs, b.child(l, a.arr[i], crit, strconv.Itoa(i)))
				}
			})
		}
	}
	if v.has("not") {
		parts = append(parts, func(p *node) { p.kind, p.not = kNot, b.child(l, v.get("not"), "not") })
	}
	if c := v.get("const"); c != nil && d >= 6 {
		parts = append(parts, func(p *node) { p.kind, p.constV = kConst, c })
	}
	if t, ok := b.ix.refs[l]; ok {
		parts = append(parts, func(p *node) { p.kind, p.target = kRef, b.node(t) })
	}
	covered := map[string]bool{}
	if t := v.get("type"); t != nil {
		switch t.kind {
		case jstring:
			covered[family(t.s)] = true
			parts = append(parts, b.typed(t.s, v, l))
		case jarray:
			var fns []partFn
			for _, e := range t.arr {
				if e.kind == jstring {
					covered[family(e.s)] = true
					fns = append(fns, b.typed(e.s, v, l))
				}
			}
			parts = append(parts, func(p *node) {
				p.kind, p.crit = kCombined, "anyOf"
				for _, fn := range fns {
					sub := &node{loc: n.loc, hasDefault: n.hasDefault}
					fn(sub)
					p.subs = append(p.subs, sub)
				}
			})
		}
	}
	if !covered["array"] && hasAny(v, arrayKeywords) {
		parts = append(parts, b.typed("array", v, l))
	}
	if !covered["object"] && hasAny(v, objectKeywords) {
		parts = append(parts, b.typed("object", v, l))
	}
	if !covered["number"] && hasAny(v, numberKeywords) {
		parts = append(parts, b.typed("number", v, l))
	}
	if !covered["string"] && hasAny(v, stringKeywords) {
		parts = append(parts, b.typed("string", v, l))
	}
	switch len(parts) {
	case 0:
		n.kind = kEmpty
	case 1:
		parts[0](n)
	default:
		subs := make([]*node, len(parts))
		for i, fn := range parts {
			subs[i] = &node{loc: n.loc, hasDefault: n.hasDefault, connectBytes: n.connectBytes}
			fn(subs[i])
		}
		n.kind, n.crit, n.synthetic, n.subs = kCombined, "allOf", true, subs
	}
}

func family(t string) string {
	if t == "integer" {
		return "number"
	}
	return t
}

func num(v *value, key string) *big.Rat {
	m := v.get(key)
	if m == nil || m.kind != jnumber {
		return nil
	}
	return rat(m.s)
}

// typed returns the part for one type name.
func (b *builder) typed(t string, v *value, l loc) partFn {
	d := b.ix.docs[l.doc].draft
	switch t {
	case "string":
		return func(p *node) {
			p.kind = kString
			p.minLength, p.maxLength = num(v, "minLength"), num(v, "maxLength")
			if s, ok := v.str("pattern"); ok {
				p.pattern = &s
			}
		}
	case "number", "integer":
		return func(p *node) {
			p.kind = kNumber
			p.integer = t == "integer"
			p.minimum, p.maximum, p.multOf = num(v, "minimum"), num(v, "maximum"), num(v, "multipleOf")
			if d == 4 {
				// Draft 4's boolean exclusiveMaximum turns maximum into an
				// exclusive bound; model it as draft 6's numeric keyword.
				if e := v.get("exclusiveMaximum"); e != nil && e.kind == jbool && e.b && p.maximum != nil {
					p.exclMax, p.maximum = p.maximum, nil
				}
				if e := v.get("exclusiveMinimum"); e != nil && e.kind == jbool && e.b && p.minimum != nil {
					p.exclMin, p.minimum = p.minimum, nil
				}
			} else {
				p.exclMax, p.exclMin = num(v, "exclusiveMaximum"), num(v, "exclusiveMinimum")
			}
		}
	case "boolean":
		return func(p *node) { p.kind = kBoolean }
	case "null":
		return func(p *node) { p.kind = kNull }
	case "object":
		return func(p *node) { p.kind, p.obj = kObject, b.object(v, l) }
	case "array":
		return func(p *node) { p.kind, p.arr = kArray, b.array(v, l) }
	}
	return func(p *node) { p.kind = kEmpty }
}

func (b *builder) object(v *value, l loc) *objectModel {
	d := b.ix.docs[l.doc].draft
	o := &objectModel{propIndex: map[string]int{}, required: map[string]int{}}
	if ps := v.get("properties"); ps != nil && ps.kind == jobject {
		for _, m := range ps.members {
			o.propIndex[m.key] = len(o.props)
			o.props = append(o.props, prop{m.key, b.child(l, m.val, "properties", m.key)})
		}
	}
	if r := v.get("required"); r != nil && r.kind == jarray {
		for i, e := range r.arr {
			if _, dup := o.required[e.s]; e.kind == jstring && !dup {
				o.required[e.s] = i
			}
		}
	}
	if pp := v.get("patternProperties"); pp != nil && pp.kind == jobject {
		for _, m := range pp.members {
			re, _ := regexp.Compile(m.key)
			o.patternProps = append(o.patternProps, patternProp{m.key, re, b.child(l, m.val, "patternProperties", m.key)})
		}
	}
	o.addl, o.addlFalse = b.boolOrSchema(v, l, "additionalProperties")
	o.addlSet = v.has("additionalProperties")
	if d >= 2019 {
		o.uneval, o.unevalFalse = b.boolOrSchema(v, l, "unevaluatedProperties")
	}
	o.minProps, o.maxProps = num(v, "minProperties"), num(v, "maxProperties")
	deps := func(kw string, arrays, schemas bool) {
		dv := v.get(kw)
		if dv == nil || dv.kind != jobject {
			return
		}
		for _, m := range dv.members {
			switch {
			case m.val.kind == jarray && arrays:
				da := depArray{kw: kw, key: m.key}
				for _, e := range m.val.arr {
					if e.kind == jstring {
						da.names = append(da.names, e.s)
					}
				}
				o.depArrays = append(o.depArrays, da)
			case (m.val.kind == jobject || m.val.kind == jbool) && schemas:
				o.depSchemas = append(o.depSchemas, depSchema{kw, m.key, b.child(l, m.val, kw, m.key)})
			}
		}
	}
	deps("dependencies", true, true)
	if d >= 2019 {
		deps("dependentRequired", true, false)
		deps("dependentSchemas", false, true)
	}
	return o
}

// boolOrSchema reads a keyword that is false, true or a schema.
func (b *builder) boolOrSchema(v *value, l loc, kw string) (*node, bool) {
	m := v.get(kw)
	switch {
	case m == nil:
		return nil, false
	case m.kind == jbool:
		return nil, !m.b
	case m.kind == jobject:
		return b.child(l, m, kw), false
	}
	return nil, false
}

func (b *builder) array(v *value, l loc) *arrayModel {
	d := b.ix.docs[l.doc].draft
	a := &arrayModel{}
	items := v.get("items")
	tupleFrom := func(kw string) {
		if t := v.get(kw); t != nil && t.kind == jarray {
			a.tupleKw = kw
			for i := range t.arr {
				a.tuple = append(a.tuple, b.child(l, t.arr[i], kw, strconv.Itoa(i)))
			}
		}
	}
	if d >= 2020 {
		if v.has("prefixItems") {
			tupleFrom("prefixItems")
			a.addl, a.addlFalse = b.boolOrSchema(v, l, "items")
			a.addlKw = "items"
		} else if items != nil && (items.kind == jobject || items.kind == jbool) {
			a.allItems = b.child(l, items, "items")
		}
	} else if items != nil {
		if items.kind == jarray {
			tupleFrom("items")
			a.addl, a.addlFalse = b.boolOrSchema(v, l, "additionalItems")
			a.addlKw = "additionalItems"
		} else {
			a.allItems = b.child(l, items, "items")
		}
	}
	if d >= 2019 {
		a.uneval, a.unevalFalse = b.boolOrSchema(v, l, "unevaluatedItems")
		a.minContains, a.maxContains = num(v, "minContains"), num(v, "maxContains")
	}
	if d >= 6 && v.has("contains") {
		a.contains = b.child(l, v.get("contains"), "contains")
	}
	a.minItems, a.maxItems = num(v, "minItems"), num(v, "maxItems")
	if u := v.get("uniqueItems"); u != nil && u.kind == jbool {
		a.unique = u.b
	}
	return a
}

// deref follows $ref nodes to the schema they stand for. A chain of
// references that loops without reaching a schema stands for nothing in
// particular and is treated as the empty schema.
func deref(n *node) *node {
	for i := 0; n != nil && n.kind == kRef; i++ {
		if i > 1000 {
			return &node{loc: n.loc, kind: kEmpty}
		}
		n = n.target
	}
	return n
}

// isEmpty reports whether n accepts everything ({} or true).
func isEmpty(n *node) bool {
	n = deref(n)
	return n != nil && (n.kind == kEmpty || n.kind == kTrue)
}

func isFalse(n *node) bool {
	n = deref(n)
	return n != nil && n.kind == kFalse
}
