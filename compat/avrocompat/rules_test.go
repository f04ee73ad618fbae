package avrocompat_test

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
	"github.com/charterhq/charter/compat/avrocompat"
)

// ruleCase is one testdata/rules/<RULE>/<name>.txtar file.
type ruleCase struct {
	rule, name, file string
	archive          *txtar.Archive
	writer, reader   string
	refs             []compat.Reference
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
			case f.Name == "writer.avsc":
				c.writer = text
			case f.Name == "reader.avsc":
				c.reader = text
			case f.Name == "want":
				for line := range strings.Lines(text) {
					if line = strings.TrimSpace(line); line != "" {
						c.want = append(c.want, line)
					}
				}
			case strings.HasPrefix(f.Name, "ref.") && strings.HasSuffix(f.Name, ".avsc"):
				name := strings.TrimSuffix(strings.TrimPrefix(f.Name, "ref."), ".avsc")
				c.refs = append(c.refs, compat.Reference{Name: name, Text: text})
			default:
				t.Fatalf("%s: unexpected section %q", file, f.Name)
			}
		}
		for _, need := range []string{"writer.avsc", "reader.avsc", "want"} {
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
	if writer, err = f.Parse(c.writer, c.refs); err != nil {
		t.Fatalf("%s: writer: %v", c.file, err)
	}
	if reader, err = f.Parse(c.reader, c.refs); err != nil {
		t.Fatalf("%s: reader: %v", c.file, err)
	}
	return reader, writer
}

// TestRules runs the rule corpus. GOLDEN_UPDATE=1 rewrites the want
// sections from the current output.
func TestRules(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	update := os.Getenv("GOLDEN_UPDATE") != ""
	for _, c := range loadRuleCases(t) {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			reader, writer := c.parse(t, f)
			findings, err := f.Check(reader, writer, compat.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := findingLines(findings)
			for _, fd := range findings {
				if fd.Message == "" || !strings.Contains(fd.Message, fd.Path) {
					t.Errorf("finding %v: message must name its path", fd)
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
// every directory is a rule, and ok_ cases produce no findings at all.
func TestRulesHaveCases(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	known := map[string]bool{}
	for _, r := range f.Rules() {
		if r.Purpose == "" {
			t.Errorf("rule %s has no purpose", r.ID)
		}
		known[r.ID] = true
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
	hasFail, hasOK := map[string]bool{}, map[string]bool{}
	for _, c := range loadRuleCases(t) {
		reader, writer := c.parse(t, f)
		findings, err := f.Check(reader, writer, compat.Options{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(c.name, "ok_"):
			if len(findings) > 0 {
				t.Errorf("%s: ok_ case has findings %v", c.file, findings)
			} else {
				hasOK[c.rule] = true
			}
		case strings.HasPrefix(c.name, "fail_"):
			if slices.ContainsFunc(findings, func(fd compat.Finding) bool { return fd.Rule == c.rule }) {
				hasFail[c.rule] = true
			} else {
				t.Errorf("%s: fail_ case does not produce %s (got %v)", c.file, c.rule, findings)
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
	}
}

func TestRulesStable(t *testing.T) {
	t.Parallel()
	want := []string{
		"READER_FIELD_MISSING_DEFAULT_VALUE", "TYPE_MISMATCH", "NAME_MISMATCH",
		"MISSING_ENUM_SYMBOLS", "MISSING_UNION_BRANCH", "FIXED_SIZE_MISMATCH",
	}
	var got []string
	for _, r := range avrocompat.New().Rules() {
		got = append(got, r.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rules() (-want +got):\n%s", diff)
	}
}

func TestCheckMessages(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	old, err := f.Parse(`{"type":"record","name":"U","fields":[{"name":"id","type":"string"}]}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	nw, err := f.Parse(`{"type":"record","name":"U","fields":[{"name":"id","type":"string"},{"name":"x","type":"int"}]}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Check(nw, old, compat.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []compat.Finding{{
		Rule:    "READER_FIELD_MISSING_DEFAULT_VALUE",
		Path:    "/fields/1",
		Message: "The field 'x' at path '/fields/1' in the new schema has no default value and is missing in the old schema",
		Detail:  "x",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

type foreignSchema struct{}

func (foreignSchema) Canonical() string  { return "" }
func (foreignSchema) Normalized() string { return "" }

func TestCheckForeignSchema(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	s, err := f.Parse(`"int"`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Check(s, foreignSchema{}, compat.Options{}); err == nil {
		t.Error("Check(avro, foreign) returned no error")
	}
	if _, err := f.Check(foreignSchema{}, s, compat.Options{}); err == nil {
		t.Error("Check(foreign, avro) returned no error")
	}
}
