package main

import (
	"errors"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/rest"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/avrov2"
	"github.com/hamba/avro/v2"
)

// Payment versions for the serde round trip: v2 adds a field with a
// default, a BACKWARD-compatible change.
const (
	paymentV1 = `{"type":"record","name":"Payment","namespace":"com.example","fields":[
		{"name":"id","type":"string"},
		{"name":"amount","type":"double"}]}`
	paymentV2 = `{"type":"record","name":"Payment","namespace":"com.example","fields":[
		{"name":"id","type":"string"},
		{"name":"amount","type":"double"},
		{"name":"currency","type":"string","default":"EUR"}]}`
)

// PaymentV1 is what an old producer writes. Implementing Schema() makes the
// serializer register exactly paymentV1 instead of deriving a schema.
type PaymentV1 struct {
	ID     string  `avro:"id"`
	Amount float64 `avro:"amount"`
}

func (*PaymentV1) Schema() avro.Schema { return avro.MustParse(paymentV1) }

// PaymentV2 is what a new consumer reads into.
type PaymentV2 struct {
	ID       string  `avro:"id"`
	Amount   float64 `avro:"amount"`
	Currency string  `avro:"currency"`
}

// TestServe_ConfluentKafkaGo drives the server with confluent-kafka-go's
// Schema Registry client and Avro serde: the serializer auto-registers v1,
// a compatible v2 is registered, and a deserializer that reads with the
// subject's latest version decodes v1 bytes with v2's default filled in.
func TestServe_ConfluentKafkaGo(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	client := mustConfluentClient(t, m)
	const topic = "payments"
	const subject = topic + "-value" // TopicNameStrategy

	serConf := avrov2.NewSerializerConfig()
	serConf.AutoRegisterSchemas = true
	ser, err := avrov2.NewSerializer(client, serde.ValueSerde, serConf)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := ser.Serialize(topic, &PaymentV1{ID: "p-1", Amount: 12.5})
	if err != nil {
		t.Fatalf("serialize v1 (auto-register): %v", err)
	}
	if len(payload) < 5 || payload[0] != 0 {
		t.Fatalf("payload %x lacks the Confluent wire-format header", payload)
	}

	versions, err := client.GetAllVersions(subject)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || versions[0] != 1 {
		t.Fatalf("versions after auto-register = %v, want [1]", versions)
	}
	v1, err := client.GetLatestSchemaMetadata(subject)
	if err != nil {
		t.Fatal(err)
	}

	ok, err := client.TestCompatibility(subject, -1, schemaregistry.SchemaInfo{Schema: paymentV2, SchemaType: "AVRO"})
	if err != nil || !ok {
		t.Fatalf("v2 compatibility = %v %v, want compatible", ok, err)
	}
	v2ID, err := client.Register(subject, schemaregistry.SchemaInfo{Schema: paymentV2, SchemaType: "AVRO"}, false)
	if err != nil {
		t.Fatalf("register v2: %v", err)
	}
	if v2ID == v1.ID {
		t.Fatalf("v2 got v1's id %d", v2ID)
	}
	// An incompatible version is refused with a 409.
	_, err = client.Register(subject, schemaregistry.SchemaInfo{
		Schema: `{"type":"record","name":"Payment","namespace":"com.example","fields":[{"name":"id","type":"long"}]}`,
	}, false)
	var restErr *rest.Error
	if !errors.As(err, &restErr) || restErr.Code != 409 {
		t.Fatalf("incompatible registration: err = %v, want error_code 409", err)
	}

	// A reader on the latest version (v2) reads v1 data; currency takes
	// its default.
	// The consumer has its own client, as it would in its own process: the
	// producer's client has v1 cached as "latest".
	deConf := avrov2.NewDeserializerConfig()
	deConf.UseLatestVersion = true
	de, err := avrov2.NewDeserializer(mustConfluentClient(t, m), serde.ValueSerde, deConf)
	if err != nil {
		t.Fatal(err)
	}
	var got PaymentV2
	if err := de.DeserializeInto(topic, payload, &got); err != nil {
		t.Fatalf("deserialize v1 bytes with v2: %v", err)
	}
	want := PaymentV2{ID: "p-1", Amount: 12.5, Currency: "EUR"}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}

	// A reader without UseLatestVersion reads with the writer's schema,
	// fetched by id from the server.
	plain, err := avrov2.NewDeserializer(client, serde.ValueSerde, avrov2.NewDeserializerConfig())
	if err != nil {
		t.Fatal(err)
	}
	var old PaymentV1
	if err := plain.DeserializeInto(topic, payload, &old); err != nil {
		t.Fatal(err)
	}
	if old != (PaymentV1{ID: "p-1", Amount: 12.5}) {
		t.Fatalf("v1 round trip = %+v", old)
	}
}

func mustConfluentClient(tb testing.TB, m *Main) schemaregistry.Client {
	tb.Helper()
	client, err := schemaregistry.NewClient(schemaregistry.NewConfig(m.URL()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = client.Close() })
	return client
}
