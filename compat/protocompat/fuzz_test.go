package protocompat_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/protocompat"
)

// addSeeds adds the parse goldens, both sides of every rule case without
// references, and a serialized descriptor.
func addSeeds(f *testing.F, add func(string)) {
	for _, s := range []string{
		`syntax = "proto3"; message M { int32 a = 1; }`,
		`syntax = "proto2"; message M { optional group G = 1 { optional int32 x = 1; } extensions 10 to max; }`,
		`edition = "2023"; message M { int32 a = 1 [features.field_presence = IMPLICIT]; }`,
		`syntax = "proto3"; import "google/protobuf/descriptor.proto"; extend google.protobuf.FieldOptions { string o = 50000; } message M { string a = 1 [(o) = "x"]; }`,
		`syntax = "proto3"; message M { map<string, M> m = 1; oneof o { string a = 2; int32 b = 3; } }`,
		`syntax = "proto3"; service S { rpc A(M) returns (stream M); } message M {}`,
	} {
		add(s)
	}
	files, _ := filepath.Glob("testdata/parse/*.proto")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			add(string(b))
		}
	}
	for _, c := range loadRuleCases(f) {
		if len(c.wrefs) == 0 && len(c.rrefs) == 0 {
			add(c.reader)
			add(c.writer)
		}
	}
	if s, err := protocompat.New().Parse(`syntax = "proto3"; package p; message M { string a = 1; }`, nil); err == nil {
		if b64, err := protocompat.Serialized(s); err == nil {
			add(b64)
		}
	}
	add(base64.StdEncoding.EncodeToString([]byte{0x0a, 0x01, 'x', 0x12, 0x01, 'p'}))
}

// FuzzParse: Parse never panics; for a schema that parses, the canonical
// and normalized forms parse again to themselves and describe the same
// file, and the schema is compatible with itself under every rule set.
func FuzzParse(f *testing.F) {
	addSeeds(f, func(s string) { f.Add(s) })
	format := protocompat.New()
	f.Fuzz(func(t *testing.T, text string) {
		s, err := format.Parse(text, nil)
		if err != nil {
			return
		}
		assertStable(t, format, s)
	})
}

// FuzzCheckReflexive: any schema that parses is compatible with itself in
// both directions (two separate parses) under Confluent's rules, WIRE and
// WIRE_JSON, and Check never errors on parsed schemas.
func FuzzCheckReflexive(f *testing.F) {
	addSeeds(f, func(s string) { f.Add(s) })
	format := protocompat.New()
	f.Fuzz(func(t *testing.T, text string) {
		a, err := format.Parse(text, nil)
		if err != nil {
			return
		}
		b, err := format.Parse(text, nil)
		if err != nil {
			t.Fatalf("second parse failed: %v", err)
		}
		for _, set := range []string{"", "WIRE", "WIRE_JSON"} {
			for _, p := range [][2]compat.Schema{{a, b}, {b, a}, {a, a}} {
				fs, err := format.Check(p[0], p[1], compat.Options{RuleSet: set})
				if err != nil || len(fs) > 0 {
					t.Fatalf("not compatible with itself under %q: %v %v\n%s", set, fs, err, text)
				}
			}
		}
	})
}
