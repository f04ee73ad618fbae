package main

// JSON Schema through real clients (issue 4): confluent-kafka-go's
// jsonschema serde and franz-go's sr, with a $ref to another subject.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde"
	"github.com/confluentinc/confluent-kafka-go/v2/schemaregistry/serde/jsonschema"
	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/twmb/franz-go/pkg/sr"
)

const (
	addressJSON = `{"$id":"address.json","type":"object","properties":{"street":{"type":"string"}},"required":["street"]}`
	// orderV1 is closed (additionalProperties false), so adding an
	// optional property in orderV2 is BACKWARD compatible under STRICT.
	orderV1 = `{"type":"object","properties":{"id":{"type":"string"},"ship":{"$ref":"address.json"}},` +
		`"required":["id"],"additionalProperties":false}`
	orderV2 = `{"type":"object","properties":{"id":{"type":"string"},"ship":{"$ref":"address.json"},` +
		`"note":{"type":"string"}},"required":["id"],"additionalProperties":false}`
	// orderBad changes id's type: incompatible.
	orderBad = `{"type":"object","properties":{"id":{"type":"integer"},"ship":{"$ref":"address.json"}},` +
		`"required":["id"],"additionalProperties":false}`
)

type jsonAddress struct {
	Street string `json:"street"`
}

type jsonOrder struct {
	ID   string       `json:"id"`
	Ship *jsonAddress `json:"ship,omitempty"`
	Note string       `json:"note,omitempty"`
}

// TestServe_ConfluentKafkaGoJSONSchema registers a schema with a reference
// through confluent-kafka-go, serializes with validation against the
// subject's latest version, evolves the schema and deserializes old bytes.
func TestServe_ConfluentKafkaGoJSONSchema(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	client := mustConfluentClient(t, m)
	const topic = "orders"
	const subject = topic + "-value"

	if _, err := client.Register("address", schemaregistry.SchemaInfo{Schema: addressJSON, SchemaType: "JSON"}, false); err != nil {
		t.Fatal(err)
	}
	ref := []schemaregistry.Reference{{Name: "address.json", Subject: "address", Version: 1}}
	if _, err := client.Register(subject, schemaregistry.SchemaInfo{Schema: orderV1, SchemaType: "JSON", References: ref}, false); err != nil {
		t.Fatal(err)
	}

	serConf := jsonschema.NewSerializerConfig()
	serConf.AutoRegisterSchemas = false
	serConf.UseLatestVersion = true
	serConf.EnableValidation = true
	ser, err := jsonschema.NewSerializer(client, serde.ValueSerde, serConf)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := ser.Serialize(topic, &jsonOrder{ID: "o-1", Ship: &jsonAddress{Street: "Main St"}})
	if err != nil {
		t.Fatalf("serialize a valid order: %v", err)
	}
	// The serializer validates against the registered schema, references
	// included: a wrong type, or an address without its required street,
	// is refused in the client.
	for _, bad := range []any{
		map[string]any{"id": 7},
		map[string]any{"id": "o-2", "ship": map[string]any{}},
	} {
		if _, err := ser.Serialize(topic, bad); err == nil {
			t.Errorf("%v passed validation against the registered schema", bad)
		}
	}

	// Evolve: v2 adds an optional property; an incompatible change is refused.
	if _, err := client.Register(subject, schemaregistry.SchemaInfo{Schema: orderBad, SchemaType: "JSON", References: ref}, false); err == nil {
		t.Fatal("registering an incompatible JSON schema succeeded")
	}
	if _, err := client.Register(subject, schemaregistry.SchemaInfo{Schema: orderV2, SchemaType: "JSON", References: ref}, false); err != nil {
		t.Fatal(err)
	}

	// The consumer reads the v1 bytes with the writer's schema fetched by
	// id. (confluent-kafka-go validates only in the serializer: its
	// deserializer cannot validate decoded structs.)
	plainConf := jsonschema.NewDeserializerConfig()
	plain, err := jsonschema.NewDeserializer(mustConfluentClient(t, m), serde.ValueSerde, plainConf)
	if err != nil {
		t.Fatal(err)
	}
	var got jsonOrder
	if err := plain.DeserializeInto(topic, payload, &got); err != nil {
		t.Fatalf("deserialize v1 bytes into a struct: %v", err)
	}
	if got.ID != "o-1" || got.Ship == nil || got.Ship.Street != "Main St" {
		t.Fatalf("round trip = %+v", got)
	}
}

// TestServe_FranzGoJSONSchema registers the same pair with franz-go's sr
// client and validates messages with only the bundle Charter serves.
func TestServe_FranzGoJSONSchema(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t)
	cl := MustSRClient(t, m)
	ctx := t.Context()
	addr, err := cl.CreateSchema(ctx, "address", sr.Schema{Schema: addressJSON, Type: sr.TypeJSON})
	if err != nil {
		t.Fatal(err)
	}
	order, err := cl.CreateSchema(ctx, "orders-value", sr.Schema{Schema: orderV1, Type: sr.TypeJSON,
		References: []sr.SchemaReference{{Name: "address.json", Subject: "address", Version: addr.Version}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateSchema(ctx, "orders-value", sr.Schema{Schema: orderBad, Type: sr.TypeJSON,
		References: []sr.SchemaReference{{Name: "address.json", Subject: "address", Version: addr.Version}}}); err == nil {
		t.Fatal("incompatible change accepted")
	} else {
		wantCode(t, err, http.StatusConflict, 409)
	}

	resp, err := http.Get(m.URL() + "/schemas/ids/" + strconv.Itoa(order.ID) + "/bundle")
	if err != nil {
		t.Fatal(err)
	}
	bundle, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("bundle: %d %s", resp.StatusCode, bundle)
	}
	doc, err := validator.UnmarshalJSON(bytes.NewReader(bundle))
	if err != nil {
		t.Fatal(err)
	}
	c := validator.NewCompiler()
	c.UseLoader(refuseLoader{}) // the bundle must need nothing else
	if err := c.AddResource("bundle.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("bundle.json")
	if err != nil {
		t.Fatalf("compile bundle: %v\n%s", err, bundle)
	}
	for _, tc := range []struct {
		msg   string
		valid bool
	}{
		{`{"id":"o-1","ship":{"street":"Main St"}}`, true},
		{`{"id":"o-1","ship":{}}`, false}, // the referenced schema requires street
		{`{"id":1}`, false},
	} {
		v, _ := validator.UnmarshalJSON(strings.NewReader(tc.msg))
		if err := sch.Validate(v); (err == nil) != tc.valid {
			t.Errorf("validate %s: %v, want valid=%v", tc.msg, err, tc.valid)
		}
	}
}

// refuseLoader makes any attempt to load a further document an error.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the bundle needs %s, which must not be loaded", url)
}
