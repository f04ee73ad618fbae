package jsoncompat_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/jsoncompat"
)

// noLoader refuses every URL: the bundle must validate on its own.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, errors.New("bundle test: no loading allowed: " + url)
}

// compileBundle compiles a bundle with santhosh-tekuri/jsonschema and no
// loader other than the bundle itself.
func compileBundle(t *testing.T, bundle []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(bundle))
	if err != nil {
		t.Fatalf("bundle is not JSON: %v\n%s", err, bundle)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	c.DefaultDraft(jsonschema.Draft7)
	if err := c.AddResource("urn:bundle", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("urn:bundle")
	if err != nil {
		t.Fatalf("bundle does not compile: %v\n%s", err, bundle)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, instance string) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(instance))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(v)
}

func TestBundle(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	for _, draft := range []string{"", `"$schema":"https://json-schema.org/draft/2020-12/schema",`} {
		refs := []compat.Reference{
			{Name: "common/zip.json", Text: `{"$id":"https://example.com/common/zip.json","type":"string","pattern":"^[0-9]{5}$"}`},
			{Name: "address.json", Text: `{"type":"object","properties":{"street":{"type":"string"},"zip":{"$ref":"common/zip.json"},"next":{"$ref":"#"}},"required":["zip"],"additionalProperties":false}`},
		}
		text := `{` + draft + `"type":"object","properties":{` +
			`"ship_to":{"$ref":"address.json"},` +
			`"zip":{"$ref":"address.json#/properties/zip"},` +
			`"id":{"$ref":"#/$defs/id"}},` +
			`"required":["ship_to"],"$defs":{"id":{"type":"integer"},"address.json":{"const":"a local definition with a clashing name"}}}`
		s := mustParse(t, f, text, refs...)
		bundle, err := jsoncompat.Bundle(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, not := range []string{`"address.json"}`, `"$ref":"common/zip.json"`, `example.com`} {
			if strings.Contains(string(bundle), not) {
				t.Errorf("bundle still contains %s:\n%s", not, bundle)
			}
		}
		// The bundle is itself a valid schema that needs no references,
		// and it reads the same data as the schema with its references.
		b := mustParse(t, f, string(bundle))
		if fs, err := f.Check(b, s, compat.Options{}); err != nil || len(fs) > 0 {
			t.Errorf("bundle cannot read what the schema allows: %v %v", fs, err)
		}
		sch := compileBundle(t, bundle)
		for _, ok := range []string{
			`{"ship_to":{"zip":"12345"}}`,
			`{"ship_to":{"zip":"12345","street":"Main","next":{"zip":"54321"}},"zip":"00000","id":3}`,
		} {
			if err := validate(t, sch, ok); err != nil {
				t.Errorf("%s: %v\nbundle: %s", ok, err, bundle)
			}
		}
		for _, bad := range []string{
			`{}`,
			`{"ship_to":{"zip":"1234"}}`,
			`{"ship_to":{"zip":"12345","extra":1}}`,
			`{"ship_to":{"zip":"12345","next":{"zip":"x"}}}`,
			`{"ship_to":{"zip":"12345"},"zip":"abcde"}`,
			`{"ship_to":{"zip":"12345"},"id":"x"}`,
		} {
			if err := validate(t, sch, bad); err == nil {
				t.Errorf("%s: validated against the bundle\nbundle: %s", bad, bundle)
			}
		}
	}
}

func TestBundleWithoutReferences(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	for _, text := range []string{`true`, `{"type":"string"}`, `{"$ref":"#/definitions/a","definitions":{"a":{"type":"string"}}}`} {
		s := mustParse(t, f, text)
		b, err := jsoncompat.Bundle(s)
		if err != nil || string(b) != s.Canonical() {
			t.Errorf("%s: %s %v", text, b, err)
		}
	}
	if _, err := jsoncompat.Bundle(foreignSchema{}); err == nil {
		t.Error("Bundle(foreign) returned no error")
	}
}
