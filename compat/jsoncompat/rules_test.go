package jsoncompat_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/jsoncompat"
)

// ruleCase is one testdata/rules/<RULE>/<name>.txtar file: a writer (old)
// and a reader (new) schema, optional references ("-- ref:<name> --" for
// both, "-- writer.ref:<name> --" or "-- reader.ref:<name> --" for one), an
// optional policy ("-- policy --" holding STRICT or LENIENT) and the
// expected "RULE PATH" lines.
type ruleCase struct {
	rule, name, file string
	archive          *txtar.Archive
	writer, reader   string
	policy           string
	refs             []compat.Reference // both sides
	writerRefs       []compat.Reference
	readerRefs       []compat.Reference
	want             []string
}

func loadRuleCases(t testing.TB) []ruleCase {
	t.Helper()
	files, err := filepath.Glob("testdata/rules/*/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no rule cases found")
	}
	var out []ruleCase
	for _, file := range files {
		a, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		c := ruleCase{
			rule:    filepath.Base(filepath.Dir(file)),
			name:    strings.TrimSuffix(filepath.Base(file), ".txtar"),
			file:    file,
			archive: a,
		}
		seen := map[string]bool{}
		for _, f := range a.Files {
			seen[f.Name] = true
			text := strings.TrimSpace(string(f.Data))
			switch {
			case f.Name == "writer.json":
				c.writer = text
			case f.Name == "reader.json":
				c.reader = text
			case f.Name == "policy":
				c.policy = text
			case f.Name == "want":
				for line := range strings.Lines(text) {
					if line = strings.TrimSpace(line); line != "" {
						c.want = append(c.want, line)
					}
				}
			case strings.HasPrefix(f.Name, "ref:"):
				c.refs = append(c.refs, compat.Reference{Name: strings.TrimPrefix(f.Name, "ref:"), Text: text})
			case strings.HasPrefix(f.Name, "writer.ref:"):
				c.writerRefs = append(c.writerRefs, compat.Reference{Name: strings.TrimPrefix(f.Name, "writer.ref:"), Text: text})
			case strings.HasPrefix(f.Name, "reader.ref:"):
				c.readerRefs = append(c.readerRefs, compat.Reference{Name: strings.TrimPrefix(f.Name, "reader.ref:"), Text: text})
			default:
				t.Fatalf("%s: unexpected section %q", file, f.Name)
			}
		}
		for _, need := range []string{"writer.json", "reader.json", "want"} {
			if !seen[need] {
				t.Fatalf("%s: missing section %q", file, need)
			}
		}
		out = append(out, c)
	}
	return out
}

// findingLines renders findings as the corpus's "RULE PATH" lines.
func findingLines(fs []compat.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Path)
	}
	return out
}

func (c ruleCase) parse(t testing.TB, f compat.Format) (reader, writer compat.Schema) {
	t.Helper()
	var err error
	if writer, err = f.Parse(c.writer, append(slices.Clone(c.refs), c.writerRefs...)); err != nil {
		t.Fatalf("%s: writer: %v", c.file, err)
	}
	if reader, err = f.Parse(c.reader, append(slices.Clone(c.refs), c.readerRefs...)); err != nil {
		t.Fatalf("%s: reader: %v", c.file, err)
	}
	return reader, writer
}

func (c ruleCase) check(t testing.TB, f compat.Format, policy string) []compat.Finding {
	t.Helper()
	reader, writer := c.parse(t, f)
	fs, err := f.Check(reader, writer, compat.Options{Policy: policy})
	if err != nil {
		t.Fatalf("%s: %v", c.file, err)
	}
	return fs
}

// TestRules runs the rule corpus. GOLDEN_UPDATE=1 rewrites the want
// sections from the current output.
func TestRules(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	update := os.Getenv("GOLDEN_UPDATE") != ""
	for _, c := range loadRuleCases(t) {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			findings := c.check(t, f, c.policy)
			got := findingLines(findings)
			for _, fd := range findings {
				if fd.Message == "" || !strings.Contains(fd.Message, "'"+fd.Path+"'") {
					t.Errorf("finding %v: message must name its path", fd)
				}
				if !strings.Contains(fd.Path, "#") {
					t.Errorf("finding %v: path must be a JSON pointer fragment (after a reference name)", fd)
				}
			}
			if update {
				var buf bytes.Buffer
				for _, l := range got {
					buf.WriteString(l + "\n")
				}
				for i := range c.archive.Files {
					if c.archive.Files[i].Name == "want" {
						c.archive.Files[i].Data = buf.Bytes()
					}
				}
				if err := os.WriteFile(c.file, txtar.Format(c.archive), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s: findings mismatch (-want +got):\n%s", c.file, diff)
			}
		})
	}
}

