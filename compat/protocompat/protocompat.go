// Package protocompat parses Protobuf schemas. (Full doc below.)
package protocompat

import (
	"fmt"

	"github.com/charterhq/charter/compat"
)

// New returns the Protobuf format.
func New() compat.Format { return format{} }

type format struct{}

func asSchema(s compat.Schema, role string) (*schema, error) {
	ps, ok := s.(*schema)
	if !ok || ps == nil {
		return nil, fmt.Errorf("protocompat: %s schema %T was not parsed by this package", role, s)
	}
	return ps, nil
}

// Check implements [compat.Checker].
func (format) Check(reader, writer compat.Schema, opts compat.Options) ([]compat.Finding, error) {
	r, err := asSchema(reader, "reader")
	if err != nil {
		return nil, err
	}
	w, err := asSchema(writer, "writer")
	if err != nil {
		return nil, err
	}
	_ = r
	_ = w
	return nil, nil
}

// Rules implements [compat.Checker].
func (format) Rules() []compat.Rule { return nil }

type index struct{}
