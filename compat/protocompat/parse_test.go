package protocompat_test

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/protocompat"
)

// TestParseGolden parses testdata/parse/*.proto and compares the canonical
// and normalized forms with the .canonical and .normalized files next to
// them. Files named invalid_* must fail with ErrInvalidSchema.
// GOLDEN_UPDATE=1 rewrites the golden files.
func TestParseGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/parse/*.proto")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parse cases (%v)", err)
	}
	f := protocompat.New()
	update := os.Getenv("GOLDEN_UPDATE") != ""
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".proto")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := f.Parse(string(text), nil)
			if strings.HasPrefix(name, "invalid_") {
				if err == nil {
					t.Fatalf("parsed an invalid schema; canonical %s", s.Canonical())
				}
				if !errors.Is(err, compat.ErrInvalidSchema) {
					t.Fatalf("error %v does not wrap ErrInvalidSchema", err)
				}
				golden(t, update, strings.TrimSuffix(file, ".proto")+".error", err.Error())
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(file, ".proto")
			golden(t, update, base+".canonical", s.Canonical())
			golden(t, update, base+".normalized", s.Normalized())
			assertStable(t, f, s)
		})
	}
}

func golden(t *testing.T, update bool, path, got string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with GOLDEN_UPDATE=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s:\n got %s\nwant %s", path, got, want)
	}
}

// assertStable checks that the canonical and normalized texts re-parse to
// themselves, that both describe the same file, and that a schema is
// compatible with itself under every rule set.
func assertStable(t testing.TB, f compat.Format, s compat.Schema, refs ...compat.Reference) {
	t.Helper()
	c := s.Canonical()
	s2, err := f.Parse(c, refs)
	if err != nil {
		t.Fatalf("canonical text does not parse: %v\n%s", err, c)
	}
	if got := s2.Canonical(); got != c {
		t.Fatalf("canonical form is not stable:\nfirst  %s\nsecond %s", c, got)
	}
	if s2.Normalized() != s.Normalized() {
		t.Fatalf("normalized form differs after re-parsing the canonical text:\nfirst  %s\nsecond %s", s.Normalized(), s2.Normalized())
	}
	n := s.Normalized()
	s3, err := f.Parse(n, refs)
	if err != nil {
		t.Fatalf("normalized text does not parse: %v\n%s", err, n)
	}
	if got := s3.Normalized(); got != n {
		t.Fatalf("normalized form is not stable:\nfirst  %s\nsecond %s", n, got)
	}
	d1, err := protocompat.DescriptorSet(s)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := protocompat.DescriptorSet(s2)
	if err != nil {
		t.Fatal(err)
	}
	if !equalSets(t, d1, d2) {
		t.Fatalf("the canonical text describes a different file:\n%s", c)
	}
	for _, set := range []string{"", "WIRE", "WIRE_JSON"} {
		for _, p := range [][2]compat.Schema{{s, s2}, {s2, s}, {s, s3}} {
			fs, err := f.Check(p[0], p[1], compat.Options{RuleSet: set})
			if err != nil || len(fs) > 0 {
				t.Fatalf("not compatible with itself under %q: %v %v\n%s", set, fs, err, c)
			}
		}
	}
}

// equalSets compares two serialized descriptor sets, with custom options
// resolved (as unknown fields their bytes depend on the order they were
// written in).
func equalSets(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	files, err := protodesc.NewFiles(&x)
	if err != nil {
		t.Fatalf("descriptor set does not link: %v", err)
	}
	opts := proto.UnmarshalOptions{Resolver: dynamicpb.NewTypes(files)}
	x.Reset()
	if err := opts.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := opts.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return proto.Equal(&x, &y)
}

func mustParse(t testing.TB, text string, refs ...compat.Reference) compat.Schema {
	t.Helper()
	s, err := protocompat.New().Parse(text, refs)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, text)
	}
	return s
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	f := protocompat.New()
	for _, tc := range []struct {
		name, text string
		refs       []compat.Reference
		want       string
	}{
		{"empty", "  \n", nil, "empty schema"},
		{"missing import", `syntax = "proto3"; import "common/money.proto"; message M {}`, nil, `unresolved import "common/money.proto"`},
		{"missing transitive import", `syntax = "proto3"; import "a.proto"; message M { A a = 1; }`,
			[]compat.Reference{{Name: "a.proto", Text: `syntax = "proto3"; import "b.proto"; message A {}`}}, `unresolved import "b.proto"`},
		{"import cycle", `syntax = "proto3"; import "a.proto"; message M {}`,
			[]compat.Reference{
				{Name: "a.proto", Text: `syntax = "proto3"; import "b.proto"; message A {}`},
				{Name: "b.proto", Text: `syntax = "proto3"; import "a.proto"; message B {}`},
			}, "cycle"},
		{"reference without name", `syntax = "proto3"; message M {}`, []compat.Reference{{Text: "x"}}, "no name"},
		{"bad reference", `syntax = "proto3"; import "a.proto"; message M {}`,
			[]compat.Reference{{Name: "a.proto", Text: `syntax = "proto3"; message {`}}, "a.proto"},
		{"not base64 of a descriptor", base64.StdEncoding.EncodeToString([]byte("hello world")), nil, "syntax error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := f.Parse(tc.text, tc.refs)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, compat.ErrInvalidSchema) {
				t.Errorf("error %v does not wrap ErrInvalidSchema", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestParseBuiltinImports(t *testing.T) {
	t.Parallel()
	for _, imp := range []string{
		"google/protobuf/any.proto", "google/protobuf/api.proto", "google/protobuf/descriptor.proto",
		"google/protobuf/duration.proto", "google/protobuf/empty.proto", "google/protobuf/field_mask.proto",
		"google/protobuf/source_context.proto", "google/protobuf/struct.proto", "google/protobuf/timestamp.proto",
		"google/protobuf/type.proto", "google/protobuf/wrappers.proto",
		"google/type/calendar_period.proto", "google/type/color.proto", "google/type/date.proto",
		"google/type/datetime.proto", "google/type/dayofweek.proto", "google/type/decimal.proto",
		"google/type/expr.proto", "google/type/fraction.proto", "google/type/interval.proto",
		"google/type/latlng.proto", "google/type/money.proto", "google/type/month.proto",
		"google/type/phone_number.proto", "google/type/postal_address.proto", "google/type/quaternion.proto",
		"google/type/timeofday.proto", "confluent/meta.proto", "confluent/type/decimal.proto",
	} {
		s := mustParse(t, `syntax = "proto3"; import "`+imp+`"; message M {}`)
		if !strings.Contains(s.Canonical(), `import "`+imp+`";`) {
			t.Errorf("%s: canonical lost the import:\n%s", imp, s.Canonical())
		}
	}
	// The shapes users rely on.
	mustParse(t, `syntax = "proto3";
import "google/type/money.proto";
import "google/type/date.proto";
import "confluent/type/decimal.proto";
import "confluent/meta.proto";
message M {
  google.type.Money price = 1 [(confluent.field_meta) = { doc: "the price" tags: ["PII"] params: { key: "k" value: "v" } }];
  google.type.Date day = 2;
  confluent.type.Decimal amount = 3;
}`)
}

// TestParseReferenceOverridesBuiltin checks that a reference named like a
// built-in file wins, as the schema's author supplied it.
func TestParseReferenceOverridesBuiltin(t *testing.T) {
	t.Parallel()
	s := mustParse(t, `syntax = "proto3"; import "google/type/money.proto"; message M { google.type.Money m = 1; }`,
		compat.Reference{Name: "google/type/money.proto", Text: `syntax = "proto3"; package google.type; message Money { string amount = 1; }`})
	set, err := protocompat.DescriptorSet(s)
	if err != nil {
		t.Fatal(err)
	}
	var fds descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(set, &fds); err != nil {
		t.Fatal(err)
	}
	if got := fds.File[0].MessageType[0].Field[0].GetName(); got != "amount" {
		t.Errorf("reference not used: field %q", got)
	}
}

func TestParseSerializedDescriptor(t *testing.T) {
	t.Parallel()
	text := `syntax = "proto3";
package acme;
import "google/protobuf/timestamp.proto";
import "common/money.proto";
import "confluent/meta.proto";
option (confluent.file_meta).doc = "orders";
message Order {
  string id = 1 [json_name = "orderId"];
  common.Money total = 2;
  map<string, Line> lines = 3;
  google.protobuf.Timestamp at = 4;
  oneof pay { string card = 5; string iban = 6; }
  message Line { int32 qty = 1; }
}`
	refs := []compat.Reference{{Name: "common/money.proto", Text: `syntax = "proto3"; package common; message Money { int64 units = 1; }`}}
	fromText := mustParse(t, text, refs...)
	b64, err := protocompat.Serialized(fromText)
	if err != nil {
		t.Fatal(err)
	}
	fromDesc := mustParse(t, b64, refs...)
	if fromDesc.Canonical() != fromText.Normalized() && fromDesc.Canonical() == "" {
		t.Fatal("empty canonical")
	}
	// A descriptor has no source spelling of type names, so its canonical
	// text uses fully qualified names, which is the normalized spelling.
	if fromDesc.Normalized() != fromText.Normalized() {
		t.Errorf("normalized forms differ:\nfrom descriptor %s\nfrom text       %s", fromDesc.Normalized(), fromText.Normalized())
	}
	if !strings.Contains(fromDesc.Canonical(), "map<string, .acme.Order.Line> lines = 3;") {
		t.Errorf("canonical from descriptor:\n%s", fromDesc.Canonical())
	}
	assertStable(t, protocompat.New(), fromDesc, refs...)
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.URLEncoding} {
		raw, _ := base64.StdEncoding.DecodeString(b64)
		if _, err := protocompat.New().Parse(enc.EncodeToString(raw), refs); err != nil {
			t.Errorf("other base64 alphabet: %v", err)
		}
	}
	// Without its reference, the descriptor's import is unresolved.
	if _, err := protocompat.New().Parse(b64, nil); err == nil || !strings.Contains(err.Error(), "common/money.proto") {
		t.Errorf("missing reference: %v", err)
	}
}

// TestIdentity checks which differences change the canonical and
// normalized texts, the registry's identity.
func TestIdentity(t *testing.T) {
	t.Parallel()
	base := `syntax = "proto3";
package acme;
import "google/protobuf/descriptor.proto";
message Order {
  string id = 1;
  Line line = 2;
}
message Line { int32 qty = 1; }
`
	same := []string{
		// comments and whitespace only
		"// header\n" + strings.ReplaceAll(base, "\n", "\n\n  ") + "/* end */",
		strings.ReplaceAll(base, "  string id = 1;", "  string   id=1 ; // the id"),
	}
	for _, text := range same {
		if got, want := mustParse(t, text).Canonical(), mustParse(t, base).Canonical(); got != want {
			t.Errorf("whitespace/comments changed the canonical text:\n%s\nvs\n%s", got, want)
		}
	}
	// Normalization also removes spelling differences of names and the
	// order of imports.
	spelled := strings.ReplaceAll(base, "  Line line = 2;", "  .acme.Line line = 2;")
	if mustParse(t, spelled).Canonical() == mustParse(t, base).Canonical() {
		t.Error("canonical text should keep type names as written")
	}
	if mustParse(t, spelled).Normalized() != mustParse(t, base).Normalized() {
		t.Error("normalized text should not depend on how type names are written")
	}
	twoImports := func(a, b string) string {
		return `syntax = "proto3"; import "` + a + `"; import "` + b + `"; message M { google.protobuf.Timestamp t = 1; google.protobuf.Duration d = 2; }`
	}
	x, y := mustParse(t, twoImports("google/protobuf/timestamp.proto", "google/protobuf/duration.proto")), mustParse(t, twoImports("google/protobuf/duration.proto", "google/protobuf/timestamp.proto"))
	if x.Canonical() == y.Canonical() || x.Normalized() != y.Normalized() {
		t.Errorf("import order: canonical must differ, normalized must not:\n%s\n%s", x.Normalized(), y.Normalized())
	}
	different := map[string]string{
		"top-level extend": base + "extend google.protobuf.FieldOptions { string note = 50000; }\n",
		"file option":      strings.Replace(base, "package acme;", "package acme;\noption java_package = \"x\";", 1),
		"field option":     strings.Replace(base, "string id = 1;", "string id = 1 [deprecated = true];", 1),
		"json_name":        strings.Replace(base, "string id = 1;", "string id = 1 [json_name = \"ID\"];", 1),
		"message order":    strings.Replace(base, "message Line { int32 qty = 1; }\n", "", 1) + "", // replaced below
		"reserved":         strings.Replace(base, "string id = 1;", "string id = 1;\n  reserved 7;", 1),
		"field number":     strings.Replace(base, "string id = 1;", "string id = 3;", 1),
		"service":          base + "service S { rpc Get(Order) returns (Line); }\n",
		"enum":             base + "enum E { E0 = 0; }\n",
	}
	different["message order"] = strings.Replace(base, "message Order {", "message Line { int32 qty = 1; }\nmessage Order {", 1)
	different["message order"] = strings.Replace(different["message order"], "}\nmessage Line { int32 qty = 1; }\n", "}\n", 1)
	b := mustParse(t, base)
	for name, text := range different {
		s := mustParse(t, text)
		if s.Canonical() == b.Canonical() || s.Normalized() == b.Normalized() {
			t.Errorf("%s: canonical or normalized text did not change:\n%s", name, s.Canonical())
		}
	}
}
