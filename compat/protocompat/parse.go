package protocompat

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/ast"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charterhq/charter/compat"
)

// mainFile is the name the schema being parsed gets among its imports. It
// appears in findings (File) and in the descriptors this package returns.
const mainFile = "schema.proto"

// maxTextLen bounds the input; a schema larger than this is rejected rather
// than compiled.
const maxTextLen = 8 << 20

// pos is a source position (1-based; 0 = unknown).
type pos struct{ line, col int32 }

// schema is a parsed Protobuf schema.
type schema struct {
	// fd is the schema's file, with nested types in canonical order (see
	// reorderNested) and without source code info.
	fd *descriptorpb.FileDescriptorProto
	// deps are the transitive dependencies of fd, dependencies first.
	deps []*descriptorpb.FileDescriptorProto
	// refText maps each dependency's file name to the text it was compiled
	// from ("" for built-in files), so that the checker can tell an
	// unchanged import from a changed one.
	refText map[string]string
	// written holds type names as the source wrote them, for fields,
	// extendees and method types, when they came from text.
	written map[any]string
	// positions of the elements of fd.
	positions map[any]pos

	canonicalOnce  sync.Once
	canonical      string
	normalizedOnce sync.Once
	normalized     string
	indexOnce      sync.Once
	index          *index
}

// Parse implements [compat.Format].
func (format) Parse(text string, refs []compat.Reference) (compat.Schema, error) {
	s, err := parse(text, refs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", compat.ErrInvalidSchema, err.Error())
	}
	return s, nil
}

func parse(text string, refs []compat.Reference) (s *schema, err error) {
	// protocompile should never panic, but a panic here would take a request
	// down; treat it as an invalid schema instead.
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("schema could not be parsed: %v", p)
		}
	}()
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("empty schema")
	}
	if len(text) > maxTextLen {
		return nil, fmt.Errorf("schema is larger than %d bytes", maxTextLen)
	}
	sources := make(map[string]string, len(refs))
	for _, r := range refs {
		if r.Name == "" {
			return nil, errors.New("a reference has no name (the import path)")
		}
		sources[r.Name] = r.Text
	}
	name := mainFile
	for sources[name] != "" || isKnownFile(name) {
		name = "_" + name
	}
	res, textErr := compile(name, sources, text, nil)
	if textErr == nil {
		return fromResult(res, sources, true), nil
	}
	// Confluent's JavaScript and .NET serdes register a base64-encoded
	// FileDescriptorProto instead of .proto text.
	if fdp := decodeDescriptor(text); fdp != nil {
		if fdp.GetName() == "" || sources[fdp.GetName()] != "" || isKnownFile(fdp.GetName()) {
			fdp.Name = proto.String(name)
		}
		fdp.SourceCodeInfo = nil
		res, err := compile(fdp.GetName(), sources, "", fdp)
		if err != nil {
			return nil, fmt.Errorf("serialized descriptor: %w", err)
		}
		// The schema is what its .proto text says, so that a schema given
		// as a descriptor and the same schema given as text are the same
		// schema (same canonical text, positions, descriptors).
		printed := fromResult(res, sources, false).Canonical()
		res, err = compile(name, sources, printed, nil)
		if err != nil {
			return nil, fmt.Errorf("serialized descriptor has no .proto text equivalent: %w", err)
		}
		return fromResult(res, sources, true), nil
	}
	return nil, textErr
}

// decodeDescriptor returns the FileDescriptorProto text holds as base64, or
// nil.
func decodeDescriptor(text string) *descriptorpb.FileDescriptorProto {
	t := strings.TrimSpace(text)
	if strings.ContainsAny(t, " \t\r\n;{") {
		return nil
	}
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err = enc.DecodeString(t); err == nil {
			break
		}
	}
	if err != nil || len(b) == 0 {
		return nil
	}
	fdp := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(b, fdp); err != nil {
		return nil
	}
	// Random base64 can decode as a valid but meaningless message; require
	// at least one element or a syntax/package.
	if len(fdp.MessageType) == 0 && len(fdp.EnumType) == 0 && len(fdp.Service) == 0 &&
		len(fdp.Extension) == 0 && fdp.Syntax == nil && fdp.Package == nil {
		return nil
	}
	return fdp
}

