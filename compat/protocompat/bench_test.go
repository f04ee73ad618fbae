package protocompat_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/protocompat"
)

// largeSchema generates a file of n top-level messages with 20 fields
// each, a nested message and a nested enum per message, and two top-level
// enums. With changed set, it applies a few breaking changes (a field type
// change, a removed message, a numeric label change, a field deleted
// without reservation, an enum value deleted) and a few compatible ones
// (fields and a message added).
func largeSchema(n int, changed bool) string {
	var b strings.Builder
	b.WriteString("syntax = \"proto3\";\npackage bench.v1;\n\nimport \"google/protobuf/timestamp.proto\";\n\n")
	b.WriteString("option go_package = \"example.com/bench/v1;benchv1\";\n\n")
	for i := range n {
		if changed && i == n/2 {
			continue // MESSAGE_REMOVED
		}
		fmt.Fprintf(&b, "// M%04d is message number %d.\nmessage M%04d {\n", i, i, i)
		b.WriteString("  message Detail {\n    string note = 1;\n    int64 at = 2;\n    repeated string tags = 3;\n  }\n")
		b.WriteString("  enum Kind {\n    KIND_UNSPECIFIED = 0;\n    KIND_A = 1;\n    KIND_B = 2;\n  }\n")
		for f := 1; f <= 20; f++ {
			if changed && i == n/4 && f == 20 {
				continue // field deleted without reserving its number (buf)
			}
			var decl string
			switch f % 10 {
			case 1:
				decl = "string"
			case 2:
				decl = "int64"
				if changed && i == n/5 {
					decl = "string" // FIELD_SCALAR_KIND_CHANGED
				}
			case 3:
				decl = "int32"
				if changed && i == n/3 {
					decl = "repeated int32" // FIELD_NUMERIC_LABEL_CHANGED
				}
			case 4:
				decl = "bool"
			case 5:
				decl = "double"
			case 6:
				decl = "Status"
			case 7:
				decl = "Kind"
			case 8:
				decl = "Detail"
			case 9:
				decl = "map<string, int64>"
			case 0:
				decl = "google.protobuf.Timestamp"
				if i > 0 && f == 20 {
					decl = fmt.Sprintf("M%04d", i-1)
					if changed && i-1 == n/2 {
						decl = "M0000"
					}
				}
			}
			fmt.Fprintf(&b, "  %s field_%02d = %d;\n", decl, f, f)
		}
		if changed && i%100 == 7 {
			b.WriteString("  string added = 21;\n")
		}
		b.WriteString("}\n\n")
	}
	if changed {
		b.WriteString("message Added {\n  string id = 1;\n}\n\n")
	}
	b.WriteString("enum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_OPEN = 1;\n  STATUS_CLOSED = 2;\n")
	if !changed {
		b.WriteString("  STATUS_ARCHIVED = 3;\n") // deleted in the new file (buf)
	}
	b.WriteString("}\n\nenum Level {\n  LEVEL_UNSPECIFIED = 0;\n  LEVEL_HIGH = 1;\n}\n")
	return b.String()
}

func mustParseB(b testing.TB, text string) compat.Schema {
	b.Helper()
	s, err := protocompat.New().Parse(text, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func TestLargePairFindings(t *testing.T) {
	t.Parallel()
	f := protocompat.New()
	old, nw := mustParseB(t, largeSchema(500, false)), mustParseB(t, largeSchema(500, true))
	for set, want := range map[string][]string{
		"":          {"MESSAGE_REMOVED", "FIELD_SCALAR_KIND_CHANGED", "FIELD_NUMERIC_LABEL_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
		"WIRE":      {"FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", "FIELD_WIRE_COMPATIBLE_TYPE", "FIELD_WIRE_COMPATIBLE_CARDINALITY", "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED"},
		"WIRE_JSON": {"FIELD_NO_DELETE_UNLESS_NAME_RESERVED", "FIELD_WIRE_JSON_COMPATIBLE_TYPE", "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED"},
	} {
		fs, err := f.Check(nw, old, compat.Options{RuleSet: set})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, fd := range fs {
			got[fd.Rule] = true
		}
		for _, r := range want {
			if !got[r] {
				t.Errorf("rule set %q: no %s in %v", set, r, fs)
			}
		}
	}
}

// TestWriteLargePair writes the benchmark pair as old/bench.proto and
// new/bench.proto under $CHARTER_PROTO_BENCH_DIR, for comparing with
// `buf breaking new --against old`.
func TestWriteLargePair(t *testing.T) {
	dir := os.Getenv("CHARTER_PROTO_BENCH_DIR")
	if dir == "" {
		t.Skip("set CHARTER_PROTO_BENCH_DIR to write the benchmark pair")
	}
	for sub, changed := range map[string]bool{"old": false, "new": true} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, sub, "bench.proto"), []byte(largeSchema(500, changed)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkCheckLarge is a registration's Protobuf compatibility work
// against a registered large schema: parse the new file and check it
// BACKWARD against the (already parsed) old one.
func BenchmarkCheckLarge(b *testing.B) {
	f := protocompat.New()
	old := mustParseB(b, largeSchema(500, false))
	text := largeSchema(500, true)
	for _, set := range []string{"", "WIRE", "WIRE_JSON"} {
		name := set
		if name == "" {
			name = "CONFLUENT"
		}
		b.Run(name, func(b *testing.B) {
			if _, err := f.Check(old, old, compat.Options{RuleSet: set}); err != nil { // warm old's index
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				nw := mustParseB(b, text)
				fs, err := f.Check(nw, old, compat.Options{RuleSet: set})
				if err != nil || len(fs) == 0 {
					b.Fatal(fs, err)
				}
			}
		})
	}
}

// BenchmarkCheckOnlyLarge is the check alone, both schemas parsed.
func BenchmarkCheckOnlyLarge(b *testing.B) {
	f := protocompat.New()
	old, nw := mustParseB(b, largeSchema(500, false)), mustParseB(b, largeSchema(500, true))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Check(nw, old, compat.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLarge is the parse of the large file; ParseCanonical adds
// the canonical and normalized texts, which registration stores.
func BenchmarkParseLarge(b *testing.B) {
	text := largeSchema(500, false)
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			mustParseB(b, text)
		}
	})
	b.Run("ParseCanonical", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := mustParseB(b, text)
			_, _ = s.Canonical(), s.Normalized()
		}
	})
}

// TestLargeSchemaMemory logs the heap a parsed large schema keeps (with
// its canonical and normalized texts and its check index built).
func TestLargeSchemaMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	text := largeSchema(500, false)
	const n = 5
	keep := make([]compat.Schema, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		s := mustParseB(t, text)
		_, _ = s.Canonical(), s.Normalized()
		if _, err := protocompat.New().Check(s, s, compat.Options{}); err != nil {
			t.Fatal(err)
		}
		keep[i] = s
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("large schema (%d bytes of text, 500 messages x 20 fields): %.1f MiB held per parsed schema", len(text), float64(per)/(1<<20))
	runtime.KeepAlive(keep)
}
