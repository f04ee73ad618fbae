package avrocompat

import (
	"github.com/hamba/avro/v2"

	"github.com/charterhq/charter/compat"
)

// HambaSchema parses s with hamba/avro (fresh cache, references first).
func HambaSchema(s compat.Schema) (avro.Schema, error) {
	return s.(*schema).hambaSchema()
}
