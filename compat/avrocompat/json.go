package avrocompat

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds a small order-preserving JSON reader and the writer
// helpers that reproduce Jackson's compact output. encoding/json cannot be
// used for the tree: Java's Schema.toString keeps custom properties and
// default values in source order, and it re-prints numbers the way Jackson's
// JsonNode does (1.50 becomes 1.5, 1e3 becomes 1000.0), so both the key order
// and the literal text of numbers must survive parsing.

// maxDepth bounds JSON nesting, as Jackson's StreamReadConstraints do (1000),
// so that hostile input cannot exhaust the stack.
const maxDepth = 1000

type jkind uint8

const (
	jnull jkind = iota
	jbool
	jnumber
	jstring
	jarray
	jobject
)

// jval is one JSON value. Objects keep their members in source order; a key
// that repeats keeps its first position and takes its last value, which is
// what Jackson's ObjectNode does.
type jval struct {
	kind    jkind
	b       bool
	s       string // string value, or the literal text of a number
	arr     []*jval
	members []member
}

type member struct {
	key string
	val *jval
}

// get returns the member named key, or nil.
func (v *jval) get(key string) *jval {
	if v == nil || v.kind != jobject {
		return nil
	}
	for i := range v.members {
		if v.members[i].key == key {
			return v.members[i].val
		}
	}
	return nil
}

// text returns the string value, or "", false when v is not a JSON string
// (Jackson's textValue() returning null).
func (v *jval) text() (string, bool) {
	if v == nil || v.kind != jstring {
		return "", false
	}
	return v.s, true
}

type jparser struct {
	src   string
	pos   int
	depth int
}

// parseJSON parses exactly one JSON value surrounded by optional whitespace.
func parseJSON(src string) (*jval, error) {
	p := &jparser{src: src}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected content after the schema")
	}
	return v, nil
}

func (p *jparser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *jparser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jparser) value() (*jval, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &jval{kind: jstring, s: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return &jval{kind: jbool, b: true}, nil
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return &jval{kind: jbool}, nil
	case strings.HasPrefix(p.src[p.pos:], "null"):
		p.pos += 4
		return &jval{kind: jnull}, nil
	default:
		return nil, p.errorf("unexpected character %q", c)
	}
}

func (p *jparser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nesting deeper than %d", maxDepth)
	}
	return nil
}

func (p *jparser) object() (*jval, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '{'
	v := &jval{kind: jobject}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf("expected a quoted member name")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf("expected ':' after member name")
		}
		p.pos++
		p.skipSpace()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		v.set(key, val)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unterminated object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			return v, nil
		default:
			return nil, p.errorf("expected ',' or '}' in object")
		}
	}
}

// set adds or replaces a member, keeping the first position of a repeated key.
func (v *jval) set(key string, val *jval) {
	for i := range v.members {
		if v.members[i].key == key {
			v.members[i].val = val
			return
		}
	}
	v.members = append(v.members, member{key: key, val: val})
}

func (p *jparser) array() (*jval, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '['
	v := &jval{kind: jarray}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return v, nil
	}
	for {
		p.skipSpace()
		el, err := p.value()
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, el)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unterminated array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return v, nil
		default:
			return nil, p.errorf("expected ',' or ']' in array")
		}
	}
}

func (p *jparser) str() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	escaped := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			lit := p.src[start:p.pos]
			if !escaped && utf8.ValidString(lit) {
				return lit[1 : len(lit)-1], nil
			}
			var s string
			if err := json.Unmarshal([]byte(lit), &s); err != nil {
				return "", p.errorf("invalid string: %v", err)
			}
			return s, nil
		case c == '\\':
			escaped = true
			p.pos += 2
		case c < 0x20:
			return "", p.errorf("control character in string")
		default:
			p.pos++
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *jparser) number() (*jval, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	intStart := p.pos
	if digits() == 0 {
		return nil, p.errorf("invalid number")
	}
	if p.src[intStart] == '0' && p.pos-intStart > 1 {
		return nil, p.errorf("leading zero in number")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	return &jval{kind: jnumber, s: p.src[start:p.pos]}, nil
}

// isIntegral reports whether a number literal has no fraction or exponent,
// which is how Jackson decides between IntNode/LongNode and DoubleNode.
func isIntegral(lit string) bool {
	return !strings.ContainsAny(lit, ".eE")
}

// intLiteral parses an integral literal as int64 (ok false when it does not
// fit, i.e. Jackson would build a BigIntegerNode).
func intLiteral(lit string) (int64, bool) {
	n, err := strconv.ParseInt(lit, 10, 64)
	return n, err == nil
}

// ---- writing ----

// jsonWriter is a compact JSON writer that escapes strings as Jackson does.
type jsonWriter struct {
	buf []byte
}

const hexUpper = "0123456789ABCDEF"

// str writes s as a JSON string with Jackson's escapes: the two mandatory
// characters, \b \t \f \n \r, and \u00XX (upper-case hex) for the other
// control characters. Everything else, including non-ASCII and '/', is
// written as is.
func (w *jsonWriter) str(s string) {
	w.buf = append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.buf = append(w.buf, s[start:i]...)
		switch c {
		case '"', '\\':
			w.buf = append(w.buf, '\\', c)
		case '\b':
			w.buf = append(w.buf, '\\', 'b')
		case '\t':
			w.buf = append(w.buf, '\\', 't')
		case '\f':
			w.buf = append(w.buf, '\\', 'f')
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		default:
			w.buf = append(w.buf, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&0xF])
		}
		start = i + 1
	}
	w.buf = append(w.buf, s[start:]...)
	w.buf = append(w.buf, '"')
}

