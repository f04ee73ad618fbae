package avrocompat_test

import (
	"testing"

	"github.com/charterhq/charter/compat/avrocompat"
	"github.com/charterhq/charter/compat/compattest"
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

// TestConformance replays the peers' Avro cases from the directory named by
// CHARTER_CONFORMANCE_DIR (see ../shared/conformance/README.md).
func TestConformance(t *testing.T) {
	t.Parallel()
	compattest.RunConformance(t, "AVRO", avrocompat.New(), compattest.Text, knownDifferences)
}
