package protocompat_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/protocompat"
)

// ruleCase is one testdata/rules/<RULE>/<name>.txtar file. Sections:
//
//	ruleset             optional: WIRE or WIRE_JSON (default: the rule's first set)
//	writer.proto        the old schema
//	reader.proto        the new schema
//	ref/<path>          a reference both sides import as <path>
//	writer.ref/<path>   a reference only the writer sees (likewise reader.ref/)
//	want                expected findings, "RULE PATH FILE:LINE:COL" per line
type ruleCase struct {
	rule, name, file string
	archive          *txtar.Archive
	ruleSet          string
	writer, reader   string
	wrefs, rrefs     []compat.Reference
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
		if sets := protocompat.RuleSets(c.rule); len(sets) > 0 {
			c.ruleSet = sets[0]
		}
		seen := map[string]bool{}
		for _, f := range a.Files {
			seen[f.Name] = true
			text := string(f.Data)
			switch {
			case f.Name == "ruleset":
				c.ruleSet = strings.TrimSpace(text)
			case f.Name == "writer.proto":
				c.writer = text
			case f.Name == "reader.proto":
				c.reader = text
			case f.Name == "want":
				for line := range strings.Lines(text) {
					if line = strings.TrimSpace(line); line != "" {
						c.want = append(c.want, line)
					}
				}
			case strings.HasPrefix(f.Name, "ref/"):
				ref := compat.Reference{Name: strings.TrimPrefix(f.Name, "ref/"), Text: text}
				c.wrefs = append(c.wrefs, ref)
				c.rrefs = append(c.rrefs, ref)
			case strings.HasPrefix(f.Name, "writer.ref/"):
				c.wrefs = append(c.wrefs, compat.Reference{Name: strings.TrimPrefix(f.Name, "writer.ref/"), Text: text})
			case strings.HasPrefix(f.Name, "reader.ref/"):
				c.rrefs = append(c.rrefs, compat.Reference{Name: strings.TrimPrefix(f.Name, "reader.ref/"), Text: text})
			default:
				t.Fatalf("%s: unexpected section %q", file, f.Name)
			}
		}
		for _, need := range []string{"writer.proto", "reader.proto", "want"} {
			if !seen[need] {
				t.Fatalf("%s: missing section %q", file, need)
			}
		}
		out = append(out, c)
	}
	return out
}

// findingLines renders findings as the corpus's "RULE PATH FILE:LINE:COL"
// lines.
func findingLines(fs []compat.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s:%d:%d", f.Rule, f.Path, f.File, f.Line, f.Column))
	}
	return out
}

func (c ruleCase) parse(t testing.TB, f compat.Format) (reader, writer compat.Schema) {
	t.Helper()
	var err error
	if writer, err = f.Parse(c.writer, c.wrefs); err != nil {
		t.Fatalf("%s: writer: %v", c.file, err)
	}
	if reader, err = f.Parse(c.reader, c.rrefs); err != nil {
		t.Fatalf("%s: reader: %v", c.file, err)
	}
	return reader, writer
}

func (c ruleCase) check(t testing.TB, f compat.Format) []compat.Finding {
	t.Helper()
	reader, writer := c.parse(t, f)
	findings, err := f.Check(reader, writer, compat.Options{RuleSet: c.ruleSet})
	if err != nil {
		t.Fatalf("%s: %v", c.file, err)
	}
	return findings
}