// TestRulesHaveCases checks the corpus layout: every rule has a directory
// with a fail_ case that produces it and an ok_ case that produces nothing,
// every directory is a rule, and ok_ cases produce no findings at all. A
// rule LENIENT accepts has an ok_ case under LENIENT whose change fails
// under STRICT with that rule; every fail_ case of a rule LENIENT does not
// accept fails under LENIENT too.
func TestRulesHaveCases(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	known := map[string]bool{}
	for _, r := range f.Rules() {
		if r.Purpose == "" {
			t.Errorf("rule %s has no purpose", r.ID)
		}
		known[r.ID] = true
	}
	lenient := map[string]bool{}
	for _, id := range jsoncompat.LenientRules() {
		if !known[id] {
			t.Errorf("lenient rule %s is not a rule", id)
		}
		lenient[id] = true
	}
	dirs, err := os.ReadDir("testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !known[d.Name()] {
			t.Errorf("testdata/rules/%s is not a rule ID", d.Name())
		}
	}
	produces := func(fs []compat.Finding, id string) bool {
		return slices.ContainsFunc(fs, func(fd compat.Finding) bool { return fd.Rule == id })
	}
	hasFail, hasOK, hasLenientOK := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range loadRuleCases(t) {
		switch c.policy {
		case "", "STRICT", "LENIENT":
		default:
			t.Errorf("%s: unknown policy %q", c.file, c.policy)
		}
		findings := c.check(t, f, c.policy)
		switch {
		case strings.HasPrefix(c.name, "ok_"):
			if len(findings) > 0 {
				t.Errorf("%s: ok_ case has findings %v", c.file, findings)
				continue
			}
			hasOK[c.rule] = true
			if c.policy == "LENIENT" {
				if strict := c.check(t, f, "STRICT"); !produces(strict, c.rule) {
					t.Errorf("%s: LENIENT ok_ case does not produce %s under STRICT (got %v)", c.file, c.rule, strict)
				} else {
					hasLenientOK[c.rule] = true
				}
			}
		case strings.HasPrefix(c.name, "fail_"):
			if !produces(findings, c.rule) {
				t.Errorf("%s: fail_ case does not produce %s (got %v)", c.file, c.rule, findings)
				continue
			}
			hasFail[c.rule] = true
			if !lenient[c.rule] && !produces(c.check(t, f, "LENIENT"), c.rule) {
				t.Errorf("%s: %s is not relaxed by LENIENT, but the case passes under LENIENT", c.file, c.rule)
			}
		default:
			t.Errorf("%s: case names start with ok_ or fail_", c.file)
		}
	}
	var ids []string
	for id := range known {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !hasFail[id] {
			t.Errorf("rule %s has no fail_ case producing it", id)
		}
		if !hasOK[id] {
			t.Errorf("rule %s has no ok_ case", id)
		}
		if lenient[id] && !hasLenientOK[id] {
			t.Errorf("rule %s is relaxed by LENIENT but has no ok_ case with policy LENIENT", id)
		}
	}
}

