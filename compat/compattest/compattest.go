// Package compattest holds the test machinery every schema format shares,
// as httptest does for HTTP: today, the replay of the peers' conformance
// cases (../shared/conformance/*.jsonl) against a [compat.Format].
package compattest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charterhq/charter/compat"
)

// Case is one line of a conformance file (see
// ../shared/conformance/README.md).
type Case struct {
	Source     string          `json:"source"`
	Case       string          `json:"case"`
	Format     string          `json:"format"`
	Old        json.RawMessage `json:"old"`
	New        json.RawMessage `json:"new"`
	Direction  string          `json:"direction"` // BACKWARD, FORWARD or FULL
	Compatible bool            `json:"compatible"`
	Notes      string          `json:"notes"`
}

// Sides turns one side of a case (old or new) into the schema text and its
// references. Formats whose cases are single texts pass [Text].
type Sides func(t *testing.T, raw json.RawMessage) (string, []compat.Reference)

// Text is the Sides of single-text cases: a JSON string is that text,
// anything else its raw JSON.
func Text(_ *testing.T, raw json.RawMessage) (string, []compat.Reference) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	return string(raw), nil
}

// RunConformance replays every case of format found in the directory named
// by CHARTER_CONFORMANCE_DIR (skipping the test when it is unset) and
// compares f's verdict, BACKWARD = Check(new, old), FORWARD = Check(old,
// new), FULL = both, with the peer's. known lists deliberate differences
// by "source:case" with their reasons: they must still disagree, and every
// entry must match a case, so the list stays honest.
func RunConformance(t *testing.T, format string, f compat.Format, sides Sides, known map[string]string) {
	t.Helper()
	dir := os.Getenv("CHARTER_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("CHARTER_CONFORMANCE_DIR is not set; .ci/run points it at ../shared/conformance")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.jsonl in %s (err %v)", dir, err)
	}
	var ran, agreed, differ int
	seen := map[string]bool{}
	for _, file := range files {
		forEachCase(t, file, func(line int, c Case) {
			if c.Format != format {
				return
			}
			id := c.Source + ":" + c.Case
			if seen[id] {
				id += "#" + c.Direction
			}
			seen[id] = true
			ran++
			got, detail := verdict(t, f, sides, c)
			reason, isKnown := known[id]
			switch {
			case got == c.Compatible && isKnown:
				t.Errorf("%s: listed as a known difference (%s) but now agrees; remove the entry", id, reason)
			case got == c.Compatible:
				agreed++
			case isKnown:
				differ++
			default:
				t.Errorf("%s (%s:%d) %s: got compatible=%v, peer says %v\nnotes: %s\nold: %s\nnew: %s\n%s",
					id, filepath.Base(file), line, c.Direction, got, c.Compatible, c.Notes, c.Old, c.New, detail)
			}
		})
	}
	var stale []string
	for id := range known {
		if !seen[id] {
			stale = append(stale, id)
		}
	}
	slices.Sort(stale)
	for _, id := range stale {
		t.Errorf("known difference %s matches no case; remove it", id)
	}
	t.Logf("%s conformance: %d cases ran, %d agreed, %d known differences", format, ran, agreed, differ)
}

func forEachCase(t *testing.T, file string, fn func(line int, c Case)) {
	t.Helper()
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s:%d: %v", file, line, err)
		}
		fn(line, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// verdict parses both sides and runs the case's direction; a side that
// does not parse makes the case incompatible, as Confluent refuses it.
func verdict(t *testing.T, f compat.Format, sides Sides, c Case) (bool, string) {
	t.Helper()
	oldText, oldRefs := sides(t, c.Old)
	newText, newRefs := sides(t, c.New)
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
	var b strings.Builder
	for _, fd := range findings {
		b.WriteString(fd.String())
		if fd.Detail != "" {
			b.WriteString(" [" + fd.Detail + "]")
		}
		b.WriteByte('\n')
	}
	return len(findings) == 0, b.String()
}
