package protocompat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charterhq/charter/compat"
)

// printer writes a file descriptor as .proto text; see the package doc for
// the layout.
type printer struct {
	s          *schema
	fd         *descriptorpb.FileDescriptorProto
	normalized bool
	proto2     bool
	editions   bool
	opts       *optionRenderer
	b          strings.Builder
	depth      int
	noExt      bool // leave extend blocks and custom options out
}

// Canonical implements [compat.Schema].
func (s *schema) Canonical() string {
	s.canonicalOnce.Do(func() { s.canonical = s.print(false) })
	return s.canonical
}

// Normalized implements [compat.Schema].
func (s *schema) Normalized() string {
	s.normalizedOnce.Do(func() { s.normalized = s.print(true) })
	return s.normalized
}

func (s *schema) print(normalized bool) string {
	p := &printer{
		s:          s,
		fd:         s.fd,
		normalized: normalized,
		proto2:     isProto2(s.fd),
		editions:   s.fd.GetSyntax() == "editions",
		opts:       &optionRenderer{s: s},
	}
	p.file()
	return p.b.String()
}

// IgnoringExtensions returns s's canonical text without extend blocks
// and custom options (Confluent's format=ignore_extensions).
func IgnoringExtensions(cs compat.Schema) (string, error) {
	s, ok := cs.(*schema)
	if !ok {
		return "", fmt.Errorf("protocompat: IgnoringExtensions given a %T, not a Protobuf schema", cs)
	}
	p := &printer{
		s:        s,
		fd:       s.fd,
		proto2:   isProto2(s.fd),
		editions: s.fd.GetSyntax() == "editions",
		opts:     &optionRenderer{s: s, skipCustom: true},
		noExt:    true,
	}
	p.file()
	return p.b.String(), nil
}

func (p *printer) line(parts ...string) {
	for range p.depth {
		p.b.WriteString("  ")
	}
	for _, s := range parts {
		p.b.WriteString(s)
	}
	p.b.WriteByte('\n')
}

// section separates top-level sections with one blank line.
func (p *printer) section() {
	if p.b.Len() > 0 {
		p.b.WriteByte('\n')
	}
}

func (p *printer) file() {
	fd := p.fd
	switch {
	case p.editions:
		p.line(`edition = "`, editionName(fd.GetEdition()), `";`)
	case fd.GetSyntax() == "proto3":
		p.line(`syntax = "proto3";`)
	case !p.normalized || isEmptyFile(fd):
		// Normalization drops the default proto2 syntax line, unless
		// nothing else would be left.
		p.line(`syntax = "proto2";`)
	}
	if fd.GetPackage() != "" {
		p.line("package ", fd.GetPackage(), ";")
	}
	if imps := p.imports(); len(imps) > 0 {
		p.section()
		for _, imp := range imps {
			p.line(imp)
		}
	}
	if opts := p.opts.render(fd.GetOptions()); len(opts) > 0 {
		p.section()
		for _, o := range opts {
			p.line("option ", o.name, " = ", o.value, ";")
		}
	}
	prefix := ""
	if fd.GetPackage() != "" {
		prefix = "." + fd.GetPackage()
	}
	skip := p.declaredSet(prefix, nil, fd.Extension, fd.MessageType)
	for _, m := range fd.MessageType {
		if skip[m] {
			continue
		}
		p.section()
		p.message(m, prefix+"."+m.GetName())
	}
	for _, e := range fd.EnumType {
		p.section()
		p.enum(e)
	}
	for _, svc := range fd.Service {
		p.section()
		p.service(svc)
	}
	if !p.noExt {
		p.extends(prefix, fd.Extension, fd.MessageType, true)
	}
}

func (p *printer) imports() []string {
	fd := p.fd
	public := map[int32]bool{}
	for _, i := range fd.PublicDependency {
		public[i] = true
	}
	weak := map[int32]bool{}
	for _, i := range fd.WeakDependency {
		weak[i] = true
	}
	var out []string
	for i, dep := range fd.Dependency {
		kw := "import "
		switch {
		case public[int32(i)]:
			kw = "import public "
		case weak[int32(i)]:
			kw = "import weak "
		}
		out = append(out, kw+quote(dep)+";")
	}
	if p.normalized {
		slices.SortFunc(out, func(a, b string) int {
			return strings.Compare(importPath(a), importPath(b))
		})
		out = slices.Compact(out)
	}
	return out
}

func importPath(line string) string {
	if i := strings.IndexByte(line, '"'); i >= 0 {
		return line[i:]
	}
	return line
}

