package protocompat

import (
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
)

// index is the lookup structure the checker uses: every message and enum of
// the schema and its dependencies by full name, and the schema's own
// messages as a tree. It is built on a schema's first Check and kept.
type index struct {
	main     *fileInfo
	messages map[string]*msgInfo  // by full name, leading dot
	enums    map[string]*enumInfo // by full name, leading dot
	// top are the schema's top-level messages (Confluent's type walk);
	// all are all its messages in pre-order, including map entries and
	// groups (buf's walk).
	top, all []*msgInfo
	allEnums []*enumInfo
	services []*descriptorpb.ServiceDescriptorProto
}

type fileInfo struct {
	fd      *descriptorpb.FileDescriptorProto
	name    string
	text    string // reference text; "" for the schema itself and built-ins
	main    bool
	proto2  bool
	jsonFmt descriptorpb.FeatureSet_JsonFormat
}

type msgInfo struct {
	md    *descriptorpb.DescriptorProto
	full  string // leading dot
	local string // full name without the file's package
	file  *fileInfo
	// synthetic marks map entries and proto2 groups, which Confluent's
	// type walk does not see as messages.
	synthetic bool
	children  []*msgInfo // non-synthetic nested messages
	byNum     map[int32]*descriptorpb.FieldDescriptorProto
	jsonFmt   descriptorpb.FeatureSet_JsonFormat
}

type enumInfo struct {
	ed      *descriptorpb.EnumDescriptorProto
	full    string
	file    *fileInfo
	jsonFmt descriptorpb.FeatureSet_JsonFormat
}

func (s *schema) idx() *index {
	s.indexOnce.Do(func() { s.index = buildIndex(s) })
	return s.index
}

func buildIndex(s *schema) *index {
	ix := &index{messages: map[string]*msgInfo{}, enums: map[string]*enumInfo{}}
	for _, d := range s.deps {
		ix.addFile(&fileInfo{fd: d, name: d.GetName(), text: s.refText[d.GetName()]})
	}
	ix.main = &fileInfo{fd: s.fd, name: s.fd.GetName(), main: true}
	ix.addFile(ix.main)
	ix.services = s.fd.Service
	return ix
}

func (ix *index) addFile(f *fileInfo) {
	fd := f.fd
	f.proto2 = isProto2(fd)
	f.jsonFmt = descriptorpb.FeatureSet_ALLOW
	if f.proto2 {
		f.jsonFmt = descriptorpb.FeatureSet_LEGACY_BEST_EFFORT
	}
	f.jsonFmt = jsonFormat(fd.GetOptions().GetFeatures(), f.jsonFmt)
	prefix := ""
	if fd.GetPackage() != "" {
		prefix = "." + fd.GetPackage()
	}
	addEnum := func(e *descriptorpb.EnumDescriptorProto, scope string, parentFmt descriptorpb.FeatureSet_JsonFormat) {
		ei := &enumInfo{ed: e, full: scope + "." + e.GetName(), file: f, jsonFmt: jsonFormat(e.GetOptions().GetFeatures(), parentFmt)}
		ix.enums[ei.full] = ei
		if f.main {
			ix.allEnums = append(ix.allEnums, ei)
		}
	}
	var add func(md *descriptorpb.DescriptorProto, scope string, synthetic bool, parentFmt descriptorpb.FeatureSet_JsonFormat) *msgInfo
	add = func(md *descriptorpb.DescriptorProto, scope string, synthetic bool, parentFmt descriptorpb.FeatureSet_JsonFormat) *msgInfo {
		full := scope + "." + md.GetName()
		mi := &msgInfo{
			md:        md,
			full:      full,
			local:     strings.TrimPrefix(strings.TrimPrefix(full, prefix), "."),
			file:      f,
			synthetic: synthetic,
			byNum:     make(map[int32]*descriptorpb.FieldDescriptorProto, len(md.Field)),
			jsonFmt:   jsonFormat(md.GetOptions().GetFeatures(), parentFmt),
		}
		for _, fld := range md.Field {
			mi.byNum[fld.GetNumber()] = fld
		}
		ix.messages[full] = mi
		if f.main {
			ix.all = append(ix.all, mi)
		}
		declared := map[*descriptorpb.DescriptorProto]bool{}
		for _, t := range declaredTypes(full, md.Field, md.NestedType, f.proto2) {
			declared[t] = true
		}
		for _, t := range declaredTypes(full, md.Extension, md.NestedType, f.proto2) {
			declared[t] = true
		}
		for _, n := range md.NestedType {
			c := add(n, full, synthetic || declared[n], mi.jsonFmt)
			if !declared[n] {
				mi.children = append(mi.children, c)
			}
		}
		for _, e := range md.EnumType {
			addEnum(e, full, mi.jsonFmt)
		}
		return mi
	}
	declared := map[*descriptorpb.DescriptorProto]bool{}
	for _, t := range declaredTypes(prefix, fd.Extension, fd.MessageType, f.proto2) {
		declared[t] = true
	}
	for _, m := range fd.MessageType {
		mi := add(m, prefix, declared[m], f.jsonFmt)
		if f.main && !declared[m] {
			ix.top = append(ix.top, mi)
		}
	}
	for _, e := range fd.EnumType {
		addEnum(e, prefix, f.jsonFmt)
	}
}

func jsonFormat(fs *descriptorpb.FeatureSet, parent descriptorpb.FeatureSet_JsonFormat) descriptorpb.FeatureSet_JsonFormat {
	if fs != nil && fs.JsonFormat != nil && fs.GetJsonFormat() != descriptorpb.FeatureSet_JSON_FORMAT_UNKNOWN {
		return fs.GetJsonFormat()
	}
	return parent
}
