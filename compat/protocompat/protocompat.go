// Package protocompat parses Protobuf schemas.
package protocompat

import "github.com/charterhq/charter/compat"

// New returns the Protobuf format.
func New() compat.Format { return format{} }

type format struct{}
