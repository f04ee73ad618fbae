package jsoncompat_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/jsoncompat"
)

// TestParseGolden parses testdata/parse/*.json and compares the canonical
// and normalized forms with the .canonical and .normalized files next to
// them. Files named invalid_* must fail with ErrInvalidSchema and the
// message in the .error file. GOLDEN_UPDATE=1 rewrites the golden files.
func TestParseGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/parse/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parse cases (%v)", err)
	}
	f := jsoncompat.New()
	update := os.Getenv("GOLDEN_UPDATE") != ""
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		base := strings.TrimSuffix(file, ".json")
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
				golden(t, update, base+".error", err.Error())
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, update, base+".canonical", s.Canonical())
			golden(t, update, base+".normalized", s.Normalized())
			assertStable(t, f, s)
		})
	}
}

func golden(t *testing.T, update bool, path, got string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with GOLDEN_UPDATE=1 to create it)", err)
	}
	if w := strings.TrimSuffix(string(want), "\n"); got != w {
		t.Errorf("%s:\n got %s\nwant %s", path, got, w)
	}
}

// assertStable checks that the canonical and normalized texts re-parse to
// themselves, and that a schema is compatible with itself both ways under
// both policies.
func assertStable(t testing.TB, f compat.Format, s compat.Schema, refs ...compat.Reference) {
	t.Helper()
	c := s.Canonical()
	s2, err := f.Parse(c, refs)
	if err != nil {
		t.Fatalf("canonical form does not parse: %v\n%s", err, c)
	}
	if c2 := s2.Canonical(); c2 != c {
		t.Fatalf("canonical form not stable:\n first %s\nsecond %s", c, c2)
	}
	n := s.Normalized()
	s3, err := f.Parse(n, refs)
	if err != nil {
		t.Fatalf("normalized form does not parse: %v\n%s", err, n)
	}
	if n2 := s3.Normalized(); n2 != n {
		t.Fatalf("normalized form not stable:\n first %s\nsecond %s", n, n2)
	}
	if n3 := s2.Normalized(); n3 != n {
		t.Fatalf("normalized form of the canonical form differs:\n%s\n%s", n, n3)
	}
	for _, policy := range []string{"", "LENIENT"} {
		for _, pair := range [][2]compat.Schema{{s, s2}, {s2, s}, {s, s}, {s, s3}, {s3, s}} {
			fs, err := f.Check(pair[0], pair[1], compat.Options{Policy: policy})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) > 0 {
				t.Fatalf("schema not compatible with itself (%q): %v\n%s", policy, fs, c)
			}
		}
	}
}

