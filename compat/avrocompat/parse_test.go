package avrocompat_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/avrocompat"
)

// TestParseGolden parses testdata/parse/*.avsc and compares the canonical
// and normalized forms with the .canonical and .normalized files next to
// them. Files named invalid_* must fail with ErrInvalidSchema.
// GOLDEN_UPDATE=1 rewrites the golden files.
func TestParseGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/parse/*.avsc")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parse cases (%v)", err)
	}
	f := avrocompat.New()
	update := os.Getenv("GOLDEN_UPDATE") != ""
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".avsc")
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
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(file, ".avsc")
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
// themselves, and that a schema is compatible with itself both ways.
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
	for _, pair := range [][2]compat.Schema{{s, s2}, {s2, s}, {s, s}} {
		fs, err := f.Check(pair[0], pair[1], compat.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) > 0 {
			t.Fatalf("schema not compatible with itself: %v\n%s", fs, c)
		}
	}
}

func TestNormalizedEqualForEquivalentSpellings(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	groups := [][]string{
		{
			`{"type":"record","name":"com.acme.User","fields":[{"name":"id","type":"string","default":"x","doc":"d"}],"b":1,"a":2}`,
			`{"namespace":"com.acme","name":"User","type":"record","a":2,"b":1,"fields":[{"doc":"d","default":"x","type":{"type":"string"},"name":"id"}]}`,
			`{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"id","type":"string","default":"x","doc":"d"}],"a":2,"b":1}`,
		},
		{
			`{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`,
			`{"scale":2,"precision":4,"logicalType":"decimal","type":"bytes"}`,
		},
		{
			`{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1}]}`,
			`{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1.0}]}`,
		},
		{
			`{"type":"enum","name":"a.E","symbols":["X","Y"],"aliases":["b.F","a.G"]}`,
			`{"type":"enum","name":"E","namespace":"a","symbols":["X","Y"],"aliases":["G","b.F"]}`,
		},
	}
	for _, g := range groups {
		var first string
		for i, text := range g {
			s, err := f.Parse(text, nil)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = s.Normalized()
				continue
			}
			if got := s.Normalized(); got != first {
				t.Errorf("normalized forms differ:\n%s\n%s", first, got)
			}
		}
	}
}

func TestParseReferences(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	refs := []compat.Reference{
		{Name: "com.acme.Address", Text: `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"},{"name":"kind","type":{"type":"enum","name":"Kind","symbols":["HOME","WORK"]}}]}`},
		{Name: "com.acme.Phone", Text: `{"type":"fixed","name":"com.acme.Phone","size":10}`},
	}
	s, err := f.Parse(`{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"work","type":"com.acme.Address"},{"name":"phone","type":"Phone"},{"name":"kind","type":"Kind"}]}`, refs)
	if err != nil {
		t.Fatal(err)
	}
	// Top-level reference types print by name; a named type nested in a
	// reference prints in full the first time, as Java's toString(refs) does.
	want := `{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"work","type":"Address"},{"name":"phone","type":"Phone"},{"name":"kind","type":{"type":"enum","name":"Kind","symbols":["HOME","WORK"]}}]}`
	if got := s.Canonical(); got != want {
		t.Errorf("canonical:\n got %s\nwant %s", got, want)
	}
	wantNorm := `{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"Address"},{"name":"work","type":"Address"},{"name":"phone","type":"Phone"},{"name":"kind","type":{"type":"enum","name":"Kind","symbols":["HOME","WORK"]}}]}`
	if got := s.Normalized(); got != wantNorm {
		t.Errorf("normalized:\n got %s\nwant %s", got, wantNorm)
	}
	assertStable(t, f, s, refs...)

	if _, err := f.Parse(`{"type":"record","name":"User","fields":[{"name":"a","type":"com.acme.Address"}]}`, nil); !errors.Is(err, compat.ErrInvalidSchema) {
		t.Errorf("unresolved reference: got %v, want ErrInvalidSchema", err)
	}
	if _, err := f.Parse(`"int"`, []compat.Reference{{Name: "bad", Text: `{"type":"nope"}`}}); !errors.Is(err, compat.ErrInvalidSchema) {
		t.Errorf("invalid reference: got %v, want ErrInvalidSchema", err)
	}
}

// TestParseIsolated checks that named types do not leak between Parse calls
// (hamba's package-global cache would leak them).
func TestParseIsolated(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	if _, err := f.Parse(`{"type":"record","name":"leak.Me","fields":[]}`, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(`{"type":"array","items":"leak.Me"}`, nil); err == nil {
		t.Error("a named type from an earlier Parse call was visible")
	}
}

// TestParseExponentialDefault checks that a record default inheriting
// nested defaults through shared record types cannot blow up.
func TestParseExponentialDefault(t *testing.T) {
	t.Parallel()
	text := `{"type":"record","name":"R0","fields":[{"name":"x","type":"int","default":1}]}`
	for i := 1; i <= 40; i++ {
		text = fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"a","type":%s,"default":{}},{"name":"b","type":"R%d","default":{}}]}`, i, text, i-1)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = avrocompat.New().Parse(text, nil)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Parse took more than 5s")
	}
}
