package jsoncompat_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/jsoncompat"
)

// wideSchema returns a closed object schema with n properties of assorted
// kinds: bounded strings and numbers, nested objects, arrays, nullable
// (anyOf) and oneOf-with-$ref properties, enums. extra adds that many more
// optional properties (compatible under BACKWARD: the model is closed).
func wideSchema(n, extra int) string {
	var b strings.Builder
	b.WriteString(`{"$schema":"http://json-schema.org/draft-07/schema#","title":"Wide","type":"object","properties":{`)
	for i := range n + extra {
		if i > 0 {
			b.WriteByte(',')
		}
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, `"p%d":{"type":"string","maxLength":%d,"description":"field %d"}`, i, 64+i, i)
		case 1:
			fmt.Fprintf(&b, `"p%d":{"type":"integer","minimum":0,"maximum":%d}`, i, 1000+i)
		case 2:
			fmt.Fprintf(&b, `"p%d":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"number","multipleOf":0.01},"c":{"type":"object","properties":{"d":{"type":"boolean"}},"additionalProperties":false}},"required":["a"],"additionalProperties":false}`, i)
		case 3:
			fmt.Fprintf(&b, `"p%d":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"},"maxItems":10}`, i)
		case 4:
			fmt.Fprintf(&b, `"p%d":{"anyOf":[{"type":"null"},{"type":"string","format":"date-time"}]}`, i)
		case 5:
			fmt.Fprintf(&b, `"p%d":{"oneOf":[{"$ref":"#/definitions/address"},{"type":"null"},{"type":"array","items":{"$ref":"#/definitions/address"}}]}`, i)
		case 6:
			fmt.Fprintf(&b, `"p%d":{"type":"string","enum":["A","B","C","D"]}`, i)
		case 7:
			fmt.Fprintf(&b, `"p%d":{"allOf":[{"$ref":"#/definitions/base"},{"type":"object","properties":{"x%d":{"type":"integer"}}}]}`, i, i)
		}
	}
	b.WriteString(`},"required":["p0","p1"],"additionalProperties":false,"definitions":{` +
		`"address":{"type":"object","properties":{"street":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"},"next":{"$ref":"#/definitions/address"}},"additionalProperties":false},` +
		`"base":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}}`)
	return b.String()
}

func mustParseB(b *testing.B, f compat.Format, text string) compat.Schema {
	b.Helper()
	s, err := f.Parse(text, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkParse1000(b *testing.B) {
	f := jsoncompat.New()
	text := wideSchema(1000, 0)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		mustParseB(b, f, text)
	}
}

func BenchmarkCheck1000(b *testing.B) {
	f := jsoncompat.New()
	old := mustParseB(b, f, wideSchema(1000, 0))
	nw := mustParseB(b, f, wideSchema(1000, 1))
	b.ReportAllocs()
	for b.Loop() {
		if fs, err := f.Check(nw, old, compat.Options{}); err != nil || len(fs) > 0 {
			b.Fatal(fs, err)
		}
	}
}

// BenchmarkParseCheck1000 is a registration's JSON Schema work: parse the
// new schema and check it BACKWARD against the (already parsed) latest
// version.
func BenchmarkParseCheck1000(b *testing.B) {
	f := jsoncompat.New()
	old := mustParseB(b, f, wideSchema(1000, 0))
	text := wideSchema(1000, 1)
	b.ReportAllocs()
	for b.Loop() {
		nw := mustParseB(b, f, text)
		_ = nw.Canonical()
		if fs, err := f.Check(nw, old, compat.Options{}); err != nil || len(fs) > 0 {
			b.Fatal(fs, err)
		}
	}
}

// BenchmarkTransitive100 parses a new schema and checks it
// BACKWARD_TRANSITIVE against 100 parsed earlier versions (each version
// added one optional property to a closed 1,000-property object).
func BenchmarkTransitive100(b *testing.B) {
	f := jsoncompat.New()
	var versions []compat.Schema
	for i := range 100 {
		versions = append(versions, mustParseB(b, f, wideSchema(1000, i)))
	}
	text := wideSchema(1000, 100)
	b.ReportAllocs()
	for b.Loop() {
		nw := mustParseB(b, f, text)
		for _, old := range versions {
			if fs, err := f.Check(nw, old, compat.Options{}); err != nil || len(fs) > 0 {
				b.Fatal(fs, err)
			}
		}
	}
}