func mustParse(t testing.TB, f compat.Format, text string, refs ...compat.Reference) compat.Schema {
	t.Helper()
	s, err := f.Parse(text, refs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNormalizedIgnoresKeyOrder(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	groups := [][]string{
		{
			`{"type":"object","properties":{"a":{"type":"string","maxLength":3},"b":{"enum":[{"x":1,"y":2}]}},"required":["a"]}`,
			`{"required":["a"],"properties":{"b":{"enum":[{"y":2,"x":1}]},"a":{"maxLength":3,"type":"string"}},"type":"object"}`,
			" {\n \"type\" : \"object\",\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":\"string\",\"maxLength\":3},\"b\":{\"enum\":[{\"x\":1,\"y\":2}]}}}\n",
		},
	}
	for _, g := range groups {
		first := mustParse(t, f, g[0])
		for _, text := range g[1:] {
			s := mustParse(t, f, text)
			if s.Normalized() != first.Normalized() {
				t.Errorf("normalized forms differ:\n%s\n%s", first.Normalized(), s.Normalized())
			}
		}
	}
	// Canonical keeps the submitted order (Confluent stores it that way).
	if a, b := mustParse(t, f, g0(groups)), mustParse(t, f, groups[0][1]); a.Canonical() == b.Canonical() {
		t.Error("canonical forms of differently ordered schemas are equal")
	}
}

func g0(groups [][]string) string { return groups[0][0] }

func TestParseDeepNesting(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	deep := strings.Repeat(`{"not":`, 1100) + `{}` + strings.Repeat(`}`, 1100)
	if _, err := f.Parse(deep, nil); !errors.Is(err, compat.ErrInvalidSchema) || !strings.Contains(err.Error(), "nesting") {
		t.Errorf("deep nesting: %v", err)
	}
	ok := strings.Repeat(`{"not":`, 200) + `{}` + strings.Repeat(`}`, 200)
	s := mustParse(t, f, ok)
	assertStable(t, f, s)
}

// TestNoNetwork proves that a $ref (or $schema) naming an http or file URL
// is refused without any outbound access: the test server counts requests
// and must see none, and the error names the unresolved reference.
func TestNoNetwork(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"type":"string"}`)
	}))
	defer srv.Close()
	remote := srv.URL + "/x"
	f := jsoncompat.New()
	cases := []struct {
		text  string
		refs  []compat.Reference
		names string
	}{
		{text: `{"properties":{"a":{"$ref":"` + remote + `"}}}`, names: remote},
		{text: `{"$ref":"` + remote + `#/definitions/a"}`, names: remote},
		{text: `{"properties":{"a":{"$ref":"file:///etc/passwd"}}}`, names: "file:///etc/passwd"},
		{text: `{"properties":{"a":{"$ref":"../../../../etc/passwd"}}}`, names: "../../../../etc/passwd"},
		{text: `{"$id":"` + srv.URL + `/root.json","properties":{"a":{"$ref":"x"}}}`, names: `"x"`},
		{text: `{"$schema":"` + remote + `","type":"string"}`, names: remote},
		{text: `{"$schema":"file:///etc/passwd","type":"string"}`, names: "file:///etc/passwd"},
		{
			text:  `{"properties":{"a":{"$ref":"a.json"}}}`,
			refs:  []compat.Reference{{Name: "a.json", Text: `{"properties":{"b":{"$ref":"` + remote + `"}}}`}},
			names: remote,
		},
		{
			text:  `{"$schema":"https://json-schema.org/draft/2020-12/schema","properties":{"a":{"$dynamicRef":"` + remote + `"}}}`,
			names: remote,
		},
	}
	for _, c := range cases {
		_, err := f.Parse(c.text, c.refs)
		if !errors.Is(err, compat.ErrInvalidSchema) {
			t.Errorf("%s: got %v, want ErrInvalidSchema", c.text, err)
			continue
		}
		if !strings.Contains(err.Error(), c.names) {
			t.Errorf("%s: error %q does not name %s", c.text, err, c.names)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the test server saw %d requests", n)
	}
}

func TestParseReferences(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	refs := []compat.Reference{
		{Name: "common.json", Text: `{"$defs":{"zip":{"type":"string","pattern":"^[0-9]{5}$"}}}`},
		{Name: "address.json", Text: `{"type":"object","properties":{"zip":{"$ref":"common.json#/$defs/zip"}},"additionalProperties":false}`},
		{Name: "https://example.com/schemas/customer.json", Text: `{"$id":"https://example.com/schemas/customer.json","type":"object","properties":{"name":{"type":"string"}}}`},
	}
	text := `{"type":"object","properties":{"ship":{"$ref":"address.json"},"zip":{"$ref":"common.json#/$defs/zip"},"who":{"$ref":"https://example.com/schemas/customer.json"}}}`
	s := mustParse(t, f, text, refs...)
	if s.Canonical() != text {
		t.Errorf("canonical %s", s.Canonical())
	}
	assertStable(t, f, s, refs...)

	// With an $id on the root, reference names resolve against it, as
	// Confluent registers them (ReferenceResolver.resolve(id, name)).
	withID := `{"$id":"https://example.com/schemas/order.json","properties":{"c":{"$ref":"customer.json"}}}`
	mustParse(t, f, withID, refs...)

	// A reference found by its own $id.
	byID := []compat.Reference{{Name: "cust", Text: `{"$id":"https://example.com/c.json","type":"string"}`}}
	mustParse(t, f, `{"properties":{"c":{"$ref":"https://example.com/c.json"}}}`, byID...)

	for _, bad := range []struct {
		text string
		refs []compat.Reference
		want string
	}{
		{`{"$ref":"address.json"}`, nil, `unresolved $ref "address.json" at #`},
		{`{"$ref":"address.json"}`, refs[1:2], `unresolved $ref "common.json#/$defs/zip" at address.json#/properties/zip`},
		{`{}`, []compat.Reference{{Name: "x.json", Text: `{"type":"nope"}`}}, `reference "x.json" is not a valid draft-07 schema`},
		{`{}`, []compat.Reference{{Name: "x.json", Text: `{"type":`}}, `reference "x.json": invalid JSON at line 1, column 9`},
		{`{"$ref":"common.json#/$defs/nope"}`, refs, `unresolved $ref "common.json#/$defs/nope" at #: the JSON pointer points to nothing`},
	} {
		_, err := f.Parse(bad.text, bad.refs)
		if !errors.Is(err, compat.ErrInvalidSchema) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: got %v, want %q", bad.text, err, bad.want)
		}
	}
}

// TestParseIsolated checks that references do not leak between calls.
func TestParseIsolated(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	mustParse(t, f, `{"$ref":"a.json"}`, compat.Reference{Name: "a.json", Text: `{"type":"string"}`})
	if _, err := f.Parse(`{"$ref":"a.json"}`, nil); err == nil {
		t.Error("a reference from an earlier Parse call was visible")
	}
}

func TestCheckRecursiveTerminates(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	// Mutually recursive definitions with combined schemas on both sides.
	old := `{"$ref":"#/$defs/a","$defs":{"a":{"anyOf":[{"type":"null"},{"type":"object","properties":{"b":{"$ref":"#/$defs/b"}}}]},"b":{"oneOf":[{"$ref":"#/$defs/a"},{"type":"array","items":{"$ref":"#/$defs/b"}}]}}}`
	nw := strings.Replace(old, `"type":"array"`, `"type":"array","maxItems":3`, 1)
	a, b := mustParse(t, f, old), mustParse(t, f, nw)
	fs, err := f.Check(b, a, compat.Options{})
	if err != nil || len(fs) == 0 {
		t.Fatalf("want findings, got %v %v", fs, err)
	}
	if fs, _ := f.Check(a, b, compat.Options{}); len(fs) != 0 {
		t.Errorf("removing maxItems: %v", fs)
	}
	assertStable(t, f, a)
}
