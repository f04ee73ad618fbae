package protocompat

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// renderedOption is one option assignment: name = value.
type renderedOption struct{ name, value string }

// optionRenderer renders options messages in canonical form: standard
// options by field number, then custom options by full name; repeated
// options as one assignment per element; values as protobuf text.
type optionRenderer struct {
	s *schema
	// types resolves custom options that are still unparsed (unknown
	// fields), which is how they arrive in a serialized descriptor. Built
	// on first use.
	types    *dynamicpb.Types
	files    *protoregistry.Files
	resolved bool
	// skipCustom leaves custom options (extensions of the options
	// messages) out, for format=ignore_extensions.
	skipCustom bool
}

func (r *optionRenderer) resolver() (*protoregistry.Files, *dynamicpb.Types) {
	if !r.resolved {
		r.resolved = true
		set := &descriptorpb.FileDescriptorSet{File: append(slices.Clone(r.s.deps), r.s.fd)}
		if files, err := protodesc.NewFiles(set); err == nil {
			r.files = files
			r.types = dynamicpb.NewTypes(files)
		}
	}
	return r.files, r.types
}

// render returns the options set in m, which is one of descriptorpb's
// options messages (nil or empty gives none).
func (r *optionRenderer) render(m proto.Message) []renderedOption {
	if m == nil {
		return nil
	}
	pm := m.ProtoReflect()
	if !pm.IsValid() {
		return nil
	}
	if len(pm.GetUnknown()) > 0 {
		pm = r.resolve(pm)
	}
	type entry struct {
		fd protoreflect.FieldDescriptor
		v  protoreflect.Value
	}
	var fields []entry
	pm.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if !fd.IsExtension() && fd.Number() == 999 { // uninterpreted_option
			return true
		}
		if fd.IsExtension() && r.skipCustom {
			return true
		}
		fields = append(fields, entry{fd, v})
		return true
	})
	slices.SortFunc(fields, func(a, b entry) int {
		if a.fd.IsExtension() != b.fd.IsExtension() {
			if a.fd.IsExtension() {
				return 1
			}
			return -1
		}
		if a.fd.IsExtension() {
			return strings.Compare(string(a.fd.FullName()), string(b.fd.FullName()))
		}
		return int(a.fd.Number()) - int(b.fd.Number())
	})
	var out []renderedOption
	for _, e := range fields {
		name := string(e.fd.Name())
		if e.fd.IsExtension() {
			name = "(." + string(e.fd.FullName()) + ")"
		}
		if e.fd.IsList() {
			l := e.v.List()
			for i := range l.Len() {
				out = append(out, renderedOption{name, r.value(e.fd, l.Get(i))})
			}
			continue
		}
		out = append(out, renderedOption{name, r.value(e.fd, e.v)})
	}
	return out
}

// resolve re-parses an options message whose custom options are unknown
// fields, with the schema's own extensions.
func (r *optionRenderer) resolve(pm protoreflect.Message) protoreflect.Message {
	files, types := r.resolver()
	if types == nil {
		return pm
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(pm.Interface())
	if err != nil {
		return pm
	}
	md := pm.Descriptor()
	if d, err := files.FindDescriptorByName(md.FullName()); err == nil {
		if own, ok := d.(protoreflect.MessageDescriptor); ok {
			md = own
		}
	}
	dm := dynamicpb.NewMessage(md)
	if err := (proto.UnmarshalOptions{Resolver: types}).Unmarshal(b, dm); err != nil {
		return pm
	}
	return dm
}

func (r *optionRenderer) value(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool())
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return strconv.FormatInt(v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(v.Uint(), 10)
	case protoreflect.FloatKind:
		return formatFloat(v.Float(), 32)
	case protoreflect.DoubleKind:
		return formatFloat(v.Float(), 64)
	case protoreflect.StringKind:
		return quote(v.String())
	case protoreflect.BytesKind:
		return quoteBytes(v.Bytes())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return r.literal(v.Message())
	}
	return "0"
}

