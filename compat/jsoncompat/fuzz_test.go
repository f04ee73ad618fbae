package jsoncompat_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/jsoncompat"
)

// addSeeds adds the parse goldens and both sides of every rule case
// without references (testdata/fuzz holds the committed corpus as well).
func addSeeds(f *testing.F, add func(string)) {
	for _, s := range []string{
		`true`, `false`, `{}`, `{"type":"string"}`, `{"type":["string","null"],"maxLength":3}`,
		`{"type":"object","properties":{"a":{"$ref":"#"}},"additionalProperties":false}`,
		`{"anyOf":[{"type":"integer"},{"enum":[1,"a"]}],"not":{"const":2}}`,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema","prefixItems":[{}],"items":false,"unevaluatedProperties":{"type":"string"}}`,
	} {
		add(s)
	}
	files, _ := filepath.Glob("testdata/parse/*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			add(string(b))
		}
	}
	for _, c := range loadRuleCases(f) {
		if len(c.refs)+len(c.writerRefs)+len(c.readerRefs) == 0 {
			add(c.reader)
			add(c.writer)
		}
	}
}

// FuzzParse: Parse never panics; for a schema that parses, the canonical
// and normalized forms parse again to themselves and the schema is
// compatible with itself.
func FuzzParse(f *testing.F) {
	addSeeds(f, func(s string) { f.Add(s) })
	format := jsoncompat.New()
	f.Fuzz(func(t *testing.T, text string) {
		s, err := format.Parse(text, nil)
		if err != nil {
			return
		}
		assertStable(t, format, s)
		if _, err := jsoncompat.Bundle(s); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzCheckReflexive: every schema that parses is compatible with itself,
// under both policies, in both directions.
func FuzzCheckReflexive(f *testing.F) {
	addSeeds(f, func(s string) { f.Add(s) })
	format := jsoncompat.New()
	f.Fuzz(func(t *testing.T, text string) {
		a, err := format.Parse(text, nil)
		if err != nil {
			return
		}
		b, err := format.Parse(text, nil)
		if err != nil {
			t.Fatalf("second parse failed: %v", err)
		}
		for _, policy := range []string{"STRICT", "LENIENT"} {
			for _, p := range [][2]compat.Schema{{a, b}, {b, a}, {a, a}} {
				fs, err := format.Check(p[0], p[1], compat.Options{Policy: policy})
				if err != nil || len(fs) > 0 {
					t.Fatalf("not compatible with itself (%s): %v %v\n%s", policy, fs, err, text)
				}
			}
		}
	})
}

// FuzzCheckPair: Check never panics or errors on two parsed schemas, and
// LENIENT never reports more than STRICT.
func FuzzCheckPair(f *testing.F) {
	var seeds []string
	addSeeds(f, func(s string) { seeds = append(seeds, s) })
	for i := range seeds {
		f.Add(seeds[i], seeds[(i+1)%len(seeds)])
	}
	format := jsoncompat.New()
	f.Fuzz(func(t *testing.T, x, y string) {
		a, err := format.Parse(x, nil)
		if err != nil {
			return
		}
		b, err := format.Parse(y, nil)
		if err != nil {
			return
		}
		strict, err1 := format.Check(a, b, compat.Options{})
		lenient, err2 := format.Check(a, b, compat.Options{Policy: "LENIENT"})
		if err1 != nil || err2 != nil {
			t.Fatalf("Check errored: %v %v", err1, err2)
		}
		if len(lenient) > len(strict) {
			t.Fatalf("LENIENT reports more than STRICT:\n%v\n%v\n%s\n%s", lenient, strict, x, y)
		}
	})
}
