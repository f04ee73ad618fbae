package jsoncompat

import "fmt"

// rule is one incompatible Confluent difference type. Confluent's checker
// lists every difference between the old and the new schema and calls the
// change compatible when each difference is in the policy's compatible set;
// Charter reports only the differences that are not, so every rule here is
// incompatible under STRICT, and lenient marks those Confluent's LENIENT
// policy accepts. Difference types that are compatible under both policies
// (MAX_LENGTH_INCREASED, SUM_TYPE_EXTENDED, ...) are recognised by the walk
// but produce nothing.
type rule struct {
	id      string
	purpose string
	lenient bool   // compatible under compatibilityPolicy LENIENT
	msg     string // one sentence; %s is the path
}

// rules is the rule table, in a stable order (Confluent's Difference.Type
// order).
var rules = []rule{
	{id: "SCHEMA_ADDED", purpose: "An items or contains schema that was absent (any item) must not be added.",
		msg: "The new schema adds a subschema at path '%s' where the old schema had none"},
	{id: "TYPE_NARROWED", purpose: "A number must not become an integer.",
		msg: "The type at path '%s' is integer in the new schema but number in the old schema"},
	{id: "TYPE_CHANGED", purpose: "A schema must keep its kind (string, number, object, array, enum, const, combined, not, ...); the new schema may be {} or true, and an old false schema may become anything.",
		msg: "The type at path '%s' is different between the new schema and the old schema"},

	{id: "MAX_LENGTH_ADDED", purpose: "A string must not gain a maxLength.", msg: "The new schema adds maxLength at path '%s'"},
	{id: "MAX_LENGTH_DECREASED", purpose: "A string's maxLength must not decrease.", msg: "The maxLength at path '%s' is smaller in the new schema than in the old schema"},
	{id: "MIN_LENGTH_ADDED", purpose: "A string must not gain a minLength.", msg: "The new schema adds minLength at path '%s'"},
	{id: "MIN_LENGTH_INCREASED", purpose: "A string's minLength must not increase.", msg: "The minLength at path '%s' is larger in the new schema than in the old schema"},
	{id: "PATTERN_ADDED", purpose: "A string must not gain a pattern.", msg: "The new schema adds a pattern at path '%s'"},
	{id: "PATTERN_CHANGED", purpose: "A string's pattern must not change.", msg: "The pattern at path '%s' is different between the new schema and the old schema"},

	{id: "MAXIMUM_ADDED", purpose: "A number must not gain a maximum.", msg: "The new schema adds maximum at path '%s'"},
	{id: "MAXIMUM_DECREASED", purpose: "A number's maximum must not decrease.", msg: "The maximum at path '%s' is smaller in the new schema than in the old schema"},
	{id: "MINIMUM_ADDED", purpose: "A number must not gain a minimum.", msg: "The new schema adds minimum at path '%s'"},
	{id: "MINIMUM_INCREASED", purpose: "A number's minimum must not increase.", msg: "The minimum at path '%s' is larger in the new schema than in the old schema"},
	{id: "EXCLUSIVE_MAXIMUM_ADDED", purpose: "A number must not gain an exclusiveMaximum (draft 4: maximum with exclusiveMaximum true).", msg: "The new schema adds exclusiveMaximum at path '%s'"},
	{id: "EXCLUSIVE_MAXIMUM_DECREASED", purpose: "A number's exclusiveMaximum must not decrease (compared with the old exclusiveMaximum, not with maximum as Confluent's code does).", msg: "The exclusiveMaximum at path '%s' is smaller in the new schema than in the old schema"},
	{id: "EXCLUSIVE_MINIMUM_ADDED", purpose: "A number must not gain an exclusiveMinimum (draft 4: minimum with exclusiveMinimum true).", msg: "The new schema adds exclusiveMinimum at path '%s'"},
	{id: "EXCLUSIVE_MINIMUM_INCREASED", purpose: "A number's exclusiveMinimum must not increase.", msg: "The exclusiveMinimum at path '%s' is larger in the new schema than in the old schema"},
	{id: "MULTIPLE_OF_ADDED", purpose: "A number must not gain a multipleOf.", msg: "The new schema adds multipleOf at path '%s'"},
	{id: "MULTIPLE_OF_EXPANDED", purpose: "A multipleOf must not become a multiple of the old one (exact decimal arithmetic).", msg: "The multipleOf at path '%s' in the new schema is a multiple of the old one"},
	{id: "MULTIPLE_OF_CHANGED", purpose: "A multipleOf may only change to a divisor of the old one (exact decimal arithmetic).", msg: "The multipleOf at path '%s' in the new schema does not divide the old one"},

	{id: "REQUIRED_ATTRIBUTE_ADDED", purpose: "A property of both schemas must not become required unless the new schema gives it a default.",
		msg: "The property at path '%s' is required in the new schema, has no default, and was optional in the old schema"},
	{id: "MAX_PROPERTIES_ADDED", purpose: "An object must not gain a maxProperties.", msg: "The new schema adds maxProperties at path '%s'"},
	{id: "MAX_PROPERTIES_DECREASED", purpose: "An object's maxProperties must not decrease.", msg: "The maxProperties at path '%s' is smaller in the new schema than in the old schema"},
	{id: "MIN_PROPERTIES_ADDED", purpose: "An object must not gain a minProperties.", msg: "The new schema adds minProperties at path '%s'"},
	{id: "MIN_PROPERTIES_INCREASED", purpose: "An object's minProperties must not increase.", msg: "The minProperties at path '%s' is larger in the new schema than in the old schema"},
	{id: "ADDITIONAL_PROPERTIES_REMOVED", purpose: "additionalProperties must not become false. LENIENT: allowed.", lenient: true,
		msg: "The new schema forbids additional properties at path '%s' that the old schema allowed"},
	{id: "ADDITIONAL_PROPERTIES_NARROWED", purpose: "additionalProperties must not go from absent or true to a schema. LENIENT: allowed.", lenient: true,
		msg: "The new schema constrains additional properties at path '%s' that the old schema left unconstrained"},
	{id: "DEPENDENCY_ARRAY_ADDED", purpose: "A property dependency (dependencies or dependentRequired array) must not be added.", msg: "The new schema adds the property dependency at path '%s'"},
	{id: "DEPENDENCY_ARRAY_EXTENDED", purpose: "A property dependency must not gain names.", msg: "The property dependency at path '%s' has more names in the new schema than in the old schema"},
	{id: "DEPENDENCY_ARRAY_CHANGED", purpose: "A property dependency may only lose names.", msg: "The property dependency at path '%s' is different between the new schema and the old schema"},
	{id: "DEPENDENCY_SCHEMA_ADDED", purpose: "A schema dependency (dependencies or dependentSchemas schema) must not be added.", msg: "The new schema adds the schema dependency at path '%s'"},
	{id: "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", purpose: "A required property without default must not be added when the old object is open (under both policies).",
		msg: "The old schema has an open content model and the new schema adds the required property at path '%s' without a default"},
	{id: "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", purpose: "A required property with a default must not be added when the old object is open. LENIENT: allowed.", lenient: true,
		msg: "The old schema has an open content model and the new schema adds the required property at path '%s'"},
	{id: "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", purpose: "An optional property with a non-empty schema must not be added when the old object is open (Confluent 7.x: PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL). LENIENT: allowed.", lenient: true,
		msg: "The old schema has an open content model and the new schema adds the property at path '%s'"},
	{id: "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", purpose: "A required property without default must not be added when the old object is closed or partially open (under both policies).",
		msg: "The old schema has a closed or partially open content model and the new schema adds the required property at path '%s' without a default"},
	{id: "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", purpose: "A property must not be removed when the new object is closed, unless its old schema was false. LENIENT: allowed.", lenient: true,
		msg: "The new schema has a closed content model and removes the property at path '%s'"},
	{id: "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", purpose: "A property removed from a partially open new object must be readable by the schema that now governs it (patternProperties, additionalProperties or unevaluatedProperties). LENIENT: allowed.", lenient: true,
		msg: "The property at path '%s' is removed in the new schema and its old schema is not covered by the new partially open content model"},
	{id: "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", purpose: "A property added to a partially open old object must read what the schema that governed it allowed. LENIENT: allowed.", lenient: true,
		msg: "The new schema adds the property at path '%s', which does not cover what the old partially open content model allowed"},
	{id: "UNEVALUATED_PROPERTIES_REMOVED", purpose: "unevaluatedProperties must not become false. LENIENT: allowed.", lenient: true,
		msg: "The new schema forbids unevaluated properties at path '%s' that the old schema allowed"},
	{id: "UNEVALUATED_PROPERTIES_NARROWED", purpose: "unevaluatedProperties must not go from absent or true to a schema. LENIENT: allowed.", lenient: true,
		msg: "The new schema constrains unevaluated properties at path '%s' that the old schema left unconstrained"},

	{id: "MAX_ITEMS_ADDED", purpose: "An array must not gain a maxItems.", msg: "The new schema adds maxItems at path '%s'"},
	{id: "MAX_ITEMS_DECREASED", purpose: "An array's maxItems must not decrease.", msg: "The maxItems at path '%s' is smaller in the new schema than in the old schema"},
	{id: "MIN_ITEMS_ADDED", purpose: "An array must not gain a minItems.", msg: "The new schema adds minItems at path '%s'"},
	{id: "MIN_ITEMS_INCREASED", purpose: "An array's minItems must not increase.", msg: "The minItems at path '%s' is larger in the new schema than in the old schema"},
	{id: "MAX_CONTAINS_ADDED", purpose: "An array must not gain a maxContains.", msg: "The new schema adds maxContains at path '%s'"},
	{id: "MAX_CONTAINS_DECREASED", purpose: "An array's maxContains must not decrease.", msg: "The maxContains at path '%s' is smaller in the new schema than in the old schema"},
	{id: "MIN_CONTAINS_ADDED", purpose: "An array must not gain a minContains.", msg: "The new schema adds minContains at path '%s'"},
	{id: "MIN_CONTAINS_INCREASED", purpose: "An array's minContains must not increase.", msg: "The minContains at path '%s' is larger in the new schema than in the old schema"},
	{id: "UNIQUE_ITEMS_ADDED", purpose: "An array must not become uniqueItems.", msg: "The new schema requires unique items at path '%s'"},
	{id: "ADDITIONAL_ITEMS_REMOVED", purpose: "Items after a tuple must not become forbidden (additionalItems, or items after prefixItems, false). Not relaxed by LENIENT.",
		msg: "The new schema forbids additional items at path '%s' that the old schema allowed"},
	{id: "ADDITIONAL_ITEMS_NARROWED", purpose: "Items after a tuple must not go from unconstrained to a schema. Not relaxed by LENIENT.",
		msg: "The new schema constrains additional items at path '%s' that the old schema left unconstrained"},
	{id: "UNEVALUATED_ITEMS_REMOVED", purpose: "unevaluatedItems must not become false.", msg: "The new schema forbids unevaluated items at path '%s' that the old schema allowed"},
	{id: "UNEVALUATED_ITEMS_NARROWED", purpose: "unevaluatedItems must not go from absent or true to a schema.", msg: "The new schema constrains unevaluated items at path '%s' that the old schema left unconstrained"},
	{id: "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", purpose: "A tuple item with a non-empty schema must not be added when the old tuple allows any additional item. Not relaxed by LENIENT.",
		msg: "The old schema has an open content model and the new schema adds the item at path '%s'"},
	{id: "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", purpose: "A tuple item must not be removed when the new tuple forbids additional items, unless its old schema was false. Not relaxed by LENIENT.",
		msg: "The new schema has a closed content model and removes the item at path '%s'"},
	{id: "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", purpose: "A tuple item removed from a new tuple with an additional-items schema must be readable by that schema. Not relaxed by LENIENT.",
		msg: "The item at path '%s' is removed in the new schema and its old schema is not covered by the new additional-items schema"},
	{id: "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", purpose: "A tuple item added to an old tuple with an additional-items schema must read what that schema allowed. Not relaxed by LENIENT.",
		msg: "The new schema adds the item at path '%s', which does not cover what the old additional-items schema allowed"},

	{id: "ENUM_ARRAY_NARROWED", purpose: "An enum must not lose values.", msg: "The enum at path '%s' has fewer values in the new schema than in the old schema"},
	{id: "ENUM_ARRAY_CHANGED", purpose: "An enum may only gain values; a const must not change.", msg: "The enum or const at path '%s' is different between the new schema and the old schema"},

	{id: "COMBINED_TYPE_CHANGED", purpose: "allOf/anyOf/oneOf may only change to anyOf, between single-branch forms, from a single branch to oneOf, or from allOf to a single branch.",
		msg: "The combination keyword at path '%s' is different between the new schema and the old schema"},
	{id: "PRODUCT_TYPE_EXTENDED", purpose: "An allOf must not gain branches.", msg: "The allOf at path '%s' has more branches in the new schema than in the old schema"},
	{id: "SUM_TYPE_NARROWED", purpose: "An anyOf or oneOf must not lose branches.", msg: "The anyOf or oneOf at path '%s' has fewer branches in the new schema than in the old schema"},
	{id: "COMBINED_TYPE_SUBSCHEMAS_CHANGED", purpose: "The branches of two combined schemas must pair up one to one (maximum bipartite matching, not by position) with compatible branches.",
		msg: "The branches of the combined schema at path '%s' do not match the old schema's branches one to one"},
	{id: "NOT_TYPE_EXTENDED", purpose: "The schema inside not may only widen (the old not-schema must be readable by the new one).",
		msg: "The not schema at path '%s' excludes values in the new schema that the old schema allowed"},
}

var rulesByID = func() map[string]*rule {
	m := make(map[string]*rule, len(rules))
	for i := range rules {
		m[rules[i].id] = &rules[i]
	}
	return m
}()

// ruleMessage renders rule id's sentence for path.
func ruleMessage(id, path string) string {
	return fmt.Sprintf(rulesByID[id].msg, path)
}
