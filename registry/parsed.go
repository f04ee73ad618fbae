package registry

import (
	"context"

	"github.com/charterhq/charter/compat"
)

// ParsedByID returns schema id (resolved as SchemaByID does) together with
// its parsed form, references resolved, for format-specific views such as
// a JSON Schema bundle or a Protobuf descriptor set. The parse is cached.
//
// Kinds: SchemaNotFound.
func (s *Schemas) ParsedByID(ctx context.Context, id SchemaID, opts IDOptions) (Schema, compat.Schema, error) {
	c, sc, err := s.schemaByID(ctx, id, opts)
	if err != nil {
		return Schema{}, nil, err
	}
	p, err := s.parsedIn(ctx, c, sc)
	return sc, p, err
}

// ParsedVersion is Version with the parsed schema.
//
// Kinds: SubjectNotFound, VersionNotFound.
func (s *Schemas) ParsedVersion(ctx context.Context, subject Subject, v Version, deleted bool) (SubjectSchema, compat.Schema, error) {
	ss, err := s.Version(ctx, subject, v, deleted)
	if err != nil {
		return SubjectSchema{}, nil, err
	}
	p, err := s.parsedIn(ctx, subject.Context(), ss.Schema)
	return ss, p, err
}

func (s *Schemas) parsedIn(ctx context.Context, c Context, sc Schema) (compat.Schema, error) {
	if p, ok := s.parsed.Load(parsedKey{c, sc.ID}); ok {
		return p.(compat.Schema), nil
	}
	var p compat.Schema
	err := s.view(ctx, "registry.Schemas.Parsed", func(tx Tx) error {
		var err error
		p, err = s.parsedStored(tx, c, sc)
		return err
	})
	return p, err
}

func isQualified(s Subject) bool { return len(s) > 1 && s[0] == ':' && s[1] == '.' }