// declaredSet is declaredTypes as a set, including map entries and groups
// declared by extensions.
func (p *printer) declaredSet(scope string, fields, exts []*descriptorpb.FieldDescriptorProto, types []*descriptorpb.DescriptorProto) map[*descriptorpb.DescriptorProto]bool {
	set := map[*descriptorpb.DescriptorProto]bool{}
	for _, t := range declaredTypes(scope, fields, types, p.proto2) {
		set[t] = true
	}
	for _, t := range declaredTypes(scope, exts, types, p.proto2) {
		set[t] = true
	}
	return set
}

func (p *printer) message(m *descriptorpb.DescriptorProto, full string) {
	p.line("message ", m.GetName(), " {")
	p.depth++
	p.messageBody(m, full)
	p.depth--
	p.line("}")
}

func (p *printer) messageBody(m *descriptorpb.DescriptorProto, full string) {
	for _, o := range p.opts.render(m.GetOptions()) {
		p.line("option ", o.name, " = ", o.value, ";")
	}
	nested := make(map[string]*descriptorpb.DescriptorProto, len(m.NestedType))
	for _, n := range m.NestedType {
		nested[n.GetName()] = n
	}
	printedOneof := map[int32]bool{}
	for _, f := range m.Field {
		if f.OneofIndex != nil && !f.GetProto3Optional() && int(f.GetOneofIndex()) < len(m.OneofDecl) {
			idx := f.GetOneofIndex()
			if printedOneof[idx] {
				continue
			}
			printedOneof[idx] = true
			od := m.OneofDecl[idx]
			p.line("oneof ", od.GetName(), " {")
			p.depth++
			for _, o := range p.opts.render(od.GetOptions()) {
				p.line("option ", o.name, " = ", o.value, ";")
			}
			for _, g := range m.Field {
				if g.OneofIndex != nil && g.GetOneofIndex() == idx && !g.GetProto3Optional() {
					p.field(g, full, nested, true)
				}
			}
			p.depth--
			p.line("}")
			continue
		}
		p.field(f, full, nested, false)
	}
	p.reserved(m.ReservedRange, m.ReservedName, true)
	for _, r := range m.ExtensionRange {
		rng := rangeText(r.GetStart(), r.GetEnd()-1)
		if o := p.opts.render(r.GetOptions()); len(o) > 0 {
			p.line("extensions ", rng, " ", compactOptions(o), ";")
		} else {
			p.line("extensions ", rng, ";")
		}
	}
	skip := p.declaredSet(full, m.Field, m.Extension, m.NestedType)
	for _, n := range m.NestedType {
		if !skip[n] {
			p.message(n, full+"."+n.GetName())
		}
	}
	for _, e := range m.EnumType {
		p.enum(e)
	}
	if !p.noExt {
		p.extends(full, m.Extension, m.NestedType, false)
	}
}

// extends prints extension fields as extend blocks, one per run of
// consecutive fields with the same extendee.
func (p *printer) extends(scope string, exts []*descriptorpb.FieldDescriptorProto, types []*descriptorpb.DescriptorProto, topLevel bool) {
	nested := make(map[string]*descriptorpb.DescriptorProto, len(types))
	for _, n := range types {
		nested[n.GetName()] = n
	}
	for i := 0; i < len(exts); {
		j := i + 1
		for j < len(exts) && exts[j].GetExtendee() == exts[i].GetExtendee() {
			j++
		}
		if topLevel {
			p.section()
		}
		p.line("extend ", p.typeName(extendeeKey{exts[i]}, exts[i].GetExtendee()), " {")
		p.depth++
		for _, f := range exts[i:j] {
			p.field(f, scope, nested, false)
		}
		p.depth--
		p.line("}")
		i = j
	}
}

// typeName returns a referenced type's name: as written in the source for
// the canonical form, fully qualified for the normalized form.
func (p *printer) typeName(key any, resolved string) string {
	if !p.normalized {
		if w, ok := p.s.written[key]; ok {
			return w
		}
	}
	return resolved
}