// compile compiles the file name, given as text or as a descriptor proto,
// with a fresh compiler whose resolver knows the references, the built-in
// files and nothing else.
func compile(name string, sources map[string]string, text string, fdp *descriptorpb.FileDescriptorProto) (linker.Result, error) {
	resolver := protocompile.WithStandardImports(protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
		if path == name {
			if fdp != nil {
				return protocompile.SearchResult{Proto: fdp}, nil
			}
			return protocompile.SearchResult{Source: strings.NewReader(text)}, nil
		}
		if src, ok := sources[path]; ok {
			return protocompile.SearchResult{Source: strings.NewReader(src)}, nil
		}
		if src, ok := knownFile(path); ok {
			return protocompile.SearchResult{Source: strings.NewReader(src)}, nil
		}
		return protocompile.SearchResult{}, fs.ErrNotExist
	}))
	var errs []string
	c := protocompile.Compiler{
		Resolver:       resolver,
		MaxParallelism: 1,
		SourceInfoMode: protocompile.SourceInfoNone,
		RetainASTs:     true,
		Reporter: reporter.NewReporter(func(err reporter.ErrorWithPos) error {
			if len(errs) < 10 {
				errs = append(errs, describeError(err, name))
			}
			return nil
		}, nil),
	}
	files, err := c.Compile(context.Background(), name)
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	if err != nil {
		return nil, errors.New(describeCompileError(err, name))
	}
	res, ok := files[0].(linker.Result)
	if !ok {
		return nil, fmt.Errorf("unexpected compile result %T", files[0])
	}
	return res, nil
}

// describeError renders a positioned error; an unresolvable import is named
// as such.
func describeError(err reporter.ErrorWithPos, name string) string {
	p := err.GetPosition()
	msg := describeCompileError(err.Unwrap(), name)
	if p.Line > 0 {
		file := p.Filename
		if file == name {
			file = "schema"
		}
		return fmt.Sprintf("%s:%d:%d: %s", file, p.Line, p.Col, msg)
	}
	return msg
}

func describeCompileError(err error, name string) string {
	msg := err.Error()
	if errors.Is(err, fs.ErrNotExist) {
		// protocompile: `could not resolve path "x.proto": file does not exist`
		if i := strings.Index(msg, "could not resolve path "); i >= 0 {
			rest := msg[i+len("could not resolve path "):]
			if j := strings.Index(rest, ": "); j >= 0 {
				rest = rest[:j]
			}
			return fmt.Sprintf("unresolved import %s: no reference with that name and not a built-in file", rest)
		}
	}
	return strings.ReplaceAll(msg, `"`+name+`"`, "the schema")
}

// fromResult extracts what the schema keeps from a compile result: the file
// and its dependencies as descriptor protos, positions and written type
// names. The AST and the linker's structures are not retained.
func fromResult(res linker.Result, sources map[string]string, fromText bool) *schema {
	s := &schema{refText: map[string]string{}}
	fd := detach(res.FileDescriptorProto())
	if fromText {
		s.written = map[any]string{}
		s.positions = map[any]pos{}
		s.collect(res, res.FileDescriptorProto(), fd)
	}
	reorderNested(fd)
	fd.SourceCodeInfo = nil
	s.fd = fd
	seen := map[string]bool{}
	var visit func(f protoreflect.FileDescriptor)
	visit = func(f protoreflect.FileDescriptor) {
		imps := f.Imports()
		for i := range imps.Len() {
			dep := imps.Get(i).FileDescriptor
			if seen[dep.Path()] {
				continue
			}
			seen[dep.Path()] = true
			visit(dep)
			s.deps = append(s.deps, depProto(dep, sources))
			s.refText[dep.Path()] = sources[dep.Path()]
		}
	}
	visit(res)
	return s
}

// builtinProtos caches the descriptor protos of built-in files, which are
// shared by every schema.
var builtinProtos sync.Map // path -> *descriptorpb.FileDescriptorProto

func depProto(f protoreflect.FileDescriptor, sources map[string]string) *descriptorpb.FileDescriptorProto {
	_, isRef := sources[f.Path()]
	if !isRef {
		if p, ok := builtinProtos.Load(f.Path()); ok {
			return p.(*descriptorpb.FileDescriptorProto)
		}
	}
	var p *descriptorpb.FileDescriptorProto
	if r, ok := f.(linker.Result); ok {
		p = detach(r.FileDescriptorProto())
		p.SourceCodeInfo = nil
	} else {
		p = protodesc.ToFileDescriptorProto(f)
	}
	if !isRef {
		builtinProtos.Store(f.Path(), p)
	}
	return p
}

