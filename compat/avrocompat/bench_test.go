package avrocompat_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/avrocompat"
)

// wideRecord returns a record with n fields of assorted types; extra adds
// one more field with a default.
func wideRecord(n int, extra bool) string {
	var b strings.Builder
	b.WriteString(`{"type":"record","name":"Wide","namespace":"com.acme.bench","doc":"benchmark","fields":[`)
	types := []string{`"string"`, `"long"`, `["null","string"]`, `{"type":"long","logicalType":"timestamp-millis"}`, `{"type":"array","items":"int"}`, `"double"`}
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		t := types[i%len(types)]
		if i%len(types) == 2 {
			fmt.Fprintf(&b, `{"name":"f%d","type":%s,"default":null,"doc":"field %d"}`, i, t, i)
		} else {
			fmt.Fprintf(&b, `{"name":"f%d","type":%s}`, i, t)
		}
	}
	if extra {
		b.WriteString(`,{"name":"added","type":"string","default":""}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func mustParse(b *testing.B, f compat.Format, text string) compat.Schema {
	b.Helper()
	s, err := f.Parse(text, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkParse1000Fields(b *testing.B) {
	f := avrocompat.New()
	text := wideRecord(1000, false)
	b.ReportAllocs()
	for b.Loop() {
		mustParse(b, f, text)
	}
}

func BenchmarkCanonical1000Fields(b *testing.B) {
	f := avrocompat.New()
	text := wideRecord(1000, false)
	b.ReportAllocs()
	for b.Loop() {
		// Canonical is cached per schema, so each iteration parses anew;
		// BenchmarkParse1000Fields gives the parse share.
		_ = mustParse(b, f, text).Canonical()
	}
}

func BenchmarkCheck1000Fields(b *testing.B) {
	f := avrocompat.New()
	old := mustParse(b, f, wideRecord(1000, false))
	nw := mustParse(b, f, wideRecord(1000, true))
	b.ReportAllocs()
	for b.Loop() {
		fs, err := f.Check(nw, old, compat.Options{})
		if err != nil || len(fs) > 0 {
			b.Fatal(fs, err)
		}
	}
}

// BenchmarkParseCanonicalCheck1000 is a registration's Avro work: parse the
// new schema, compute its canonical form and check it BACKWARD against the
// (already parsed) latest version.
func BenchmarkParseCanonicalCheck1000(b *testing.B) {
	f := avrocompat.New()
	old := mustParse(b, f, wideRecord(1000, false))
	text := wideRecord(1000, true)
	b.ReportAllocs()
	for b.Loop() {
		nw := mustParse(b, f, text)
		_ = nw.Canonical()
		fs, err := f.Check(nw, old, compat.Options{})
		if err != nil || len(fs) > 0 {
			b.Fatal(fs, err)
		}
	}
}
