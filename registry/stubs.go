package registry

import (
	"context"
	"errors"
)

// TODO(lead): bodies being written; signatures are final.
var errTODO = errors.New("not implemented yet")

func (s *Schemas) Register(ctx context.Context, subject Subject, req RegisterRequest) (SubjectSchema, error) {
	return SubjectSchema{}, errTODO
}

func (s *Schemas) Lookup(ctx context.Context, subject Subject, req LookupRequest) (SubjectSchema, error) {
	return SubjectSchema{}, errTODO
}

func (s *Schemas) SchemaByID(ctx context.Context, id SchemaID, opts IDOptions) (Schema, error) {
	return Schema{}, errTODO
}

func (s *Schemas) SubjectsByID(ctx context.Context, id SchemaID, opts IDOptions) ([]Subject, error) {
	return nil, errTODO
}

func (s *Schemas) VersionsByID(ctx context.Context, id SchemaID, opts IDOptions) ([]SubjectVersion, error) {
	return nil, errTODO
}

func (s *Schemas) ListSchemas(ctx context.Context, opts ListSchemasOptions) ([]SubjectSchema, error) {
	return nil, errTODO
}

func (s *Schemas) Subjects(ctx context.Context, opts SubjectsOptions) ([]Subject, error) {
	return nil, errTODO
}

func (s *Schemas) Versions(ctx context.Context, subject Subject, opts VersionsOptions) ([]SubjectVersion, error) {
	return nil, errTODO
}

func (s *Schemas) Version(ctx context.Context, subject Subject, v Version, deleted bool) (SubjectSchema, error) {
	return SubjectSchema{}, errTODO
}

func (s *Schemas) ReferencedBy(ctx context.Context, subject Subject, v Version, deleted bool) ([]SchemaID, error) {
	return nil, errTODO
}

func (s *Schemas) DeleteSubject(ctx context.Context, subject Subject, permanent bool) ([]Version, error) {
	return nil, errTODO
}

func (s *Schemas) DeleteVersion(ctx context.Context, subject Subject, v Version, permanent bool) (Version, error) {
	return 0, errTODO
}

// CheckCompatibility checks req against version v of subject, or, when v is
// 0, against the versions registration would check.
func (s *Schemas) CheckCompatibility(ctx context.Context, subject Subject, v Version, req SchemaRequest, normalize bool) (CompatibilityResult, error) {
	return CompatibilityResult{}, errTODO
}

func (s *Schemas) Config(ctx context.Context, scope Subject, defaultToGlobal bool) (Config, error) {
	return Config{}, errTODO
}

func (s *Schemas) SetConfig(ctx context.Context, scope Subject, u ConfigUpdate) (Config, error) {
	return Config{}, errTODO
}

func (s *Schemas) DeleteConfig(ctx context.Context, scope Subject) (Config, error) {
	return Config{}, errTODO
}

func (s *Schemas) Mode(ctx context.Context, scope Subject, defaultToGlobal bool) (Mode, error) {
	return "", errTODO
}

func (s *Schemas) SetMode(ctx context.Context, scope Subject, mode string, force bool) (Mode, error) {
	return "", errTODO
}

func (s *Schemas) DeleteMode(ctx context.Context, scope Subject, recursive bool) (Mode, error) {
	return "", errTODO
}

func (s *Schemas) Contexts(ctx context.Context) ([]Context, error) { return nil, errTODO }

func (s *Schemas) DeleteContext(ctx context.Context, c Context) error { return errTODO }