func (p *printer) field(f *descriptorpb.FieldDescriptorProto, scope string, nested map[string]*descriptorpb.DescriptorProto, inOneof bool) {
	declared := fieldDeclaredType(scope, f, nested, p.proto2)
	isMap := declared != nil && f.GetType() == descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
	isGroup := declared != nil && !isMap
	var b strings.Builder
	if !inOneof && !isMap {
		b.WriteString(p.label(f))
	}
	switch {
	case isMap:
		var key, val *descriptorpb.FieldDescriptorProto
		for _, ef := range declared.Field {
			switch ef.GetNumber() {
			case 1:
				key = ef
			case 2:
				val = ef
			}
		}
		b.WriteString("map<")
		b.WriteString(p.fieldType(key))
		b.WriteString(", ")
		b.WriteString(p.fieldType(val))
		b.WriteString("> ")
		b.WriteString(f.GetName())
	case isGroup:
		b.WriteString("group ")
		b.WriteString(declared.GetName())
	default:
		b.WriteString(p.fieldType(f))
		b.WriteByte(' ')
		b.WriteString(f.GetName())
	}
	b.WriteString(" = ")
	b.WriteString(strconv.Itoa(int(f.GetNumber())))
	opts := p.fieldOptions(f)
	if len(opts) > 0 {
		b.WriteByte(' ')
		b.WriteString(compactOptions(opts))
	}
	if !isGroup {
		b.WriteByte(';')
		p.line(b.String())
		return
	}
	b.WriteString(" {")
	p.line(b.String())
	p.depth++
	p.messageBody(declared, scope+"."+declared.GetName())
	p.depth--
	p.line("}")
}

func (p *printer) label(f *descriptorpb.FieldDescriptorProto) string {
	switch f.GetLabel() {
	case descriptorpb.FieldDescriptorProto_LABEL_REPEATED:
		return "repeated "
	case descriptorpb.FieldDescriptorProto_LABEL_REQUIRED:
		if !p.editions {
			return "required "
		}
	default:
		if p.proto2 || f.GetProto3Optional() {
			return "optional "
		}
	}
	return ""
}

func (p *printer) fieldType(f *descriptorpb.FieldDescriptorProto) string {
	if f == nil {
		return "bytes" // a malformed map entry; cannot come from text
	}
	switch f.GetType() {
	case descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, descriptorpb.FieldDescriptorProto_TYPE_ENUM, descriptorpb.FieldDescriptorProto_TYPE_GROUP:
		return p.typeName(f, f.GetTypeName())
	}
	return scalarName(f.GetType())
}

// fieldOptions renders a field's pseudo-options (default, json_name) and
// options in canonical order.
func (p *printer) fieldOptions(f *descriptorpb.FieldDescriptorProto) []renderedOption {
	var out []renderedOption
	if f.DefaultValue != nil {
		out = append(out, renderedOption{"default", defaultLiteral(f)})
	}
	if f.JsonName != nil && f.Extendee == nil && f.GetJsonName() != jsonCamelCase(f.GetName()) {
		out = append(out, renderedOption{"json_name", quote(f.GetJsonName())})
	}
	return append(out, p.opts.render(f.GetOptions())...)
}

func defaultLiteral(f *descriptorpb.FieldDescriptorProto) string {
	v := f.GetDefaultValue()
	switch f.GetType() {
	case descriptorpb.FieldDescriptorProto_TYPE_STRING:
		return quote(v)
	case descriptorpb.FieldDescriptorProto_TYPE_BYTES:
		return quoteBytes([]byte(unescapeC(v)))
	}
	return v
}

func (p *printer) enum(e *descriptorpb.EnumDescriptorProto) {
	p.line("enum ", e.GetName(), " {")
	p.depth++
	for _, o := range p.opts.render(e.GetOptions()) {
		p.line("option ", o.name, " = ", o.value, ";")
	}
	for _, v := range e.Value {
		if o := p.opts.render(v.GetOptions()); len(o) > 0 {
			p.line(v.GetName(), " = ", strconv.Itoa(int(v.GetNumber())), " ", compactOptions(o), ";")
		} else {
			p.line(v.GetName(), " = ", strconv.Itoa(int(v.GetNumber())), ";")
		}
	}
	var ranges []*descriptorpb.DescriptorProto_ReservedRange
	for _, r := range e.ReservedRange {
		// Enum reserved ranges are inclusive; message ones are not.
		ranges = append(ranges, &descriptorpb.DescriptorProto_ReservedRange{Start: r.Start, End: proto32(r.GetEnd() + 1)})
	}
	p.reserved(ranges, e.ReservedName, false)
	p.depth--
	p.line("}")
}

func proto32(v int32) *int32 { return &v }

