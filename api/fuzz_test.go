package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// FuzzDecodeRegisterRequest feeds arbitrary bodies to the decoder shared by
// registration, lookup and compatibility checks. Invariants:
//
//   - it never panics;
//   - an error is either an *httpError with status 400 or 413, or a
//     *registry.Error of kind InvalidSchema (rendered 422/42201);
//   - a success holds a known schema type, ExplicitID set exactly when the
//     body had an "id", and references copied one for one.
func FuzzDecodeRegisterRequest(f *testing.F) {
	for _, seed := range []string{
		`{"schema":"\"string\""}`,
		`{"schema":"{\"type\":\"record\",\"name\":\"R\",\"fields\":[]}","schemaType":"AVRO"}`,
		`{"schema":"syntax = \"proto3\";","schemaType":"PROTOBUF","references":[{"name":"a.proto","subject":"a","version":-1}]}`,
		`{"schema":"{}","schemaType":"JSON","id":0,"version":-1}`,
		`{"schema":"x","metadata":{"properties":{"owner":"team"},"tags":{"$.a":["PII"]}},"ruleSet":{"domainRules":[{"name":"r","kind":"CONDITION","type":"CEL","expr":"true"}]}}`,
		`{"schema":"x","id":2147483648}`,
		`{"schema":"x","schemaType":"avro"}`,
		`{"schema":5}`, `{"schema":"x"} trailing`, `[]`, `null`, ``, `{`, `{"ruleset":{"enableAt":"CLIENT"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeRegisterRequest(strings.NewReader(string(body)))
		if err != nil {
			var he *httpError
			var re *registry.Error
			switch {
			case errors.As(err, &he):
				if he.status != http.StatusBadRequest && he.status != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d for %q", he.status, body)
				}
			case errors.As(err, &re):
				if re.Kind != registry.InvalidSchema {
					t.Fatalf("kind %v for %q", re.Kind, body)
				}
			default:
				t.Fatalf("unexpected error %T %v", err, err)
			}
			return
		}
		switch req.Type {
		case registry.Avro, registry.Protobuf, registry.JSON:
		default:
			t.Fatalf("type %q accepted", req.Type)
		}
		var in confluent.RegisterSchemaRequest
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatalf("accepted %q, which encoding/json rejects: %v", body, err)
		}
		if req.ExplicitID != (in.ID != nil) || (!req.ExplicitID && req.ID != 0) {
			t.Fatalf("id %d explicit %v from %q", req.ID, req.ExplicitID, body)
		}
		if len(req.References) != len(in.References) || req.Schema != in.Schema || int(req.Version) != in.Version {
			t.Fatalf("request %+v does not match body %q", req, body)
		}
	})
}
