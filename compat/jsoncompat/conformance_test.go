package jsoncompat_test

import (
	"testing"

	"github.com/charterhq/charter/compat/compattest"
	"github.com/charterhq/charter/compat/jsoncompat"
)

// Reasons for the known differences with Karapace. Each is listed in
// ../shared/spec/compat-rules.md §2.3 or §2.5, or follows from Confluent's
// root rule ("anything can change to {} or true; false can change to
// anything", SchemaDiff.compare) and its open content model.
const (
	reasonTrueReader = "Karapace reads a true reader schema as {\"type\":\"object\"}, so a non-object " +
		"writer is incompatible there; Confluent accepts any change to {} or true (compat-rules.md §2.3, §2.5)"
	reasonFalseWriter = "the old schema is false, which accepts no data: Confluent accepts false -> anything " +
		"(SchemaDiff.compare; compat-rules.md §4 item 4), Karapace compares it as a schema"
	reasonTrueToFalse = "true -> false: Confluent reports TYPE_CHANGED (the new schema reads nothing the old one " +
		"allowed); Karapace's boolean-schema shortcut calls it compatible"
	reasonPatternCovers = "the removed property b is covered by the new partially open model: Confluent " +
		"matches patternProperties with find(), and \"^a*\" matches every name, so b falls under {} " +
		"(PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL); Karapace disagrees"
	reasonEmptyPropertyAdded = "a property with the empty schema {} added to an open model is " +
		"PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, compatible in Confluent; Karapace reports " +
		"property_added_to_open_content_model (compat-rules.md §2.3, §2.5); Confluent ignores propertyNames"
)

// knownDifferences lists conformance cases (by "source:case") where Charter
// deliberately answers differently from the peer, with the reason. Charter
// answers like Confluent Schema Registry (STRICT policy).
var knownDifferences = map[string]string{
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_extra_field_with_closed_model_is_incompatible/1": reasonFalseWriter,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_boolean_schemas_are_backward_compatible/1":       reasonTrueToFalse,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/30":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/31":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/32":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/33":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/34":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/35":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/36":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/37":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/38":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/39":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/40":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/41":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/42":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/43":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/44":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/45":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/46":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/47":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/48":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/49":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/50":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/51":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/52":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/53":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/54":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/55":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/56":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/57":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/58":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/59":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/60":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/61":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/62":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/63":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/64":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/65":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/66":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/67":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/68":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/69":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/70":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/71":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/72":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/73":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/74":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/75":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/76":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/77":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/78":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/79":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/80":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/81":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/82":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/83":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/84":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/85":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/86":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/87":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/88":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/89":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_schema_is_compatible_with_object/90":        reasonTrueReader,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_and_false_schemas/6":                        reasonFalseWriter,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_and_false_schemas/8":                        reasonFalseWriter,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_true_and_false_schemas/9":                        reasonFalseWriter,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_pattern_properties/5":                            reasonPatternCovers,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_object_properties/1":                             reasonEmptyPropertyAdded,
	"karapace:tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py#test_property_names/2":                                reasonEmptyPropertyAdded,
}

// TestConformance replays the peers' JSON Schema cases from the directory
// named by CHARTER_CONFORMANCE_DIR (see ../shared/conformance/README.md).
func TestConformance(t *testing.T) {
	t.Parallel()
	compattest.RunConformance(t, "JSON", jsoncompat.New(), compattest.Text, knownDifferences)
}
