package jsoncompat

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds an order-preserving JSON reader and the compact writers.
// encoding/json cannot be used for the tree: Confluent stores the schema as
// Jackson re-prints it, which keeps object members in source order, and a
// number must keep its literal text (0.50 stays 0.50) rather than go through
// float64.

// maxDepth bounds nesting, as Jackson's StreamReadConstraints do (1000), so
// hostile input cannot exhaust the stack.
const maxDepth = 1000

// maxNumberLen bounds the text of a number, as Jackson does (1000), and
// maxExponent bounds its decimal exponent so that exact arithmetic on it
// stays cheap.
const (
	maxNumberLen = 1000
	maxExponent  = 1000
)

type jkind uint8

const (
	jnull jkind = iota
	jbool
	jnumber
	jstring
	jarray
	jobject
)

// value is one JSON value. Objects keep their members in source order; a key
// that repeats keeps its first position and takes its last value, as
// Jackson's ObjectNode does.
type value struct {
	kind    jkind
	b       bool
	s       string // string value, or the literal text of a number
	arr     []*value
	members []member
	line    int // 1-based source line of the value's first byte (0 = unknown)
}

type member struct {
	key string
	val *value
}

// get returns the member named key, or nil.
func (v *value) get(key string) *value {
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

func (v *value) has(key string) bool { return v.get(key) != nil }

// str returns the string value of member key.
func (v *value) str(key string) (string, bool) {
	m := v.get(key)
	if m == nil || m.kind != jstring {
		return "", false
	}
	return m.s, true
}

// at follows a decoded JSON pointer (tokens) from v.
func (v *value) at(tokens []string) *value {
	cur := v
	for _, tok := range tokens {
		switch {
		case cur == nil:
			return nil
		case cur.kind == jobject:
			cur = cur.get(tok)
		case cur.kind == jarray:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(cur.arr) || (len(tok) > 1 && tok[0] == '0') {
				return nil
			}
			cur = cur.arr[i]
		default:
			return nil
		}
	}
	return cur
}

// syntaxError is a JSON syntax error with its position.
type syntaxError struct {
	line, col int
	msg       string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d: %s", e.line, e.col, e.msg)
}

type parser struct {
	src       string
	pos       int
	depth     int
	line      int
	lineStart int
}

// parseJSON parses exactly one JSON value surrounded by optional whitespace.
func parseJSON(src string) (*value, error) {
	p := &parser{src: src, line: 1}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %s after the JSON value", p.describe())
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{line: p.line, col: utf8.RuneCountInString(p.src[p.lineStart:min(p.pos, len(p.src))]) + 1, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '\n':
			p.line++
			p.lineStart = p.pos + 1
		case ' ', '\t', '\r':
		default:
			return
		}
		p.pos++
	}
}

func (p *parser) value() (*value, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("unexpected end of input, expected a value")
	}
	line := p.line
	switch c := p.src[p.pos]; {
	case c == '{':
		v, err := p.object()
		if v != nil {
			v.line = line
		}
		return v, err
	case c == '[':
		v, err := p.array()
		if v != nil {
			v.line = line
		}
		return v, err
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return &value{kind: jstring, s: s, line: line}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		return &value{kind: jnumber, s: n, line: line}, nil
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return &value{kind: jbool, b: true, line: line}, nil
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return &value{kind: jbool, line: line}, nil
	case strings.HasPrefix(p.src[p.pos:], "null"):
		p.pos += 4
		return &value{kind: jnull, line: line}, nil
	default:
		return nil, p.errorf("unexpected %s, expected a value", p.describe())
	}
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nesting deeper than %d", maxDepth)
	}
	return nil
}

func (p *parser) object() (*value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // {
	v := &value{kind: jobject}
	var index map[string]int
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf("unexpected %s, expected a member name", p.describe())
		}
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf("unexpected %s, expected ':'", p.describe())
		}
		p.pos++
		p.skipSpace()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		if index == nil && len(v.members) >= 8 {
			index = make(map[string]int, 16)
			for i, m := range v.members {
				index[m.key] = i
			}
		}
		dup := -1
		if index != nil {
			if i, ok := index[key]; ok {
				dup = i
			}
		} else {
			dup = slices.IndexFunc(v.members, func(m member) bool { return m.key == key })
		}
		if dup >= 0 {
			v.members[dup].val = val
		} else {
			if index != nil {
				index[key] = len(v.members)
			}
			v.members = append(v.members, member{key, val})
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("unexpected end of input, expected ',' or '}'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return v, nil
		default:
			return nil, p.errorf("unexpected %s, expected ',' or '}'", p.describe())
		}
	}
}

func (p *parser) array() (*value, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos++ // [
	v := &value{kind: jarray}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
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
			return nil, p.errorf("unexpected end of input, expected ',' or ']'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return v, nil
		default:
			return nil, p.errorf("unexpected %s, expected ',' or ']'", p.describe())
		}
	}
}

