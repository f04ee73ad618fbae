package avrocompat

import "fmt"

// Rule IDs are Apache Avro's SchemaIncompatibilityType names, which
// Confluent reports as errorType.
const (
	ruleReaderFieldMissingDefault = "READER_FIELD_MISSING_DEFAULT_VALUE"
	ruleTypeMismatch              = "TYPE_MISMATCH"
	ruleNameMismatch              = "NAME_MISMATCH"
	ruleMissingEnumSymbols        = "MISSING_ENUM_SYMBOLS"
	ruleMissingUnionBranch        = "MISSING_UNION_BRANCH"
	ruleFixedSizeMismatch         = "FIXED_SIZE_MISMATCH"
)

// rule is one check. The pair walk (walk.go) visits reader/writer pairs in
// the order Avro does and calls each rule's function where Avro would; the
// table documents them and renders their messages.
type rule struct {
	id      string
	purpose string
	// message renders Confluent's description for a finding at path; info
	// is Avro's "message" for the incompatibility (the field name, the
	// missing symbols, ...).
	message func(path, info string) string
}

// rules is the rule table, in a stable order.
var rules = []rule{
	{
		id:      ruleReaderFieldMissingDefault,
		purpose: "A field of the reader record that the writer record lacks (by name or reader field alias) must have a default value.",
		message: func(path, info string) string {
			return fmt.Sprintf("The field '%s' at path '%s' in the new schema has no default value and is missing in the old schema", info, path)
		},
	},
	{
		id:      ruleTypeMismatch,
		purpose: "The reader type must be able to read the writer type: same type, or one of Avro's promotions (int to long, float or double; long to float or double; float to double; string and bytes either way).",
		message: func(path, _ string) string {
			return fmt.Sprintf("The type (path '%s') of a field in the new schema does not match with the old schema", path)
		},
	},
	{
		id:      ruleNameMismatch,
		purpose: "A record, enum or fixed must keep its unqualified name, or list the writer's full name among its aliases.",
		message: func(path, _ string) string {
			return fmt.Sprintf("The name of the schema has changed (path '%s')", path)
		},
	},
	{
		id:      ruleMissingEnumSymbols,
		purpose: "The reader enum must contain every writer symbol, unless it declares a default symbol.",
		message: func(path, info string) string {
			return fmt.Sprintf("The new schema is missing enum symbols '%s' at path '%s' in the old schema", info, path)
		},
	},
	{
		id:      ruleMissingUnionBranch,
		purpose: "Every type the writer can write (each branch of a writer union) must be readable by some branch of the reader union.",
		message: func(path, _ string) string {
			return fmt.Sprintf("The new schema is missing a type inside a union field at path '%s' in the old schema", path)
		},
	},
	{
		id:      ruleFixedSizeMismatch,
		purpose: "A fixed type must keep its size.",
		message: func(path, _ string) string {
			return fmt.Sprintf("The size of FIXED type field at path '%s' in the new schema does not match with the old schema", path)
		},
	},
}

var rulesByID = func() map[string]*rule {
	m := make(map[string]*rule, len(rules))
	for i := range rules {
		m[rules[i].id] = &rules[i]
	}
	return m
}()
