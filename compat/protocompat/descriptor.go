package protocompat

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charterhq/charter/compat"
)

// DescriptorSet returns a serialized google.protobuf.FileDescriptorSet that
// holds s's file and all its transitive dependencies (references and
// built-in files), dependencies first, so that a consumer can build every
// message of s with protodesc.NewFiles and dynamicpb and nothing else. It
// serves GET /schemas/ids/{id}/descriptor. s must come from this package's
// Parse.
func DescriptorSet(s compat.Schema) ([]byte, error) {
	ps, err := asSchema(s, "the")
	if err != nil {
		return nil, err
	}
	set := &descriptorpb.FileDescriptorSet{File: append(slices.Clone(ps.deps), ps.fd)}
	return proto.MarshalOptions{Deterministic: true}.Marshal(set)
}

// Serialized returns s's file as a base64-encoded (standard alphabet,
// padded) serialized google.protobuf.FileDescriptorProto, which is what
// Confluent serves for format=serialized and what its Python and .NET
// deserializers read. Dependencies are named by their import paths, as in
// the schema's references.
func Serialized(s compat.Schema) (string, error) {
	ps, err := asSchema(s, "the")
	if err != nil {
		return "", err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(ps.fd)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// MessageIndexes returns the path of the message named fullName (with or
// without a leading dot) in s, as Confluent's wire format writes it before
// a Protobuf payload: the index of the top-level message among the file's
// messages, then the index among the nested messages at each level. The
// indexes count every nested type of the descriptor, map entries and
// groups included, in the order of s's canonical text (see the package
// doc), which is the order consumers that parse the stored schema see.
func MessageIndexes(s compat.Schema, fullName string) ([]int, error) {
	ps, err := asSchema(s, "the")
	if err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(fullName, ".")
	pkg := ps.fd.GetPackage()
	rest := name
	if pkg != "" {
		if !strings.HasPrefix(name, pkg+".") {
			return nil, fmt.Errorf("protocompat: message %q is not in package %q", fullName, pkg)
		}
		rest = name[len(pkg)+1:]
	}
	var idx []int
	types := ps.fd.MessageType
	for part := range strings.SplitSeq(rest, ".") {
		i := slices.IndexFunc(types, func(m *descriptorpb.DescriptorProto) bool { return m.GetName() == part })
		if i < 0 {
			return nil, fmt.Errorf("protocompat: no message %q in the schema", fullName)
		}
		idx = append(idx, i)
		types = types[i].NestedType
	}
	return idx, nil
}

// AppendMessageIndexes appends the wire encoding of a message-index path
// to dst: the count, then each index, all as zig-zag varints, except that
// the path [0] (the first top-level message) is the single byte 0x00.
// For example [1] is 02 02 and [0, 0] is 04 00 00.
func AppendMessageIndexes(dst []byte, idx []int) []byte {
	if len(idx) == 1 && idx[0] == 0 {
		return append(dst, 0)
	}
	dst = binary.AppendVarint(dst, int64(len(idx)))
	for _, i := range idx {
		dst = binary.AppendVarint(dst, int64(i))
	}
	return dst
}
