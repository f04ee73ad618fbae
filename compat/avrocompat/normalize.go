package avrocompat

import (
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// normalize builds Confluent's normalized text (fully qualified names,
// sorted properties and aliases, logical type attributes first, defaults
// re-encoded by type), then parses it again and prints it in canonical form,
// which is what Confluent stores for normalize=true.
func (s *schema) normalize() string {
	nw := normWriter{seen: make(map[string]bool)}
	for _, r := range s.refNodes {
		if r.kind.named() {
			nw.seen[r.fullName()] = true
		}
	}
	nw.schema(s.root)
	r := newResolver()
	var refs []*node
	for _, t := range s.refTexts {
		n, err := r.parseText(t)
		if err != nil {
			return s.Canonical()
		}
		refs = append(refs, n)
	}
	root, err := r.parseText(string(nw.buf))
	if err != nil {
		// Cannot happen for a schema that parsed; keep a usable answer.
		return s.Canonical()
	}
	return canonical(root, refs)
}

type normWriter struct {
	jsonWriter
	seen map[string]bool
}

func (w *normWriter) schema(n *node) {
	switch n.kind {
	case kUnion:
		w.byte('[')
		for i, b := range n.branches {
			if i > 0 {
				w.byte(',')
			}
			w.schema(b)
		}
		w.byte(']')
	case kArray, kMap:
		if n.kind == kArray {
			w.raw(`{"type":"array","items":`)
		} else {
			w.raw(`{"type":"map","values":`)
		}
		w.schema(n.items)
		w.sortedProps(n.props)
		w.byte('}')
	case kRecord, kEnum, kFixed:
		w.named(n)
	default:
		if lt := logicalType(n); lt != "" {
			w.raw(`{"type":`)
			w.str(n.kind.String())
			w.logicalProps(n, lt)
			w.sortedProps(n.props)
			w.byte('}')
			return
		}
		if len(n.props) == 0 {
			w.str(n.kind.String())
			return
		}
		w.raw(`{"type":`)
		w.str(n.kind.String())
		w.sortedProps(n.props)
		w.byte('}')
	}
}

func (w *normWriter) named(n *node) {
	full := n.fullName()
	if w.seen[full] {
		w.str(full)
		return
	}
	w.seen[full] = true
	w.raw(`{"name":`)
	w.str(full)
	w.raw(`,"type":`)
	// Confluent writes the Schema.Type name, so "error" becomes "record".
	w.str(n.kind.String())
	switch n.kind {
	case kEnum:
		w.raw(`,"symbols":[`)
		for i, s := range n.symbols {
			if i > 0 {
				w.byte(',')
			}
			w.str(s)
		}
		w.byte(']')
	case kFixed:
		w.raw(`,"size":`)
		w.raw(strconv.Itoa(n.size))
		if lt := logicalType(n); lt != "" {
			w.logicalProps(n, lt)
		}
	case kRecord:
		w.raw(`,"fields":[`)
		for i, f := range n.fields {
			if i > 0 {
				w.byte(',')
			}
			w.field(f)
		}
		w.byte(']')
	}
	if n.doc != nil && *n.doc != "" {
		w.raw(`,"doc":`)
		w.str(*n.doc)
	}
	if len(n.aliases) > 0 {
		w.raw(`,"aliases":`)
		w.stringArray(sorted(n.aliases))
	}
	if n.enumDefault != nil {
		w.raw(`,"default":`)
		w.str(*n.enumDefault)
	}
	w.sortedProps(n.props)
	w.byte('}')
}

func (w *normWriter) field(f *field) {
	w.raw(`{"name":`)
	w.str(f.name)
	w.raw(`,"type":`)
	w.schema(f.typ)
	w.raw(`,"order":`)
	w.str(f.order)
	if f.doc != nil {
		w.raw(`,"doc":`)
		w.str(*f.doc)
	}
	if len(f.aliases) > 0 {
		w.raw(`,"aliases":`)
		w.stringArray(sorted(f.aliases))
	}
	if f.def != nil {
		var dw jsonWriter
		if encodeDefault(&dw, f.def, f.typ) {
			w.raw(`,"default":`)
			w.raw(string(dw.buf))
		}
	}
	w.sortedProps(f.props)
	w.byte('}')
}

func sorted(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}

func (w *normWriter) stringArray(list []string) {
	w.byte('[')
	for i, s := range list {
		if i > 0 {
			w.byte(',')
		}
		w.str(s)
	}
	w.byte(']')
}

// sortedProps writes the properties sorted by key. Attributes written
// earlier under the same key (logicalType, precision, scale) appear twice in
// the text; the re-parse keeps their first position, as Jackson does.
func (w *normWriter) sortedProps(props []member) {
	if len(props) == 0 {
		return
	}
	ps := slices.Clone(props)
	slices.SortFunc(ps, func(a, b member) int { return strings.Compare(a.key, b.key) })
	for _, p := range ps {
		w.key(p.key, false)
		w.value(p.val)
	}
}

func (w *normWriter) logicalProps(n *node, lt string) {
	w.raw(`,"logicalType":`)
	w.str(lt)
	if lt == "decimal" {
		p, s, _ := decimalParams(n)
		w.raw(`,"precision":`)
		w.raw(strconv.Itoa(p))
		if s != 0 {
			w.raw(`,"scale":`)
			w.raw(strconv.Itoa(s))
		}
	}
}

// logicalType returns the name of n's logical type when Avro would accept it
// (LogicalTypes.fromSchemaIgnoreInvalid), or "".
func logicalType(n *node) string {
	lt, ok := n.prop("logicalType").text()
	if !ok {
		return ""
	}
	valid := false
	switch lt {
	case "decimal":
		_, _, valid = decimalParams(n)
	case "big-decimal":
		valid = n.kind == kBytes
	case "uuid":
		valid = n.kind == kString || (n.kind == kFixed && n.size == 16)
	case "date", "time-millis":
		valid = n.kind == kInt
	case "time-micros", "timestamp-millis", "timestamp-micros", "timestamp-nanos",
		"local-timestamp-millis", "local-timestamp-micros", "local-timestamp-nanos":
		valid = n.kind == kLong
	case "duration":
		valid = n.kind == kFixed && n.size == 12
	}
	if !valid {
		return ""
	}
	return lt
}

// propInt returns an integer property that Java reads as an Integer.
func propInt(n *node, key string) (int, bool) {
	v := n.prop(key)
	if v == nil || v.kind != jnumber || !isIntegral(v.s) {
		return 0, false
	}
	i, ok := intLiteral(v.s)
	if !ok || i < math.MinInt32 || i > math.MaxInt32 {
		return 0, false
	}
	return int(i), true
}

// decimalParams validates a decimal logical type as Avro does.
func decimalParams(n *node) (precision, scale int, ok bool) {
	if n.kind != kBytes && n.kind != kFixed {
		return 0, 0, false
	}
	precision, ok = propInt(n, "precision")
	if !ok || precision <= 0 {
		return 0, 0, false
	}
	if n.prop("scale") != nil {
		if scale, ok = propInt(n, "scale"); !ok {
			return 0, 0, false
		}
	}
	if scale < 0 || scale > precision {
		return 0, 0, false
	}
	if n.kind == kFixed && precision > maxFixedPrecision(n.size) {
		return 0, 0, false
	}
	return precision, scale, true
}

// maxFixedPrecision is the number of decimal digits a signed two's
// complement number of size bytes can always hold.
func maxFixedPrecision(size int) int {
	if size <= 0 {
		return 0
	}
	if size > 1<<20 {
		return math.MaxInt32
	}
	limit := new(big.Int).Lsh(big.NewInt(1), uint(8*size-1))
	limit.Sub(limit, big.NewInt(1))
	return len(limit.String()) - 1
}

// encodeDefault writes a field default the way Confluent re-encodes it
// (JacksonUtils.toObject with the field's schema, then back to JSON): a
// union uses its first branch, integers become floating point for float and
// double, and a value that does not fit its type is dropped (false).
func encodeDefault(w *jsonWriter, v *jval, n *node) bool {
	if n != nil && n.kind == kUnion {
		if len(n.branches) == 0 {
			n = nil
		} else {
			n = n.branches[0]
		}
	}
	k := kind(255)
	if n != nil {
		k = n.kind
	}
	switch v.kind {
	case jnull:
		w.raw("null")
	case jbool:
		w.raw(strconv.FormatBool(v.b))
	case jnumber:
		return encodeNumber(w, v.s, n == nil, k)
	case jstring:
		switch {
		case n == nil || k == kString || k == kEnum:
			w.str(v.s)
		case k == kBytes || k == kFixed:
			w.str(latin1(v.s))
		default:
			return false
		}
	case jarray:
		var items *node
		if k == kArray {
			items = n.items
		}
		w.byte('[')
		for i, el := range v.arr {
			if i > 0 {
				w.byte(',')
			}
			if !encodeDefault(w, el, items) {
				w.raw("null")
			}
		}
		w.byte(']')
	case jobject:
		w.byte('{')
		for i, m := range v.members {
			var sub *node
			switch k {
			case kMap:
				sub = n.items
			case kRecord:
				if pos, ok := n.fieldPos[m.key]; ok {
					sub = n.fields[pos].typ
				}
			}
			w.key(m.key, i == 0)
			if !encodeDefault(w, m.val, sub) {
				w.raw("null")
			}
		}
		w.byte('}')
	}
	return true
}

func encodeNumber(w *jsonWriter, lit string, untyped bool, k kind) bool {
	if isIntegral(lit) {
		i, ok := intLiteral(lit)
		if !ok {
			return false // BigIntegerNode: Avro's toObject has no case for it
		}
		isInt := i >= math.MinInt32 && i <= math.MaxInt32
		switch {
		case untyped && isInt, k == kInt && isInt, untyped, k == kLong:
			w.raw(strconv.FormatInt(i, 10))
		case k == kFloat:
			w.raw(javaFloat(float32(i)))
		case k == kDouble:
			w.raw(javaDouble(float64(i)))
		default:
			return false
		}
		return true
	}
	f, _ := strconv.ParseFloat(lit, 64)
	switch {
	case untyped || k == kDouble:
		w.raw(javaDouble(f))
	case k == kFloat:
		w.raw(javaFloat(float32(f)))
	default:
		return false
	}
	return true
}

// latin1 round-trips s through ISO-8859-1 bytes, as Avro does for bytes and
// fixed defaults: characters above U+00FF become '?'.
func latin1(s string) string {
	for _, r := range s {
		if r > 0xFF {
			var b strings.Builder
			for _, r := range s {
				if r > 0xFF {
					r = '?'
				}
				b.WriteRune(r)
			}
			return b.String()
		}
	}
	return s
}