func (w *jsonWriter) raw(s string) { w.buf = append(w.buf, s...) }

func (w *jsonWriter) byte(c byte) { w.buf = append(w.buf, c) }

// key writes ,"k": (or "k": when first is true).
func (w *jsonWriter) key(k string, first bool) {
	if !first {
		w.buf = append(w.buf, ',')
	}
	w.str(k)
	w.buf = append(w.buf, ':')
}

// value writes a parsed JSON value the way Jackson serialises the JsonNode
// it would have built from it.
func (w *jsonWriter) value(v *jval) {
	switch v.kind {
	case jnull:
		w.raw("null")
	case jbool:
		if v.b {
			w.raw("true")
		} else {
			w.raw("false")
		}
	case jnumber:
		w.raw(jacksonNumber(v.s))
	case jstring:
		w.str(v.s)
	case jarray:
		w.byte('[')
		for i, el := range v.arr {
			if i > 0 {
				w.byte(',')
			}
			w.value(el)
		}
		w.byte(']')
	case jobject:
		w.byte('{')
		for i, m := range v.members {
			w.key(m.key, i == 0)
			w.value(m.val)
		}
		w.byte('}')
	}
}

// jacksonNumber re-prints a JSON number literal as Jackson prints the node it
// parses it into: integers in plain decimal (IntNode, LongNode or
// BigIntegerNode), anything with a fraction or exponent as a Java double.
func jacksonNumber(lit string) string {
	if isIntegral(lit) {
		if n, ok := intLiteral(lit); ok {
			return strconv.FormatInt(n, 10)
		}
		var b big.Int
		if _, ok := b.SetString(lit, 10); ok {
			return b.String()
		}
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return lit
	}
	return javaDouble(f)
}

// javaDouble formats f as Java's Double.toString does (JDK 19+, shortest
// repr): plain notation with at least one fractional digit for
// 1e-3 <= |f| < 1e7, otherwise d.dddE[-]n. Jackson quotes NaN and the
// infinities (QUOTE_NON_NUMERIC_NUMBERS is on by default).
func javaDouble(f float64) string { return javaFloating(f, 64) }

// javaFloat formats f as Java's Float.toString does.
func javaFloat(f float32) string { return javaFloating(float64(f), 32) }

func javaFloating(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return `"NaN"`
	case math.IsInf(f, 1):
		return `"Infinity"`
	case math.IsInf(f, -1):
		return `"-Infinity"`
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	// Shortest decimal digits and exponent: d.ddddde±XX.
	e := strconv.FormatFloat(f, 'e', -1, bits)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	ePos := strings.IndexByte(e, 'e')
	mant, exp := e[:ePos], e[ePos+1:]
	x, _ := strconv.Atoi(exp)
	digits := strings.Replace(mant, ".", "", 1)
	if len(digits) == 1 {
		// Java considers two-digit decimals when one digit suffices and
		// picks the one closest to f: Double.MIN_VALUE is 4.9E-324, not
		// 5.0E-324.
		two := strconv.FormatFloat(math.Abs(f), 'e', 1, bits)
		if d := strings.TrimRight(two[:1]+two[2:3], "0"); d != "" {
			digits = d
		}
		x2, _ := strconv.Atoi(two[strings.IndexByte(two, 'e')+1:])
		x = x2
	}
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		if x >= 0 {
			intLen := x + 1
			if len(digits) <= intLen {
				sb.WriteString(digits)
				sb.WriteString(strings.Repeat("0", intLen-len(digits)))
				sb.WriteString(".0")
			} else {
				sb.WriteString(digits[:intLen])
				sb.WriteByte('.')
				sb.WriteString(digits[intLen:])
			}
		} else {
			sb.WriteString("0.")
			sb.WriteString(strings.Repeat("0", -x-1))
			sb.WriteString(digits)
		}
		return sb.String()
	}
	sb.WriteByte(digits[0])
	sb.WriteByte('.')
	if len(digits) > 1 {
		sb.WriteString(digits[1:])
	} else {
		sb.WriteByte('0')
	}
	sb.WriteByte('E')
	sb.WriteString(strconv.Itoa(x))
	return sb.String()
}
