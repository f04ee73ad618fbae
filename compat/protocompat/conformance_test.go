package protocompat_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/protocompat"
)

// knownDifferences lists conformance cases (by "source:case") where Charter
// deliberately answers differently from the peer, with the reason. Charter
// answers like Confluent (compat-rules.md §3.1, §3.2, §3.6).
var knownDifferences = map[string]string{
	"karapace:tests/unit/compatibility/test_protobuf_checks.py#test_changing_field_number_is_incompatible/1": "" +
		"Confluent matches fields by number only, so renumbering a field is a removal plus an addition, " +
		"both compatible (diff-schema-examples.json#9); Karapace also matches by name (FIELD_TAG_ALTER)",
	"karapace:tests/unit/protobuf/test_protobuf_compatibility.py#test_compatibility_field_tag_change/1": "" +
		"same as test_changing_field_number_is_incompatible: a renumbered field is remove + add in Confluent",
	"karapace:tests/unit/protobuf/test_protobuf_compatibility.py#test_compatibility_package/1": "" +
		"Confluent reports PACKAGE_CHANGED, which is not among its compatible changes (diff-schema-examples.json#1); " +
		"Karapace treats PACKAGE_ALTER as compatible",
	"karapace:tests/unit/protobuf/test_protobuf_compatibility.py#test_compatibility_ordering_change_msg/1": "" +
		"the schemas declare field number 0, which protoc, protocompile and Confluent (when it builds the " +
		"descriptor) reject, so Charter answers 422 invalid schema instead of checking; Karapace's parser accepts it",
}

// conformanceCase is one line of a peer's *.jsonl file. old and new are a
// schema text, or for Protobuf cases with imports a list or map of files.
type conformanceCase struct {
	Source     string          `json:"source"`
	Case       string          `json:"case"`
	Format     string          `json:"format"`
	Old        json.RawMessage `json:"old"`
	New        json.RawMessage `json:"new"`
	Direction  string          `json:"direction"`
	Compatible bool            `json:"compatible"`
	Notes      string          `json:"notes"`
}

// TestConformance replays the peers' Protobuf cases from the directory
// named by CHARTER_CONFORMANCE_DIR (see ../shared/conformance/README.md).
func TestConformance(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("CHARTER_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("CHARTER_CONFORMANCE_DIR is not set; .ci/run points it at ../shared/conformance")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.jsonl in %s (err %v)", dir, err)
	}
	f := protocompat.New()
	var ran, agreed, known int
	seen := map[string]bool{}
	for _, file := range files {
		fh, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		line := 0
		for sc.Scan() {
			line++
			var c conformanceCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s:%d: %v", file, line, err)
			}
			if c.Format != "PROTOBUF" {
				continue
			}
			id := c.Source + ":" + c.Case
			if seen[id] {
				id = id + "#" + c.Direction
			}
			seen[id] = true
			ran++
			got, detail := verdict(t, f, c)
			reason, isKnown := knownDifferences[id]
			switch {
			case got == c.Compatible && isKnown:
				t.Errorf("%s: listed as a known difference (%s) but now agrees; remove the entry", id, reason)
			case got == c.Compatible:
				agreed++
			case isKnown:
				known++
			default:
				t.Errorf("%s (%s:%d) %s: got compatible=%v, peer says %v\nnotes: %s\nold: %s\nnew: %s\n%s",
					id, filepath.Base(file), line, c.Direction, got, c.Compatible, c.Notes, c.Old, c.New, detail)
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	var stale []string
	for id := range knownDifferences {
		if !seen[id] {
			stale = append(stale, id)
		}
	}
	sort.Strings(stale)
	for _, id := range stale {
		t.Errorf("known difference %s matches no case; remove it", id)
	}
	t.Logf("PROTOBUF conformance: %d cases ran, %d agreed, %d known differences", ran, agreed, known)
}

// schemaFiles turns a case's old or new value into the schema text and its
// references. A string is the schema itself. A list holds the files in
// dependency order, the schema last; each item is a string or an object
// with name and text (or schema). A map is import path -> text, where the
// schema is the one no other file imports.
func schemaFiles(t *testing.T, raw json.RawMessage) (string, []compat.Reference) {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	type file struct{ name, text string }
	var files []file
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err == nil {
		for i, item := range list {
			var text string
			if json.Unmarshal(item, &text) == nil {
				files = append(files, file{name: fmt.Sprintf("file%d.proto", i), text: text})
				continue
			}
			var obj map[string]string
			if err := json.Unmarshal(item, &obj); err != nil {
				t.Fatalf("unsupported file entry %s", item)
			}
			text = obj["text"]
			if text == "" {
				text = obj["schema"]
			}
			files = append(files, file{name: obj["name"], text: text})
		}
	} else {
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("unsupported schema value %s", raw)
		}
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		var root string
		for _, n := range names {
			imported := false
			for _, other := range names {
				if other != n && strings.Contains(m[other], `"`+n+`"`) {
					imported = true
				}
			}
			if !imported {
				root = n
			}
		}
		for _, n := range names {
			if n != root {
				files = append(files, file{n, m[n]})
			}
		}
		files = append(files, file{root, m[root]})
	}
	if len(files) == 0 {
		t.Fatalf("no files in %s", raw)
	}
	var refs []compat.Reference
	for _, f := range files[:len(files)-1] {
		refs = append(refs, compat.Reference{Name: f.name, Text: f.text})
	}
	return files[len(files)-1].text, refs
}

func verdict(t *testing.T, f compat.Format, c conformanceCase) (bool, string) {
	t.Helper()
	oldText, oldRefs := schemaFiles(t, c.Old)
	newText, newRefs := schemaFiles(t, c.New)
	oldS, err := f.Parse(oldText, oldRefs)
	if err != nil {
		return false, "old does not parse: " + err.Error()
	}
	newS, err := f.Parse(newText, newRefs)
	if err != nil {
		return false, "new does not parse: " + err.Error()
	}
	var findings []compat.Finding
	run := func(reader, writer compat.Schema) {
		fs, err := f.Check(reader, writer, compat.Options{})
		if err != nil {
			t.Fatal(err)
		}
		findings = append(findings, fs...)
	}
	switch c.Direction {
	case "BACKWARD":
		run(newS, oldS)
	case "FORWARD":
		run(oldS, newS)
	case "FULL":
		run(newS, oldS)
		run(oldS, newS)
	default:
		t.Fatalf("%s: unknown direction %q", c.Case, c.Direction)
	}
	detail := ""
	for _, fd := range findings {
		detail += fd.String() + "\n"
	}
	return len(findings) == 0, detail
}