// collect walks the compiled file (orig, whose messages the result's AST
// index knows) in parallel with its clone and records positions and written
// type names against the clone's elements.
func (s *schema) collect(res linker.Result, orig, clone *descriptorpb.FileDescriptorProto) {
	file := res.AST()
	at := func(n ast.Node) pos {
		if n == nil || file == nil {
			return pos{}
		}
		if _, ok := n.(*ast.NoSourceNode); ok {
			return pos{}
		}
		p := file.NodeInfo(n).Start()
		return pos{int32(p.Line), int32(p.Col)}
	}
	field := func(o, c *descriptorpb.FieldDescriptorProto) {
		n := res.FieldNode(o)
		s.positions[c] = at(n)
		if n == nil {
			return
		}
		if id, ok := n.FieldType().(ast.IdentValueNode); ok && c.TypeName != nil {
			s.written[c] = string(id.AsIdentifier())
		}
		if id, ok := n.FieldExtendee().(ast.IdentValueNode); ok {
			s.written[extendeeKey{c}] = string(id.AsIdentifier())
		}
	}
	enum := func(o, c *descriptorpb.EnumDescriptorProto) {
		s.positions[c] = at(res.EnumNode(o))
		for i, v := range o.Value {
			s.positions[c.Value[i]] = at(res.EnumValueNode(v))
		}
	}
	var message func(o, c *descriptorpb.DescriptorProto)
	message = func(o, c *descriptorpb.DescriptorProto) {
		s.positions[c] = at(res.MessageNode(o))
		for i := range o.Field {
			field(o.Field[i], c.Field[i])
		}
		for i := range o.Extension {
			field(o.Extension[i], c.Extension[i])
		}
		for i := range o.OneofDecl {
			s.positions[c.OneofDecl[i]] = at(res.OneofNode(o.OneofDecl[i]))
		}
		for i := range o.NestedType {
			message(o.NestedType[i], c.NestedType[i])
		}
		for i := range o.EnumType {
			enum(o.EnumType[i], c.EnumType[i])
		}
	}
	// The file's own position is its package statement's (for
	// PACKAGE_CHANGED), else the start of the file.
	s.positions[clone] = pos{1, 1}
	if file != nil {
		for _, d := range file.Decls {
			if pkg, ok := d.(*ast.PackageNode); ok {
				s.positions[clone] = at(pkg)
			}
		}
	}
	for i := range orig.MessageType {
		message(orig.MessageType[i], clone.MessageType[i])
	}
	for i := range orig.EnumType {
		enum(orig.EnumType[i], clone.EnumType[i])
	}
	for i := range orig.Extension {
		field(orig.Extension[i], clone.Extension[i])
	}
	for i, svc := range orig.Service {
		s.positions[clone.Service[i]] = at(res.ServiceNode(svc))
		for j, m := range svc.Method {
			cm := clone.Service[i].Method[j]
			n := res.MethodNode(m)
			s.positions[cm] = at(n)
			if n == nil {
				continue
			}
			if id, ok := n.GetInputType().(ast.IdentValueNode); ok {
				s.written[inputKey{cm}] = string(id.AsIdentifier())
			}
			if id, ok := n.GetOutputType().(ast.IdentValueNode); ok {
				s.written[outputKey{cm}] = string(id.AsIdentifier())
			}
		}
	}
}

// Keys for written names that are not a field's type.
type (
	extendeeKey struct {
		*descriptorpb.FieldDescriptorProto
	}
	inputKey struct {
		*descriptorpb.MethodDescriptorProto
	}
	outputKey struct {
		*descriptorpb.MethodDescriptorProto
	}
)

