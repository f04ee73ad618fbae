package protocompat_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/protocompat"
)

func TestAppendMessageIndexes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		idx  []int
		want []byte
	}{
		{[]int{0}, []byte{0x00}},       // the shortcut for the first message
		{[]int{1}, []byte{0x02, 0x02}}, // count 1, index 1 (zig-zag)
		{[]int{0, 0}, []byte{0x04, 0x00, 0x00}},
		{[]int{1, 2}, []byte{0x04, 0x02, 0x04}},
		{[]int{2, 0, 1}, []byte{0x06, 0x04, 0x00, 0x02}},
		{[]int{64}, []byte{0x02, 0x80, 0x01}}, // zig-zag 128 needs two bytes
	} {
		if got := protocompat.AppendMessageIndexes([]byte{0xAA}, tc.idx); !bytes.Equal(got, append([]byte{0xAA}, tc.want...)) {
			t.Errorf("%v: got % x, want aa % x", tc.idx, got, tc.want)
		}
	}
}

const wireSchema = `syntax = "proto3";
package acme.shop;
import "google/protobuf/timestamp.proto";
import "common/money.proto";

message Order {
  string id = 1;
  map<string, Line> lines = 2;
  google.protobuf.Timestamp at = 3;
  repeated Note notes = 4;
  message Line {
    string sku = 1;
    common.Money price = 2;
  }
  message Note { string text = 1; }
}

message Customer {
  string id = 1;
  message Address { string city = 1; }
  Address address = 2;
}
`

var wireRefs = []compat.Reference{{Name: "common/money.proto", Text: `syntax = "proto3"; package common; message Money { string currency = 1; int64 units = 2; }`}}

// files builds a consumer's view of s from its descriptor set alone.
func files(t *testing.T, s compat.Schema) (protoreflect.FileDescriptor, []byte) {
	t.Helper()
	set, err := protocompat.DescriptorSet(s)
	if err != nil {
		t.Fatal(err)
	}
	var fds descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(set, &fds); err != nil {
		t.Fatal(err)
	}
	reg, err := protodesc.NewFiles(&fds)
	if err != nil {
		t.Fatalf("descriptor set is not self-contained: %v", err)
	}
	fd, err := reg.FindFileByPath(fds.File[len(fds.File)-1].GetName())
	if err != nil {
		t.Fatal(err)
	}
	return fd, set
}

// ckgIndexes is how confluent-kafka-go's serializer derives message indexes
// from a message descriptor (Index() at each level).
func ckgIndexes(md protoreflect.Descriptor) []int {
	var out []int
	for d := md; ; d = d.Parent() {
		if _, ok := d.(protoreflect.FileDescriptor); ok {
			break
		}
		out = append([]int{d.Index()}, out...)
	}
	return out
}

func TestMessageIndexesMatchDescriptors(t *testing.T) {
	t.Parallel()
	s := mustParse(t, wireSchema, wireRefs...)
	fd, _ := files(t, s)
	// The stored canonical text, parsed by a consumer, must give the same
	// indexes as the schema the producer registered.
	stored := mustParse(t, s.Canonical(), wireRefs...)
	storedFD, _ := files(t, stored)
	var walk func(ms protoreflect.MessageDescriptors)
	n := 0
	walk = func(ms protoreflect.MessageDescriptors) {
		for i := range ms.Len() {
			md := ms.Get(i)
			n++
			got, err := protocompat.MessageIndexes(s, string(md.FullName()))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ckgIndexes(md), got); diff != "" {
				t.Errorf("%s (-descriptor +MessageIndexes):\n%s", md.FullName(), diff)
			}
			other := findMessage(storedFD.Messages(), md.FullName())
			if other == nil || !cmp.Equal(ckgIndexes(other), got) {
				t.Errorf("%s: indexes differ after re-parsing the canonical text", md.FullName())
			}
			walk(md.Messages())
		}
	}
	walk(fd.Messages())
	if n != 6 {
		t.Fatalf("walked only %d messages", n)
	}
	for name, want := range map[string][]int{
		"acme.shop.Order":            {0},
		".acme.shop.Customer":        {1},
		"acme.shop.Order.LinesEntry": {0, 0},
		"acme.shop.Order.Line":       {0, 1},
		"acme.shop.Order.Note":       {0, 2},
		"acme.shop.Customer.Address": {1, 0},
	} {
		got, err := protocompat.MessageIndexes(s, name)
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("MessageIndexes(%s) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"acme.shop.Nope", "other.Order", "acme.shop.Order.Nope", ""} {
		if _, err := protocompat.MessageIndexes(s, bad); err == nil {
			t.Errorf("MessageIndexes(%q): no error", bad)
		}
	}
}

func findMessage(ms protoreflect.MessageDescriptors, name protoreflect.FullName) protoreflect.MessageDescriptor {
	for i := range ms.Len() {
		if ms.Get(i).FullName() == name {
			return ms.Get(i)
		}
		if m := findMessage(ms.Get(i).Messages(), name); m != nil {
			return m
		}
	}
	return nil
}

