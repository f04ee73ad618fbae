package avrocompat_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/avrocompat"
)

// addSeeds adds the parse goldens and both sides of every rule case.
func addSeeds(f *testing.F, add func(string)) {
	for _, s := range []string{
		`"int"`, `{"type":"string"}`, `["null","string"]`,
		`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}`,
		`{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`,
		`{"type":"fixed","name":"F","size":4}`,
		`{"type":"array","items":{"type":"map","values":"long"}}`,
	} {
		add(s)
	}
	files, _ := filepath.Glob("testdata/parse/*.avsc")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			add(string(b))
		}
	}
	for _, c := range loadRuleCases(f) {
		if len(c.refs) == 0 {
			add(c.reader)
			add(c.writer)
		}
	}
}

// FuzzParse: Parse never panics; for a schema that parses, the canonical
// and normalized forms parse again to themselves, and the schema is
// compatible with itself.
func FuzzParse(f *testing.F) {
	addSeeds(f, func(s string) { f.Add(s) })
	format := avrocompat.New()
	f.Fuzz(func(t *testing.T, text string) {
		s, err := format.Parse(text, nil)
		if err != nil {
			return
		}
		assertStable(t, format, s)
	})
}

// FuzzCheckReflexive: any schema that parses is compatible with itself in
// both directions, including against its own canonical re-parse.
func FuzzCheckReflexive(f *testing.F) {
	addSeeds(f, func(s string) { f.Add(s) })
	format := avrocompat.New()
	f.Fuzz(func(t *testing.T, text string) {
		a, err := format.Parse(text, nil)
		if err != nil {
			return
		}
		b, err := format.Parse(text, nil)
		if err != nil {
			t.Fatalf("second parse failed: %v", err)
		}
		for _, p := range [][2]compat.Schema{{a, b}, {b, a}, {a, a}} {
			fs, err := format.Check(p[0], p[1], compat.Options{})
			if err != nil || len(fs) > 0 {
				t.Fatalf("not compatible with itself: %v %v\n%s", fs, err, text)
			}
		}
	})
}

// FuzzCheckFullSymmetric: FULL(a, b) gives the same verdict as FULL(b, a),
// and Check never panics or errors on parsed schemas.
func FuzzCheckFullSymmetric(f *testing.F) {
	var seeds []string
	addSeeds(f, func(s string) { seeds = append(seeds, s) })
	for i := range seeds {
		f.Add(seeds[i], seeds[(i+1)%len(seeds)])
	}
	format := avrocompat.New()
	f.Fuzz(func(t *testing.T, x, y string) {
		a, err := format.Parse(x, nil)
		if err != nil {
			return
		}
		b, err := format.Parse(y, nil)
		if err != nil {
			return
		}
		full := func(p, q compat.Schema) bool {
			f1, err1 := format.Check(p, q, compat.Options{})
			f2, err2 := format.Check(q, p, compat.Options{})
			if err1 != nil || err2 != nil {
				t.Fatalf("Check errored: %v %v", err1, err2)
			}
			return len(f1) == 0 && len(f2) == 0
		}
		if full(a, b) != full(b, a) {
			t.Fatalf("FULL not symmetric for\n%s\n%s", x, y)
		}
	})
}