// reserved prints reserved ranges (end exclusive) and names.
func (p *printer) reserved(ranges []*descriptorpb.DescriptorProto_ReservedRange, names []string, message bool) {
	if len(ranges) > 0 {
		parts := make([]string, len(ranges))
		for i, r := range ranges {
			parts[i] = rangeTextFor(r.GetStart(), r.GetEnd()-1, message)
		}
		p.line("reserved ", strings.Join(parts, ", "), ";")
	}
	if len(names) > 0 {
		parts := make([]string, len(names))
		for i, n := range names {
			if p.editions {
				parts[i] = n
			} else {
				parts[i] = quote(n)
			}
		}
		p.line("reserved ", strings.Join(parts, ", "), ";")
	}
}

// maxFieldNumber is the largest field number; "max" in ranges.
const maxFieldNumber = 536870911

func rangeText(start, end int32) string { return rangeTextFor(start, end, true) }

func rangeTextFor(start, end int32, message bool) string {
	if start == end {
		return strconv.Itoa(int(start))
	}
	e := strconv.Itoa(int(end))
	if (message && end == maxFieldNumber) || (!message && end == 2147483647) {
		e = "max"
	}
	return strconv.Itoa(int(start)) + " to " + e
}

func (p *printer) service(svc *descriptorpb.ServiceDescriptorProto) {
	p.line("service ", svc.GetName(), " {")
	p.depth++
	for _, o := range p.opts.render(svc.GetOptions()) {
		p.line("option ", o.name, " = ", o.value, ";")
	}
	for _, m := range svc.Method {
		in := p.typeName(inputKey{m}, m.GetInputType())
		out := p.typeName(outputKey{m}, m.GetOutputType())
		if m.GetClientStreaming() {
			in = "stream " + in
		}
		if m.GetServerStreaming() {
			out = "stream " + out
		}
		sig := "rpc " + m.GetName() + "(" + in + ") returns (" + out + ")"
		opts := p.opts.render(m.GetOptions())
		if len(opts) == 0 {
			p.line(sig, ";")
			continue
		}
		p.line(sig, " {")
		p.depth++
		for _, o := range opts {
			p.line("option ", o.name, " = ", o.value, ";")
		}
		p.depth--
		p.line("}")
	}
	p.depth--
	p.line("}")
}

func compactOptions(opts []renderedOption) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = o.name + " = " + o.value
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func editionName(e descriptorpb.Edition) string {
	s := strings.TrimPrefix(e.String(), "EDITION_")
	if _, err := strconv.Atoi(s); err == nil {
		return s
	}
	return strconv.Itoa(int(e))
}

var scalarNames = map[descriptorpb.FieldDescriptorProto_Type]string{
	descriptorpb.FieldDescriptorProto_TYPE_DOUBLE:   "double",
	descriptorpb.FieldDescriptorProto_TYPE_FLOAT:    "float",
	descriptorpb.FieldDescriptorProto_TYPE_INT64:    "int64",
	descriptorpb.FieldDescriptorProto_TYPE_UINT64:   "uint64",
	descriptorpb.FieldDescriptorProto_TYPE_INT32:    "int32",
	descriptorpb.FieldDescriptorProto_TYPE_FIXED64:  "fixed64",
	descriptorpb.FieldDescriptorProto_TYPE_FIXED32:  "fixed32",
	descriptorpb.FieldDescriptorProto_TYPE_BOOL:     "bool",
	descriptorpb.FieldDescriptorProto_TYPE_STRING:   "string",
	descriptorpb.FieldDescriptorProto_TYPE_BYTES:    "bytes",
	descriptorpb.FieldDescriptorProto_TYPE_UINT32:   "uint32",
	descriptorpb.FieldDescriptorProto_TYPE_SFIXED32: "sfixed32",
	descriptorpb.FieldDescriptorProto_TYPE_SFIXED64: "sfixed64",
	descriptorpb.FieldDescriptorProto_TYPE_SINT32:   "sint32",
	descriptorpb.FieldDescriptorProto_TYPE_SINT64:   "sint64",
}

func scalarName(t descriptorpb.FieldDescriptorProto_Type) string {
	if n, ok := scalarNames[t]; ok {
		return n
	}
	return "bytes"
}

// jsonCamelCase is protoc's default json_name: underscores dropped and the
// letter after each one upper-cased.
func jsonCamelCase(s string) string {
	var b strings.Builder
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			upper = true
		case upper && 'a' <= c && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
			upper = false
		default:
			b.WriteByte(c)
			upper = false
		}
	}
	return b.String()
}

func isEmptyFile(fd *descriptorpb.FileDescriptorProto) bool {
	return fd.GetPackage() == "" && len(fd.Dependency) == 0 && fd.Options == nil && len(fd.MessageType) == 0 &&
		len(fd.EnumType) == 0 && len(fd.Service) == 0 && len(fd.Extension) == 0
}