func (p *parser) string() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '"' {
			s := p.src[start:p.pos]
			if !utf8.ValidString(s) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			p.pos++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	var b strings.Builder
	b.WriteString(p.src[start:p.pos])
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			return s, nil
		case c < 0x20:
			return "", p.errorf("control character %U in string", rune(c))
		case c == '\\':
			p.pos++
			if p.pos >= len(p.src) {
				return "", p.errorf("unexpected end of input in string escape")
			}
			e := p.src[p.pos]
			p.pos++
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) && strings.HasPrefix(p.src[p.pos:], `\u`) {
					save := p.pos
					p.pos += 2
					r2, err := p.hex4()
					if err == nil {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b.WriteRune(d)
							continue
						}
					}
					p.pos = save
				}
				b.WriteRune(r) // a lone surrogate becomes U+FFFD
			default:
				p.pos--
				return "", p.errorf("invalid escape '\\%c' in string", e)
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", p.errorf("unexpected end of input in string")
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.src) {
		return 0, p.errorf("incomplete \\u escape")
	}
	n, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.pos += 4
	return rune(n), nil
}

func (p *parser) number() (string, error) {
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
		return "", p.errorf("invalid number")
	}
	if p.src[intStart] == '0' && p.pos-intStart > 1 {
		return "", p.errorf("invalid number: leading zero")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return "", p.errorf("invalid number: no digits after '.'")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		expStart := p.pos
		if digits() == 0 {
			return "", p.errorf("invalid number: no digits in exponent")
		}
		exp := strings.TrimLeft(p.src[expStart:p.pos], "0")
		if len(exp) > 4 || (exp != "" && mustAtoi(exp) > maxExponent) {
			return "", p.errorf("number exponent larger than %d", maxExponent)
		}
	}
	if p.pos-start > maxNumberLen {
		return "", p.errorf("number longer than %d characters", maxNumberLen)
	}
	return p.src[start:p.pos], nil
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// rat returns the exact value of a JSON number literal.
func rat(text string) *big.Rat {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil
	}
	return r
}

// toAny converts v into the representation santhosh-tekuri/jsonschema
// works on (numbers as json.Number).
func toAny(v *value) any {
	switch v.kind {
	case jnull:
		return nil
	case jbool:
		return v.b
	case jnumber:
		return json.Number(v.s)
	case jstring:
		return v.s
	case jarray:
		out := make([]any, len(v.arr))
		for i, e := range v.arr {
			out[i] = toAny(e)
		}
		return out
	default:
		out := make(map[string]any, len(v.members))
		for _, m := range v.members {
			out[m.key] = toAny(m.val)
		}
		return out
	}
}

// equalJSON reports whether a and b are the same JSON value: numbers compare
// by exact value (1 equals 1.0), objects ignore member order.
func equalJSON(a, b *value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case jnull:
		return true
	case jbool:
		return a.b == b.b
	case jstring:
		return a.s == b.s
	case jnumber:
		if a.s == b.s {
			return true
		}
		x, y := rat(a.s), rat(b.s)
		return x != nil && y != nil && x.Cmp(y) == 0
	case jarray:
		return slices.EqualFunc(a.arr, b.arr, equalJSON)
	default:
		if len(a.members) != len(b.members) {
			return false
		}
		for _, m := range a.members {
			o := b.get(m.key)
			if o == nil || !equalJSON(m.val, o) {
				return false
			}
		}
		return true
	}
}

// writeJSON appends the compact form of v; sorted orders object members by
// key (UTF-16 code units, as Java's String.compareTo), otherwise they keep
// source order.
func writeJSON(b *strings.Builder, v *value, sorted bool) {
	switch v.kind {
	case jnull:
		b.WriteString("null")
	case jbool:
		b.WriteString(strconv.FormatBool(v.b))
	case jnumber:
		b.WriteString(v.s)
	case jstring:
		writeString(b, v.s)
	case jarray:
		b.WriteByte('[')
		for i, e := range v.arr {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e, sorted)
		}
		b.WriteByte(']')
	default:
		ms := v.members
		if sorted {
			ms = slices.Clone(ms)
			slices.SortStableFunc(ms, func(x, y member) int { return compareUTF16(x.key, y.key) })
		}
		b.WriteByte('{')
		for i, m := range ms {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, m.key)
			b.WriteByte(':')
			writeJSON(b, m.val, sorted)
		}
		b.WriteByte('}')
	}
}

// compareUTF16 orders strings as Java's String.compareTo does.
func compareUTF16(a, b string) int {
	if a == b {
		return 0
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}

const hexDigits = "0123456789ABCDEF"

// writeString writes s quoted the way Jackson does: '"' and '\\' escaped,
// control characters as \b \t \n \f \r or \u00XX, everything else verbatim.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xF])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// escapeToken escapes one JSON pointer reference token.
func escapeToken(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// splitPointer decodes a JSON pointer ("" or "/a/b") into tokens.
func splitPointer(ptr string) ([]string, error) {
	if ptr == "" {
		return nil, nil
	}
	if ptr[0] != '/' {
		return nil, errors.New("a JSON pointer must start with '/'")
	}
	toks := strings.Split(ptr[1:], "/")
	for i, t := range toks {
		if strings.Contains(t, "~") {
			var sb strings.Builder
			for j := 0; j < len(t); j++ {
				if t[j] != '~' {
					sb.WriteByte(t[j])
					continue
				}
				if j+1 >= len(t) || (t[j+1] != '0' && t[j+1] != '1') {
					return nil, fmt.Errorf("invalid escape in JSON pointer token %q", t)
				}
				if t[j+1] == '0' {
					sb.WriteByte('~')
				} else {
					sb.WriteByte('/')
				}
				j++
			}
			toks[i] = sb.String()
		}
	}
	return toks, nil
}