// literal renders a message value as a text-format message literal.
func (r *optionRenderer) literal(m protoreflect.Message) string {
	if len(m.GetUnknown()) > 0 {
		m = r.resolve(m)
	}
	type entry struct {
		fd protoreflect.FieldDescriptor
		v  protoreflect.Value
	}
	var fields []entry
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		fields = append(fields, entry{fd, v})
		return true
	})
	if len(fields) == 0 {
		return "{}"
	}
	slices.SortFunc(fields, func(a, b entry) int {
		if a.fd.IsExtension() != b.fd.IsExtension() {
			if a.fd.IsExtension() {
				return 1
			}
			return -1
		}
		if a.fd.IsExtension() {
			return strings.Compare(string(a.fd.FullName()), string(b.fd.FullName()))
		}
		return int(a.fd.Number()) - int(b.fd.Number())
	})
	parts := make([]string, 0, len(fields))
	for _, e := range fields {
		name := string(e.fd.Name())
		switch {
		case e.fd.IsExtension():
			name = "[" + string(e.fd.FullName()) + "]"
		case e.fd.Kind() == protoreflect.GroupKind:
			name = string(e.fd.Message().Name())
		}
		switch {
		case e.fd.IsMap():
			var entries []string
			mp := e.v.Map()
			keys := make([]protoreflect.MapKey, 0, mp.Len())
			mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
				keys = append(keys, k)
				return true
			})
			kfd, vfd := e.fd.MapKey(), e.fd.MapValue()
			slices.SortFunc(keys, func(a, b protoreflect.MapKey) int {
				return strings.Compare(r.value(kfd, a.Value()), r.value(kfd, b.Value()))
			})
			for _, k := range keys {
				entries = append(entries, "{ key: "+r.value(kfd, k.Value())+" value: "+r.value(vfd, mp.Get(k))+" }")
			}
			parts = append(parts, name+": ["+strings.Join(entries, ", ")+"]")
		case e.fd.IsList():
			l := e.v.List()
			vals := make([]string, l.Len())
			for i := range vals {
				vals[i] = r.value(e.fd, l.Get(i))
			}
			parts = append(parts, name+": ["+strings.Join(vals, ", ")+"]")
		default:
			parts = append(parts, name+": "+r.value(e.fd, e.v))
		}
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// quote renders s as a protobuf string literal. Valid UTF-8 is kept, other
// bytes are written as octal escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n > 1 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
		}
		writeEscaped(&b, c)
		i++
	}
	b.WriteByte('"')
	return b.String()
}

// quoteBytes renders b as a protobuf string literal, escaping every byte
// that is not printable ASCII.
func quoteBytes(bs []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range bs {
		writeEscaped(&b, c)
	}
	b.WriteByte('"')
	return b.String()
}

func writeEscaped(b *strings.Builder, c byte) {
	switch c {
	case '"':
		b.WriteString(`\"`)
	case '\\':
		b.WriteString(`\\`)
	case '\'':
		b.WriteString(`\'`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	default:
		if c < 0x20 || c >= 0x7f {
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + (c>>3)&7)
			b.WriteByte('0' + c&7)
			return
		}
		b.WriteByte(c)
	}
}

// unescapeC undoes the C escaping protoc applies to bytes defaults in
// descriptors.
func unescapeC(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'a':
			b = append(b, 7)
		case 'b':
			b = append(b, 8)
		case 'f':
			b = append(b, 12)
		case 'v':
			b = append(b, 11)
		case 'x', 'X':
			v, n := 0, 0
			for n < 2 && i+1 < len(s) && isHex(s[i+1]) {
				i++
				v = v*16 + hexVal(s[i])
				n++
			}
			b = append(b, byte(v))
		default:
			if e >= '0' && e <= '7' {
				v, n := int(e-'0'), 1
				for n < 3 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
					i++
					v = v*8 + int(s[i]-'0')
					n++
				}
				b = append(b, byte(v))
				continue
			}
			b = append(b, e)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}
