package main

// Protobuf through real clients (issue 3): confluent-kafka-go's protobuf
// serde registers a file and its import through references, franz-go
// evolves and checks it, and a consumer decodes a payload with nothing but
// the descriptor set Charter serves.

import (
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/protobuf"
	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

const (
	moneyProto = `syntax = "proto3";
package common;
message Money {
  string currency = 1;
  int64 units = 2;
}
`
	orderProto = `syntax = "proto3";
package shop;
import "common/money.proto";
message Order {
  string id = 1;
  common.Money total = 2;
}
`
	// orderV2 adds a field: compatible. orderBadProto changes id's kind.
	orderV2Proto = `syntax = "proto3";
package shop;
import "common/money.proto";
message Order {
  string id = 1;
  common.Money total = 2;
  string note = 3;
}
`
	orderBadProto = `syntax = "proto3";
package shop;
import "common/money.proto";
message Order {
  int64 id = 1;
  common.Money total = 2;
}
`
)

// compileOrder compiles the producer's .proto files the way a build would,
// returning shop.Order's descriptor.
func compileOrder(t *testing.T) protoreflect.MessageDescriptor {
	t.Helper()
	c := protocompile.Compiler{Resolver: &protocompile.SourceResolver{
		Accessor: protocompile.SourceAccessorFromMap(map[string]string{
			"common/money.proto": moneyProto,
			"shop/order.proto":   orderProto,
		}),
	}}
	files, err := c.Compile(context.Background(), "shop/order.proto")
	if err != nil {
		t.Fatal(err)
	}
	return files[0].Messages().ByName("Order")
}

func newOrder(md protoreflect.MessageDescriptor, id string, units int64) *dynamicpb.Message {
	m := dynamicpb.NewMessage(md)
	m.Set(md.Fields().ByName("id"), protoreflect.ValueOfString(id))
	money := md.Fields().ByName("total").Message()
	total := dynamicpb.NewMessage(money)
	total.Set(money.Fields().ByName("currency"), protoreflect.ValueOfString("EUR"))
	total.Set(money.Fields().ByName("units"), protoreflect.ValueOfInt64(units))
	m.Set(md.Fields().ByName("total"), protoreflect.ValueOfMessage(total))
	return m
}

func TestServe_Protobuf(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	client := mustConfluentClient(t, m)
	const topic = "orders"
	const subject = topic + "-value"
	md := compileOrder(t)

	// The producer: confluent-kafka-go registers common/money.proto under
	// its import path and the order file with a reference to it.
	serConf := protobuf.NewSerializerConfig()
	serConf.AutoRegisterSchemas = true
	ser, err := protobuf.NewSerializer(client, serde.ValueSerde, serConf)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := ser.Serialize(topic, newOrder(md, "o-1", 1250))
	if err != nil {
		t.Fatalf("serialize: %v", err)
	}
	meta, err := client.GetLatestSchemaMetadata(subject)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.References) != 1 || meta.References[0].Name != "common/money.proto" || meta.References[0].Subject != "common/money.proto" {
		t.Fatalf("registered references = %+v, want common/money.proto by import path", meta.References)
	}

	// The consumer: confluent-kafka-go's deserializer with the message type
	// known to its registry.
	de, err := protobuf.NewDeserializer(mustConfluentClient(t, m), serde.ValueSerde, protobuf.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := de.ProtoRegistry.RegisterMessage(dynamicpb.NewMessageType(md)); err != nil {
		t.Fatal(err)
	}
	got, err := de.Deserialize(topic, payload)
	if err != nil {
		t.Fatalf("deserialize: %v", err)
	}
	gm := got.(proto.Message).ProtoReflect()
	if id := gm.Get(md.Fields().ByName("id")).String(); id != "o-1" {
		t.Fatalf("round trip id = %q", id)
	}

	// Evolution through franz-go: a breaking change is refused (409), a
	// compatible one registers.
	cl := MustSRClient(t, m)
	ctx := t.Context()
	refs := []sr.SchemaReference{{Name: "common/money.proto", Subject: "common/money.proto", Version: 1}}
	_, err = cl.CreateSchema(ctx, subject, sr.Schema{Schema: orderBadProto, Type: sr.TypeProtobuf, References: refs})
	wantCode(t, err, http.StatusConflict, 409)
	v2, err := cl.CreateSchema(ctx, subject, sr.Schema{Schema: orderV2Proto, Type: sr.TypeProtobuf, References: refs})
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 {
		t.Fatalf("v2 = %+v", v2)
	}

	// A consumer with no generated code and no registry client: the
	// payload's schema id, then the descriptor set Charter serves, decode
	// the message with dynamicpb.
	if payload[0] != 0 {
		t.Fatalf("magic byte = %d", payload[0])
	}
	id := int(binary.BigEndian.Uint32(payload[1:5]))
	if payload[5] != 0 {
		t.Fatalf("message index of the first message should be the single byte 0, got %x", payload[5])
	}
	resp, err := http.Get(m.URL() + "/schemas/ids/" + strconv.Itoa(id) + "/descriptor")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-protobuf" {
		t.Fatalf("descriptor: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		t.Fatalf("descriptor set is not self-contained: %v", err)
	}
	d, err := files.FindDescriptorByName("shop.Order")
	if err != nil {
		t.Fatal(err)
	}
	decoded := dynamicpb.NewMessage(d.(protoreflect.MessageDescriptor))
	if err := (proto.UnmarshalOptions{Resolver: protoregistry.GlobalTypes}).Unmarshal(payload[6:], decoded); err != nil {
		t.Fatal(err)
	}
	dmd := decoded.Descriptor()
	total := decoded.Get(dmd.Fields().ByName("total")).Message()
	if decoded.Get(dmd.Fields().ByName("id")).String() != "o-1" ||
		total.Get(total.Descriptor().Fields().ByName("units")).Int() != 1250 {
		t.Fatalf("decoded with the served descriptor set: %v", decoded)
	}
}
