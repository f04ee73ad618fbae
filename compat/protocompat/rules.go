package protocompat

// Rule sets selectable with compat.Options.RuleSet.
const (
	setConfluent = ""          // Confluent's SchemaDiff (the default)
	setWire      = "WIRE"      // buf's WIRE category
	setWireJSON  = "WIRE_JSON" // buf's WIRE_JSON category
)

// Rule IDs of the Confluent rule set: Confluent's Difference.Type names for
// the differences its COMPATIBLE_CHANGES list does not allow.
const (
	rulePackageChanged            = "PACKAGE_CHANGED"
	ruleMessageRemoved            = "MESSAGE_REMOVED"
	ruleFieldKindChanged          = "FIELD_KIND_CHANGED"
	ruleFieldScalarKindChanged    = "FIELD_SCALAR_KIND_CHANGED"
	ruleFieldNamedTypeChanged     = "FIELD_NAMED_TYPE_CHANGED"
	ruleFieldNumericLabelChanged  = "FIELD_NUMERIC_LABEL_CHANGED"
	ruleRequiredFieldAdded        = "REQUIRED_FIELD_ADDED"
	ruleRequiredFieldRemoved      = "REQUIRED_FIELD_REMOVED"
	ruleOneofFieldRemoved         = "ONEOF_FIELD_REMOVED"
	ruleMultipleFieldsMovedToOneo = "MULTIPLE_FIELDS_MOVED_TO_ONEOF"
	ruleFieldMovedToExistingOneof = "FIELD_MOVED_TO_EXISTING_ONEOF"
)

// Rule IDs of the WIRE and WIRE_JSON rule sets: buf's breaking rule IDs.
const (
	ruleFileSamePackage                      = "FILE_SAME_PACKAGE"
	ruleFieldSameDefault                     = "FIELD_SAME_DEFAULT"
	ruleFieldSameOneof                       = "FIELD_SAME_ONEOF"
	ruleMessageSameRequiredFields            = "MESSAGE_SAME_REQUIRED_FIELDS"
	ruleReservedEnumNoDelete                 = "RESERVED_ENUM_NO_DELETE"
	ruleReservedMessageNoDelete              = "RESERVED_MESSAGE_NO_DELETE"
	ruleRPCSameClientStreaming               = "RPC_SAME_CLIENT_STREAMING"
	ruleRPCSameIdempotencyLevel              = "RPC_SAME_IDEMPOTENCY_LEVEL"
	ruleRPCSameRequestType                   = "RPC_SAME_REQUEST_TYPE"
	ruleRPCSameResponseType                  = "RPC_SAME_RESPONSE_TYPE"
	ruleRPCSameServerStreaming               = "RPC_SAME_SERVER_STREAMING"
	ruleEnumValueNoDeleteUnlessNumberReserve = "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED"
	ruleFieldNoDeleteUnlessNumberReserved    = "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED"
	ruleFieldWireCompatibleCardinality       = "FIELD_WIRE_COMPATIBLE_CARDINALITY"
	ruleFieldWireCompatibleType              = "FIELD_WIRE_COMPATIBLE_TYPE"
	ruleEnumSameJSONFormat                   = "ENUM_SAME_JSON_FORMAT"
	ruleEnumValueSameName                    = "ENUM_VALUE_SAME_NAME"
	ruleFieldSameJSONName                    = "FIELD_SAME_JSON_NAME"
	ruleFieldSameName                        = "FIELD_SAME_NAME"
	ruleMessageSameJSONFormat                = "MESSAGE_SAME_JSON_FORMAT"
	ruleEnumValueNoDeleteUnlessNameReserved  = "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED"
	ruleFieldNoDeleteUnlessNameReserved      = "FIELD_NO_DELETE_UNLESS_NAME_RESERVED"
	ruleFieldWireJSONCompatibleCardinality   = "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY"
	ruleFieldWireJSONCompatibleType          = "FIELD_WIRE_JSON_COMPATIBLE_TYPE"
)

// rule documents one check and the rule sets it belongs to.
type rule struct {
	id      string
	purpose string
	sets    []string
}

var (
	confluentOnly = []string{setConfluent}
	wireBoth      = []string{setWire, setWireJSON}
	wireOnly      = []string{setWire}
	wireJSONOnly  = []string{setWireJSON}
)

