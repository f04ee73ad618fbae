// Package avrocompat parses Avro schemas, computes their canonical forms and
// checks reader/writer compatibility with Confluent's rules.
package avrocompat

import "github.com/charterhq/charter/compat"

// New returns the Avro format. (Placeholder: being implemented.)
func New() compat.Format { return nil }