// reorderNested puts the messages of every scope in the order a re-parse
// of the canonical text produces. Canonical prints a message's fields
// (with their map entries and groups) first, then its nested messages,
// then its extend blocks (which may declare groups), and at top level
// messages before extend blocks. Without this, the descriptor of a freshly
// parsed schema and that of its stored canonical text could disagree on
// message indexes, which the wire format uses.
func reorderNested(fd *descriptorpb.FileDescriptorProto) {
	proto2 := isProto2(fd)
	order := func(scope string, fields, exts []*descriptorpb.FieldDescriptorProto, types []*descriptorpb.DescriptorProto) []*descriptorpb.DescriptorProto {
		first := declaredTypes(scope, fields, types, proto2)
		last := declaredTypes(scope, exts, types, proto2)
		if len(first) == 0 && len(last) == 0 {
			return types
		}
		taken := map[*descriptorpb.DescriptorProto]bool{}
		for _, t := range first {
			taken[t] = true
		}
		for _, t := range last {
			taken[t] = true
		}
		out := make([]*descriptorpb.DescriptorProto, 0, len(types))
		out = append(out, first...)
		for _, t := range types {
			if !taken[t] {
				out = append(out, t)
			}
		}
		return append(out, last...)
	}
	var walk func(md *descriptorpb.DescriptorProto, full string)
	walk = func(md *descriptorpb.DescriptorProto, full string) {
		md.NestedType = order(full, md.Field, md.Extension, md.NestedType)
		for _, n := range md.NestedType {
			walk(n, full+"."+n.GetName())
		}
	}
	prefix := ""
	if fd.GetPackage() != "" {
		prefix = "." + fd.GetPackage()
	}
	fd.MessageType = order(prefix, nil, fd.Extension, fd.MessageType)
	for _, m := range fd.MessageType {
		walk(m, prefix+"."+m.GetName())
	}
}

// declaredTypes returns the types among types (the messages of the scope
// named scope, with leading dot) that fields declare themselves, in field
// order.
func declaredTypes(scope string, fields []*descriptorpb.FieldDescriptorProto, types []*descriptorpb.DescriptorProto, proto2 bool) []*descriptorpb.DescriptorProto {
	var out []*descriptorpb.DescriptorProto
	var byName map[string]*descriptorpb.DescriptorProto
	for _, f := range fields {
		if f.GetType() != descriptorpb.FieldDescriptorProto_TYPE_GROUP && f.GetLabel() != descriptorpb.FieldDescriptorProto_LABEL_REPEATED {
			continue
		}
		if byName == nil {
			byName = make(map[string]*descriptorpb.DescriptorProto, len(types))
			for _, t := range types {
				byName[t.GetName()] = t
			}
		}
		if t := fieldDeclaredType(scope, f, byName, proto2); t != nil && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// fieldDeclaredType returns the type that field f, declared in the scope
// named full (with leading dot), declares itself: a map entry, or a proto2
// group's message.
func fieldDeclaredType(full string, f *descriptorpb.FieldDescriptorProto, nested map[string]*descriptorpb.DescriptorProto, proto2 bool) *descriptorpb.DescriptorProto {
	tn := f.GetTypeName()
	if !strings.HasPrefix(tn, full+".") {
		return nil
	}
	n := nested[tn[len(full)+1:]]
	if n == nil {
		return nil
	}
	if f.GetType() == descriptorpb.FieldDescriptorProto_TYPE_MESSAGE && n.GetOptions().GetMapEntry() && f.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REPEATED {
		return n
	}
	if proto2 && f.GetType() == descriptorpb.FieldDescriptorProto_TYPE_GROUP && strings.EqualFold(n.GetName(), f.GetName()) {
		return n
	}
	return nil
}

// isProto2 reports whether fd uses proto2 syntax (the default).
func isProto2(fd *descriptorpb.FileDescriptorProto) bool {
	return fd.GetSyntax() == "" || fd.GetSyntax() == "proto2"
}

// detach copies a descriptor proto through its wire form. A clone would
// keep custom option values as dynamic messages whose types point into the
// compiler's linked files (and their ASTs); after the round trip they are
// unknown fields, which the option printer resolves when it needs to.
func detach(fd *descriptorpb.FileDescriptorProto) *descriptorpb.FileDescriptorProto {
	b, err := proto.MarshalOptions{AllowPartial: true}.Marshal(fd)
	out := &descriptorpb.FileDescriptorProto{}
	if err == nil {
		err = proto.UnmarshalOptions{AllowPartial: true}.Unmarshal(b, out)
	}
	if err != nil {
		return proto.Clone(fd).(*descriptorpb.FileDescriptorProto)
	}
	return out
}
