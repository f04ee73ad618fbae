// Package protocompat parses Protobuf schemas, computes their canonical and
// normalized texts, checks reader/writer compatibility with Confluent's
// rules or buf's WIRE and WIRE_JSON rules, and provides what Confluent's
// Protobuf wire format needs (descriptor sets, message indexes).
//
// # Parsing
//
// [New] returns a [compat.Format]. Parse compiles the text with
// github.com/bufbuild/protocompile, using a fresh compiler per call whose
// resolver knows only: the schema itself (as "schema.proto"), each
// reference by its Name (the import path) with its Text, protocompile's
// standard imports (google/protobuf/*.proto), and the other files
// Confluent resolves without a reference: google/type/{calendar_period,
// color, date, datetime, dayofweek, decimal, expr, fraction, interval,
// latlng, money, month, phone_number, postal_address, quaternion,
// timeofday}.proto, confluent/meta.proto and confluent/type/decimal.proto.
// Those are minimal equivalents embedded in this package (known/), with
// the messages, enums, extensions and field numbers users rely on. A
// reference with the same name as a built-in file wins. An unresolvable
// import fails with an error naming it ("unresolved import
// \"common/money.proto\""), as do import cycles and every other compile
// error (with line and column); all wrap [compat.ErrInvalidSchema].
// confluent/type/variant.proto is not provided (its shape is not
// documented); importing it needs a reference.
//
// Text that does not compile, contains no whitespace, ';' or '{', decodes
// as base64 (standard or URL alphabet, padded or not) and unmarshals as a
// google.protobuf.FileDescriptorProto with at least one element is taken
// as a serialized descriptor, which Confluent's JavaScript and .NET serdes
// register. It is linked against the same resolver, printed as .proto text
// (see below), and that text is then parsed as if it had been given: a
// schema registered as a descriptor and the same schema registered as text
// are the same schema. Parse never panics (a panic inside protocompile is
// turned into an invalid-schema error) and rejects texts over 8 MiB.
//
// A parsed schema keeps its file and its transitive dependencies as
// descriptor protos (without source info or AST), the source position of
// each element, and the type names as the source spelled them.
//
// # Canonical form
//
// Canonical returns the file re-printed from its descriptor, in this
// order: the syntax (or edition) line; package; imports in declaration
// order (with public/weak); file options; then all messages in
// declaration order; then enums; then services; then top-level extend
// blocks (one per run of consecutive extensions with the same extendee).
// Inside a message: options; fields in declaration order, with oneofs
// printed where their first field is, map fields as map<K, V> and proto2
// groups inline; reserved ranges, then reserved names; extension ranges;
// nested messages (map entries and groups excluded), nested enums, nested
// extend blocks. Two spaces indent, one blank line between top-level
// elements, comments and original whitespace are dropped. Type names are
// kept as the source wrote them ("Line", ".acme.Line"); a schema given as a
// descriptor has fully qualified names. Options are printed from the
// compiled descriptor, not as written: standard options by field number,
// then custom options by full name as "(.full.name)", one assignment per
// element of a repeated option, message values as text-format literals
// with fields by number, map entries by key; a field's default and
// json_name come first in its brackets, and json_name only when it differs
// from the default JSON name. Numbers are printed in decimal, floats in
// shortest form (inf, -inf, nan), strings with C escapes for quotes,
// backslashes and control characters (non-ASCII UTF-8 is kept), bytes with
// octal escapes for every non-printable byte.
//
// Parse(Canonical()) gives the same canonical text and the same
// descriptors. Because fields are printed before nested messages, the
// nested types of a message are ordered as a re-parse of the canonical
// text orders them: map entries and groups first (in field order), then
// declared nested messages, then groups declared by extensions. Parse
// applies this order to the descriptors it keeps, so DescriptorSet,
// Serialized and MessageIndexes agree with what a consumer that parses the
// stored canonical text sees. Top-level messages keep their declaration
// order, which Confluent's wire format relies on. A producer that compiled
// a source where a map field follows a nested message declaration numbers
// that message differently (protoc puts the map entry where the field is);
// Confluent's canonical text has the same property.
//
// # Normalized form
//
// Normalized returns the canonical text with Confluent's normalizations:
// imports sorted by path and de-duplicated; every type reference (field
// types, map values, extendees, method input and output) fully qualified
// with a leading dot; the `syntax = "proto2";` line dropped (proto2 is the
// default; kept when the file would otherwise be empty). Options are
// already canonical and sorted in both forms, and map<> shorthand is used
// in both. Message order is kept, since clients compute message indexes
// against it. Two texts that differ only in whitespace, comments, type
// name spelling, import order or option order have the same normalized
// text; any semantic difference (an option, a json_name, a reserved range,
// a top-level extend, message order, ...) changes both texts.
//
// # Compatibility
//
// Check(reader, writer, opts) reports what prevents reader from reading
// data written with writer; the registry calls it with (new, old) for
// BACKWARD and (old, new) for FORWARD, so findings say "new" for the reader
// and "old" for the writer. opts.RuleSet selects the rules:
//
//   - "" (or "CONFLUENT"): Confluent's SchemaDiff, re-implemented from its
//     documented behaviour (compat-rules.md §3.1): the old file is diffed
//     against the new one and only Confluent's compatible changes pass.
//     Messages are matched by package-relative name, fields by number
//     (renumbering is a removal plus an addition, both allowed), enums and
//     enum values are not checked, and enums count as int32-like scalars.
//     Message-typed fields compare package-relative type names; when the
//     type comes from an import on either side and the import is not the
//     same unchanged file, the imported messages are compared structurally
//     (recursively, cycles assumed compatible) and any incompatibility is
//     FIELD_NAMED_TYPE_CHANGED. Adding a message fails FORWARD because the
//     reverse diff reports MESSAGE_REMOVED; adding a field to a oneof fails
//     FORWARD as ONEOF_FIELD_REMOVED. The syntax, options, json_name,
//     defaults, reserved ranges, services and extensions are not checked,
//     as in Confluent; a syntax change is not reported (Confluent's
//     difference types have no SYNTAX_CHANGED).
//   - "WIRE" and "WIRE_JSON": buf's breaking categories of those names
//     (compat-rules.md §3.4), with buf's rule IDs. Messages, enums and
//     services of the schema's own file are matched by full name, fields
//     and enum values by number, methods by name; elements only the writer
//     has are not reported except as the rules say (deleted fields and
//     enum values must be reserved). As in buf, message and enum deletion
//     are not part of these categories.
//
// See rules.go for the rule table; Rules lists every rule of the three
// sets, each Purpose naming its set. Every finding carries the rule
// ID, the element's full name as Path ("acme.Order.id"; enum values as
// "acme.Status.STATUS_OPEN", oneofs as "acme.Order.payment", the package
// for package rules), a one-sentence Message, and File/Line/Column of the
// element in the reader schema, or in the writer schema when the reader
// lacks it (the message then says so). File is "schema.proto", the name
// the schema has among its imports. All findings are reported, in walk
// order.
//
// # Wire format
//
// [DescriptorSet] returns a self-contained FileDescriptorSet for
// GET /schemas/ids/{id}/descriptor, [Serialized] the base64
// FileDescriptorProto for format=serialized, [MessageIndexes] the index
// path of a message, and [AppendMessageIndexes] its encoding in
// Confluent's framing.
package protocompat

import "github.com/charterhq/charter/compat"

// New returns the Protobuf format.
func New() compat.Format { return format{} }

type format struct{}
