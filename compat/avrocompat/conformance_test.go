package avrocompat_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/avrocompat"
)

// knownDifferences lists conformance cases (by "source:case") where Charter
// deliberately answers differently from the peer, with the reason. Charter
// answers like Confluent, i.e. like Java's SchemaCompatibility.
var knownDifferences = map[string]string{
	"karapace:tests/unit/test_avro_compatibility.py#test_schemaregistry_basic_backwards_compatibility/8": "" +
		"the new enum's default \"B\" is not one of its symbols: Java's EnumSchema constructor throws " +
		"SchemaParseException, so Confluent rejects the schema as invalid (422) instead of checking it; " +
		"Python avro accepts it",
}

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

// TestConformance replays the peers' Avro cases from the directory named by
// CHARTER_CONFORMANCE_DIR (see ../shared/conformance/README.md).
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
	f := avrocompat.New()
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
			if c.Format != "AVRO" {
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
					id, filepath.Base(file), line, c.Direction, got, c.Compatible, c.Notes, schemaText(c.Old), schemaText(c.New), detail)
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
	t.Logf("AVRO conformance: %d cases ran, %d agreed, %d known differences", ran, agreed, known)
}

func schemaText(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

func verdict(t *testing.T, f compat.Format, c conformanceCase) (bool, string) {
	t.Helper()
	oldS, err := f.Parse(schemaText(c.Old), nil)
	if err != nil {
		return false, "old does not parse: " + err.Error()
	}
	newS, err := f.Parse(schemaText(c.New), nil)
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
