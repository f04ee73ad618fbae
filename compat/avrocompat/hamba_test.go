package avrocompat_test

import (
	"testing"

	"github.com/charterhq/charter/compat"

	"github.com/hamba/avro/v2"

	"github.com/charterhq/charter/compat/avrocompat"
)

// hambaDisagreements lists rule cases where hamba/avro's SchemaCompatibility
// gives a different verdict from Java's (and so Confluent's), with the
// reason. compat-rules.md §4.16 explains why hamba is not the oracle.
var hambaDisagreements = map[string]string{
	// hamba v2.31 compares unqualified names like Java, and the enum-default
	// special case yields "incompatible" in both (Java via TYPE_MISMATCH), so
	// the corpus only separates them here.
	"READER_FIELD_MISSING_DEFAULT_VALUE/fail_alias_matches_two_writer_fields": "" +
		"Java throws when a reader field matches two writer fields, which Confluent reports as incompatible; " +
		"hamba takes the first match",
}

// TestRulesMatchHamba runs every corpus pair through hamba/avro's checker
// and compares verdicts, so a disagreement is either listed with a reason
// or a bug.
func TestRulesMatchHamba(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	seen := map[string]bool{}
	for _, c := range loadRuleCases(t) {
		id := c.rule + "/" + c.name
		seen[id] = true
		reader, writer := c.parse(t, f)
		findings, err := f.Check(reader, writer, compat.Options{})
		if err != nil {
			t.Fatal(err)
		}
		hr, err := avrocompat.HambaSchema(reader)
		if err != nil {
			t.Fatalf("%s: hamba cannot parse reader: %v", id, err)
		}
		hw, err := avrocompat.HambaSchema(writer)
		if err != nil {
			t.Fatalf("%s: hamba cannot parse writer: %v", id, err)
		}
		// A fresh checker per pair: hamba's memo ignores defaults.
		hambaOK := avro.NewSchemaCompatibility().Compatible(hr, hw) == nil
		ours := len(findings) == 0
		reason, listed := hambaDisagreements[id]
		switch {
		case ours != hambaOK && !listed:
			t.Errorf("%s: charter compatible=%v, hamba compatible=%v (findings %v)", id, ours, hambaOK, findings)
		case ours == hambaOK && listed:
			t.Errorf("%s: listed as a hamba disagreement (%s) but now agrees; remove the entry", id, reason)
		}
	}
	for id := range hambaDisagreements {
		if !seen[id] {
			t.Errorf("hamba disagreement %s names no corpus case", id)
		}
	}
}