// TestRules runs the rule corpus. GOLDEN_UPDATE=1 rewrites the want
// sections from the current output.
func TestRules(t *testing.T) {
	t.Parallel()
	f := protocompat.New()
	update := os.Getenv("GOLDEN_UPDATE") != ""
	for _, c := range loadRuleCases(t) {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			findings := c.check(t, f)
			got := findingLines(findings)
			for _, fd := range findings {
				if fd.Message == "" || !strings.Contains(fd.Message, fd.Path) || !strings.HasSuffix(fd.Message, ".") {
					t.Errorf("finding %v: message must be a sentence naming its path", fd)
				}
				if fd.File == "" {
					t.Errorf("finding %v has no file", fd)
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
	f := protocompat.New()
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
		if !slices.Contains(protocompat.RuleSets(c.rule), c.ruleSet) {
			t.Errorf("%s: rule set %q does not contain %s", c.file, c.ruleSet, c.rule)
		}
		findings := c.check(t, f)
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

// TestRulesReflexive checks that every corpus schema is compatible with
// itself under every rule set.
func TestRulesReflexive(t *testing.T) {
	t.Parallel()
	f := protocompat.New()
	for _, c := range loadRuleCases(t) {
		reader, writer := c.parse(t, f)
		for _, s := range []compat.Schema{reader, writer} {
			for _, set := range []string{"", "WIRE", "WIRE_JSON"} {
				fs, err := f.Check(s, s, compat.Options{RuleSet: set})
				if err != nil || len(fs) > 0 {
					t.Errorf("%s: not compatible with itself under %q: %v %v", c.file, set, fs, err)
				}
			}
		}
	}
}

// TestForwardSurprises checks the FORWARD consequences of Confluent's
// rules, with the registry's composition FORWARD = Check(old, new).
func TestForwardSurprises(t *testing.T) {
	t.Parallel()
	f := protocompat.New()
	for _, tc := range []struct {
		name, old, new, rule string
	}{
		{"message added", `syntax = "proto3"; message A { int32 x = 1; }`, `syntax = "proto3"; message A { int32 x = 1; } message B {}`, "MESSAGE_REMOVED"},
		{"field added to a oneof", `syntax = "proto3"; message A { oneof o { int32 x = 1; } }`, `syntax = "proto3"; message A { oneof o { int32 x = 1; string y = 2; } }`, "ONEOF_FIELD_REMOVED"},
	} {
		old, nw := mustParse(t, tc.old), mustParse(t, tc.new)
		back, err := f.Check(nw, old, compat.Options{})
		if err != nil || len(back) > 0 {
			t.Errorf("%s: BACKWARD should pass: %v %v", tc.name, back, err)
		}
		fwd, err := f.Check(old, nw, compat.Options{})
		if err != nil || len(fwd) != 1 || fwd[0].Rule != tc.rule {
			t.Errorf("%s: FORWARD = %v %v, want one %s", tc.name, fwd, err, tc.rule)
		}
	}
}

func TestCheckFinding(t *testing.T) {
	t.Parallel()
	f := protocompat.New()
	old := mustParse(t, "syntax = \"proto3\";\npackage acme;\nmessage Order {\n  int64 total = 1;\n}\n")
	nw := mustParse(t, "syntax = \"proto3\";\npackage acme;\n\nmessage Order {\n    string total = 1;\n}\n")
	got, err := f.Check(nw, old, compat.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []compat.Finding{{
		Rule:    "FIELD_SCALAR_KIND_CHANGED",
		Path:    "acme.Order.total",
		File:    "schema.proto",
		Line:    5,
		Column:  5,
		Message: "Field 'acme.Order.total' changed type from int64 to string, which are not wire compatible.",
		Detail:  "old: int64 (GENERAL_NUMBER), new: string (STRING_OR_BYTES)",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A finding about an element only the writer has is located there.
	got, err = f.Check(mustParse(t, "syntax = \"proto3\";\npackage acme;\n"), old, compat.Options{})
	if err != nil || len(got) != 1 || got[0].Line != 3 || !strings.Contains(got[0].Message, "position is in the old schema") {
		t.Errorf("removed message finding: %+v %v", got, err)
	}
}

func TestRulesStable(t *testing.T) {
	t.Parallel()
	var got []string
	for _, r := range protocompat.New().Rules() {
		got = append(got, r.ID)
	}
	if len(got) != 35 || got[0] != "PACKAGE_CHANGED" || got[11] != "FILE_SAME_PACKAGE" {
		t.Errorf("Rules() = %v", got)
	}
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("duplicate rule %s", id)
		}
		seen[id] = true
	}
}