// rules is the rule table, in a stable order: Confluent's rules, then buf's
// WIRE rules, then the rules only WIRE_JSON adds.
var rules = []rule{
	{rulePackageChanged, "The package must not change (Confluent: PACKAGE_CHANGED).", confluentOnly},
	{ruleMessageRemoved, "Every message of the old schema, top-level or nested and matched by its package-relative name, must still exist: the wire format addresses messages by index, so a message added in the new schema fails FORWARD through this rule.", confluentOnly},
	{ruleFieldKindChanged, "A field (matched by number) must keep its kind: scalar (enums count as scalars), message or map.", confluentOnly},
	{ruleFieldScalarKindChanged, "A scalar field must stay in its wire group: {int32, int64, uint32, uint64, bool, enums}, {sint32, sint64}, {string, bytes}, {fixed32, sfixed32}, {fixed64, sfixed64}, {float}, {double}; map keys and values likewise.", confluentOnly},
	{ruleFieldNamedTypeChanged, "A message-typed field must keep its type's package-relative name; a type from an import that changed is compared structurally and must be compatible.", confluentOnly},
	{ruleFieldNumericLabelChanged, "A numeric scalar or enum field must not change between singular and repeated (string, bytes and message fields may).", confluentOnly},
	{ruleRequiredFieldAdded, "No required field may be added, and no field may become required.", confluentOnly},
	{ruleRequiredFieldRemoved, "No required field may be removed, and no required field may become optional.", confluentOnly},
	{ruleOneofFieldRemoved, "A field must not be removed from a oneof that keeps other fields (deleting a whole oneof with all its fields is allowed); a field added to a oneof fails FORWARD through this rule.", confluentOnly},
	{ruleMultipleFieldsMovedToOneo, "At most one existing field may move into a new oneof.", confluentOnly},
	{ruleFieldMovedToExistingOneof, "An existing field must not move into an existing oneof, and existing oneofs must not be merged.", confluentOnly},

	{ruleFileSamePackage, "The package must not change (buf FILE_SAME_PACKAGE).", wireBoth},
	{ruleFieldSameDefault, "A field must keep its default value (explicit, or the type's zero value).", wireBoth},
	{ruleFieldSameOneof, "A field must stay in the same oneof, or stay outside any oneof.", wireBoth},
	{ruleMessageSameRequiredFields, "A message must keep the same set of required field numbers.", wireBoth},
	{ruleReservedEnumNoDelete, "An enum's reserved numbers and names must stay reserved.", wireBoth},
	{ruleReservedMessageNoDelete, "A message's reserved numbers and names must stay reserved.", wireBoth},
	{ruleRPCSameClientStreaming, "A method must keep its client streaming mode.", wireBoth},
	{ruleRPCSameIdempotencyLevel, "A method must keep its idempotency level.", wireBoth},
	{ruleRPCSameRequestType, "A method must keep its request type.", wireBoth},
	{ruleRPCSameResponseType, "A method must keep its response type.", wireBoth},
	{ruleRPCSameServerStreaming, "A method must keep its server streaming mode.", wireBoth},
	{ruleEnumValueNoDeleteUnlessNumberReserve, "An enum value may only be deleted if its number is reserved.", wireBoth},
	{ruleFieldNoDeleteUnlessNumberReserved, "A field may only be deleted if its number is reserved.", wireBoth},
	{ruleFieldWireCompatibleCardinality, "A field must keep its wire cardinality: optional (implicit or explicit presence), required, or repeated (maps count as repeated).", wireOnly},
	{ruleFieldWireCompatibleType, "A field's type must stay wire compatible: {int32, int64, uint32, uint64, bool}, {sint32, sint64}, {fixed32, sfixed32}, {fixed64, sfixed64}, string to bytes; the same message; an enum only for one with the same short name and a superset of values.", wireOnly},
	{ruleEnumSameJSONFormat, "An enum that supported JSON must keep supporting it (json_format ALLOW).", wireJSONOnly},
	{ruleEnumValueSameName, "An enum value number must keep its name(s).", wireJSONOnly},
	{ruleFieldSameJSONName, "A field must keep its JSON name.", wireJSONOnly},
	{ruleFieldSameName, "A field must keep its name.", wireJSONOnly},
	{ruleMessageSameJSONFormat, "A message that supported JSON must keep supporting it (json_format ALLOW).", wireJSONOnly},
	{ruleEnumValueNoDeleteUnlessNameReserved, "An enum value may only be deleted if its name is reserved.", wireJSONOnly},
	{ruleFieldNoDeleteUnlessNameReserved, "A field may only be deleted if its name is reserved.", wireJSONOnly},
	{ruleFieldWireJSONCompatibleCardinality, "A field must keep its cardinality for binary and JSON: optional, required, repeated or map.", wireJSONOnly},
	{ruleFieldWireJSONCompatibleType, "A field's type must stay compatible for binary and JSON: {int32, uint32}, {int64, uint64}, {fixed32, sfixed32}, {fixed64, sfixed64}, otherwise the same type; enums and messages as for FIELD_WIRE_COMPATIBLE_TYPE.", wireJSONOnly},
}