// TestRulesStable pins the rule IDs and their order.
func TestRulesStable(t *testing.T) {
	t.Parallel()
	want := []string{
		"SCHEMA_ADDED", "TYPE_NARROWED", "TYPE_CHANGED",
		"MAX_LENGTH_ADDED", "MAX_LENGTH_DECREASED", "MIN_LENGTH_ADDED", "MIN_LENGTH_INCREASED", "PATTERN_ADDED", "PATTERN_CHANGED",
		"MAXIMUM_ADDED", "MAXIMUM_DECREASED", "MINIMUM_ADDED", "MINIMUM_INCREASED",
		"EXCLUSIVE_MAXIMUM_ADDED", "EXCLUSIVE_MAXIMUM_DECREASED", "EXCLUSIVE_MINIMUM_ADDED", "EXCLUSIVE_MINIMUM_INCREASED",
		"MULTIPLE_OF_ADDED", "MULTIPLE_OF_EXPANDED", "MULTIPLE_OF_CHANGED",
		"REQUIRED_ATTRIBUTE_ADDED", "MAX_PROPERTIES_ADDED", "MAX_PROPERTIES_DECREASED", "MIN_PROPERTIES_ADDED", "MIN_PROPERTIES_INCREASED",
		"ADDITIONAL_PROPERTIES_REMOVED", "ADDITIONAL_PROPERTIES_NARROWED",
		"DEPENDENCY_ARRAY_ADDED", "DEPENDENCY_ARRAY_EXTENDED", "DEPENDENCY_ARRAY_CHANGED", "DEPENDENCY_SCHEMA_ADDED",
		"REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
		"OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
		"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
		"PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
		"UNEVALUATED_PROPERTIES_REMOVED", "UNEVALUATED_PROPERTIES_NARROWED",
		"MAX_ITEMS_ADDED", "MAX_ITEMS_DECREASED", "MIN_ITEMS_ADDED", "MIN_ITEMS_INCREASED",
		"MAX_CONTAINS_ADDED", "MAX_CONTAINS_DECREASED", "MIN_CONTAINS_ADDED", "MIN_CONTAINS_INCREASED",
		"UNIQUE_ITEMS_ADDED", "ADDITIONAL_ITEMS_REMOVED", "ADDITIONAL_ITEMS_NARROWED",
		"UNEVALUATED_ITEMS_REMOVED", "UNEVALUATED_ITEMS_NARROWED",
		"ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
		"ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
		"ENUM_ARRAY_NARROWED", "ENUM_ARRAY_CHANGED",
		"COMBINED_TYPE_CHANGED", "PRODUCT_TYPE_EXTENDED", "SUM_TYPE_NARROWED", "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
		"NOT_TYPE_EXTENDED",
	}
	var got []string
	for _, r := range jsoncompat.New().Rules() {
		got = append(got, r.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rules() (-want +got):\n%s", diff)
	}
	wantLenient := []string{
		"ADDITIONAL_PROPERTIES_REMOVED", "ADDITIONAL_PROPERTIES_NARROWED",
		"REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
		"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
		"PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
		"UNEVALUATED_PROPERTIES_REMOVED", "UNEVALUATED_PROPERTIES_NARROWED",
	}
	if diff := cmp.Diff(wantLenient, jsoncompat.LenientRules()); diff != "" {
		t.Errorf("LenientRules() (-want +got):\n%s", diff)
	}
}

func TestCheckMessages(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	old, err := f.Parse(`{"type":"object","properties":{"id":{"type":"string"}}}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	nw, err := f.Parse(`{"type":"object","properties":{"id":{"type":"string"},"x":{"type":"integer"}}}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Check(nw, old, compat.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []compat.Finding{{
		Rule:    "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
		Path:    "#/properties/x",
		Message: "The old schema has an open content model and the new schema adds the property at path '#/properties/x'",
		Detail:  "x",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, p := range []string{"LENIENT", "lenient"} {
		if got, err := f.Check(nw, old, compat.Options{Policy: p}); err != nil || len(got) != 0 {
			t.Errorf("policy %s: %v %v", p, got, err)
		}
	}
	if _, err := f.Check(nw, old, compat.Options{Policy: "SLOPPY"}); err == nil {
		t.Error("unknown policy accepted")
	}
}

type foreignSchema struct{}

func (foreignSchema) Canonical() string  { return "" }
func (foreignSchema) Normalized() string { return "" }

func TestCheckForeignSchema(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	s, err := f.Parse(`{}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Check(s, foreignSchema{}, compat.Options{}); err == nil {
		t.Error("Check(json, foreign) returned no error")
	}
	if _, err := f.Check(foreignSchema{}, s, compat.Options{}); err == nil {
		t.Error("Check(foreign, json) returned no error")
	}
}

// TestCheckConcurrent checks parsed schemas from several goroutines (the
// registry shares parsed versions between requests); run with -race.
func TestCheckConcurrent(t *testing.T) {
	t.Parallel()
	f := jsoncompat.New()
	old := mustParse(t, f, `{"$ref":"#/$defs/n","$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"},"v":{"oneOf":[{"type":"string"},{"type":"null"}]}}}}}`)
	nw := mustParse(t, f, `{"$ref":"#/$defs/n","$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"},"v":{"oneOf":[{"type":"null"},{"type":"integer"}]}}}}}`)
	done := make(chan []compat.Finding)
	for range 8 {
		go func() {
			fs, _ := f.Check(nw, old, compat.Options{})
			_ = nw.Normalized()
			done <- fs
		}()
	}
	for range 8 {
		if fs := <-done; len(fs) != 1 || fs[0].Rule != "COMBINED_TYPE_SUBSCHEMAS_CHANGED" {
			t.Errorf("got %v", fs)
		}
	}
}