// TestDescriptorDecodesProducerPayload plays a producer that compiled the
// same .proto files itself (as protoc would) and writes a Confluent-framed
// payload, and a consumer that has only the registry's descriptor set.
func TestDescriptorDecodesProducerPayload(t *testing.T) {
	t.Parallel()
	// Producer.
	srcs := map[string]string{"shop.proto": wireSchema, "common/money.proto": wireRefs[0].Text}
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(srcs)})}
	compiled, err := c.Compile(context.Background(), "shop.proto")
	if err != nil {
		t.Fatal(err)
	}
	line := compiled[0].FindDescriptorByName("acme.shop.Order.Line").(protoreflect.MessageDescriptor)
	msg := dynamicpb.NewMessage(line)
	if err := protojson.Unmarshal([]byte(`{"sku":"A-1","price":{"currency":"EUR","units":"42"}}`), msg); err != nil {
		t.Fatal(err)
	}
	body, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	frame := []byte{0}
	frame = binary.BigEndian.AppendUint32(frame, 7)
	frame = protocompat.AppendMessageIndexes(frame, ckgIndexes(line))
	frame = append(frame, body...)

	// Consumer: the registry's descriptor set and the frame, nothing else.
	s := mustParse(t, wireSchema, wireRefs...)
	fd, _ := files(t, s)
	rest := frame[5:]
	count, n := binary.Varint(rest)
	rest = rest[n:]
	idx := []int{0}
	if count > 0 {
		idx = idx[:0]
		for range count {
			v, n := binary.Varint(rest)
			rest = rest[n:]
			idx = append(idx, int(v))
		}
	}
	md := fd.Messages().Get(idx[0])
	for _, i := range idx[1:] {
		md = md.Messages().Get(i)
	}
	if md.FullName() != "acme.shop.Order.Line" {
		t.Fatalf("indexes %v resolve to %s", idx, md.FullName())
	}
	got := dynamicpb.NewMessage(md)
	if err := proto.Unmarshal(rest, got); err != nil {
		t.Fatal(err)
	}
	j, err := protojson.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := protojson.Marshal(msg)
	if !jsonEqual(t, j, want) {
		t.Errorf("decoded %s, want %s", j, want)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	norm := func(x []byte) string { return strings.Join(strings.Fields(string(x)), "") }
	return norm(a) == norm(b)
}

func TestDescriptorSetSelfContained(t *testing.T) {
	t.Parallel()
	s := mustParse(t, wireSchema, wireRefs...)
	_, set := files(t, s)
	var fds descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(set, &fds); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fds.File {
		names = append(names, f.GetName())
	}
	want := []string{"google/protobuf/timestamp.proto", "common/money.proto", "schema.proto"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if fds.File[2].SourceCodeInfo != nil {
		t.Error("descriptor carries source code info")
	}
}

func TestSerialized(t *testing.T) {
	t.Parallel()
	s := mustParse(t, wireSchema, wireRefs...)
	b64, err := protocompat.Serialized(s)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	var fdp descriptorpb.FileDescriptorProto
	if err := proto.Unmarshal(raw, &fdp); err != nil {
		t.Fatal(err)
	}
	if fdp.GetPackage() != "acme.shop" || len(fdp.MessageType) != 2 || fdp.Dependency[1] != "common/money.proto" {
		t.Errorf("unexpected descriptor %v", &fdp)
	}
}

type foreignSchema struct{}

func (foreignSchema) Canonical() string  { return "" }
func (foreignSchema) Normalized() string { return "" }

func TestForeignSchema(t *testing.T) {
	t.Parallel()
	f := protocompat.New()
	s := mustParse(t, `syntax = "proto3"; message M {}`)
	if _, err := f.Check(s, foreignSchema{}, compat.Options{}); err == nil {
		t.Error("Check(proto, foreign): no error")
	}
	if _, err := f.Check(foreignSchema{}, s, compat.Options{}); err == nil {
		t.Error("Check(foreign, proto): no error")
	}
	if _, err := f.Check(s, s, compat.Options{RuleSet: "FILE"}); err == nil {
		t.Error("unknown rule set: no error")
	}
	if _, err := protocompat.DescriptorSet(foreignSchema{}); err == nil {
		t.Error("DescriptorSet(foreign): no error")
	}
	if _, err := protocompat.Serialized(foreignSchema{}); err == nil {
		t.Error("Serialized(foreign): no error")
	}
	if _, err := protocompat.MessageIndexes(foreignSchema{}, "M"); err == nil {
		t.Error("MessageIndexes(foreign): no error")
	}
}

// TestMessageIndexesInterleavedMap documents the one case where a
// producer's indexes can differ from the registry's: a map field declared
// after a nested message. protoc puts the map entry among the nested types
// where the field is declared; the canonical text prints fields before
// nested messages, so a consumer that parses the stored text (and
// DescriptorSet, and MessageIndexes) sees the entry first. Confluent's
// canonical text reorders the same way.
func TestMessageIndexesInterleavedMap(t *testing.T) {
	t.Parallel()
	s := mustParse(t, `syntax = "proto3";
message Outer {
  message Inner { int32 a = 1; }
  map<string, Inner> m = 1;
}`)
	for name, want := range map[string][]int{"Outer.MEntry": {0, 0}, "Outer.Inner": {0, 1}} {
		got, err := protocompat.MessageIndexes(s, name)
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("MessageIndexes(%s) = %v, %v; want %v (canonical order)", name, got, err, want)
		}
	}
}
