package registry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/inmem"
)

func newSchemas(t testing.TB) (*registry.Schemas, *inmem.Store) {
	t.Helper()
	st := inmem.New()
	t.Cleanup(func() { st.Close() })
	return registry.NewSchemas(registry.Options{Store: st}), st
}

// record builds an Avro record schema with the given extra field JSON.
func record(name string, fields ...string) string {
	return fmt.Sprintf(`{"type":"record","name":%q,"fields":[{"name":"id","type":"string"}%s]}`,
		name, prefixComma(fields))
}

func prefixComma(fs []string) string {
	if len(fs) == 0 {
		return ""
	}
	return "," + strings.Join(fs, ",")
}

func mustRegister(t testing.TB, s *registry.Schemas, subject string, schema string) registry.SubjectSchema {
	t.Helper()
	ss, err := s.Register(context.Background(), registry.Subject(subject),
		registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: schema}})
	if err != nil {
		t.Fatalf("register %s: %v", subject, err)
	}
	return ss
}

func wantKind(t *testing.T, err error, want registry.Kind) {
	t.Helper()
	if got := registry.KindOf(err); err == nil || got != want {
		t.Fatalf("error = %v (kind %v), want kind %v", err, got, want)
	}
}

func TestSchemas_Register(t *testing.T) {
	ctx := context.Background()
	t.Run("NewSchemaGetsIDAndVersionOne", func(t *testing.T) {
		s, _ := newSchemas(t)
		ss := mustRegister(t, s, "orders-value", record("Order"))
		if ss.Schema.ID != 1 || ss.Version != 1 {
			t.Fatalf("got id %d version %d, want 1 1", ss.Schema.ID, ss.Version)
		}
		if ss.Schema.GUID() == "" || ss.Schema.Type != registry.Avro {
			t.Fatalf("guid %q type %q", ss.Schema.GUID(), ss.Schema.Type)
		}
	})
	t.Run("IdenticalSchemaReturnsExistingIDAndVersion", func(t *testing.T) {
		s, _ := newSchemas(t)
		a := mustRegister(t, s, "s", record("A"))
		// Whitespace differs, canonical form does not.
		b := mustRegister(t, s, "s", strings.ReplaceAll(record("A"), ",", " , "))
		if a.Schema.ID != b.Schema.ID || a.Version != b.Version {
			t.Fatalf("re-register: %v then %v", a, b)
		}
		vs, _ := s.Versions(ctx, "s", registry.VersionsOptions{})
		if len(vs) != 1 {
			t.Fatalf("versions = %v, want one", vs)
		}
	})
	t.Run("SameContentOtherSubjectSharesID", func(t *testing.T) {
		s, _ := newSchemas(t)
		a := mustRegister(t, s, "a", record("A"))
		b := mustRegister(t, s, "b", record("A"))
		if a.Schema.ID != b.Schema.ID || b.Version != 1 {
			t.Fatalf("a %v b %v", a, b)
		}
	})
	t.Run("CompatibleEvolutionGetsNextVersionAndNewID", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", record("A"))
		b := mustRegister(t, s, "s", record("A", `{"name":"n","type":"int","default":0}`))
		if b.Version != 2 || b.Schema.ID != 2 {
			t.Fatalf("got %v", b)
		}
	})
	t.Run("ReRegisteringOldSchemaReturnsOldVersion", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", record("A"))
		mustRegister(t, s, "s", record("A", `{"name":"n","type":"int","default":0}`))
		again := mustRegister(t, s, "s", record("A"))
		if again.Version != 1 {
			t.Fatalf("got version %d, want 1 (confluentinc/schema-registry#1685)", again.Version)
		}
	})
	t.Run("ErrIncompatibleListsFindings", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", record("A"))
		_, err := s.Register(ctx, "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{
			Schema: record("A", `{"name":"n","type":"int"}`)}})
		wantKind(t, err, registry.Incompatible)
		var e *registry.Error
		errors.As(err, &e)
		if len(e.Findings) == 0 || e.Findings[0].Rule != "READER_FIELD_MISSING_DEFAULT_VALUE" {
			t.Fatalf("findings = %v", e.Findings)
		}
		for _, want := range []string{`subject "s"`, "errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'", "{oldSchemaVersion: 1}", "compatibility: 'BACKWARD'"} {
			if !strings.Contains(e.Message, want) {
				t.Errorf("message %q lacks %q", e.Message, want)
			}
		}
	})
	t.Run("ForceSkipsCompatibility", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", record("A"))
		_, err := s.Register(ctx, "s", registry.RegisterRequest{Force: true, SchemaRequest: registry.SchemaRequest{
			Schema: record("A", `{"name":"n","type":"int"}`)}})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SoftDeletedVersionsAreNotChecked", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", `"string"`)
		if _, err := s.DeleteVersion(ctx, "s", 1, false); err != nil {
			t.Fatal(err)
		}
		ss := mustRegister(t, s, "s", `"int"`)
		if ss.Version != 2 {
			t.Fatalf("version = %d, want 2 (numbering counts soft-deleted versions)", ss.Version)
		}
	})
	t.Run("NumberingRestartsAfterPermanentDelete", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", `"string"`)
		s.DeleteSubject(ctx, "s", false)
		if _, err := s.DeleteSubject(ctx, "s", true); err != nil {
			t.Fatal(err)
		}
		ss := mustRegister(t, s, "s", `"string"`)
		if ss.Version != 1 || ss.Schema.ID != 1 {
			t.Fatalf("got %v, want version 1 with the same id 1", ss)
		}
	})
}

func TestSchemas_Register_BadInput(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	mustRegister(t, s, "existing", record("A"))
	tests := []struct {
		name    string
		subject string
		req     registry.RegisterRequest
		want    registry.Kind
	}{
		{"fail_invalid_avro", "s", req(`{"type":"record"}`), registry.InvalidSchema},
		{"fail_not_json", "s", req(`{`), registry.InvalidSchema},
		{"fail_empty_schema_new_subject", "s", req(``), registry.InvalidSchema},
		{"fail_unknown_type", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`, Type: "XML"}}, registry.InvalidSchema},
		{"fail_invalid_protobuf", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `syntax = "proto3"; message {`, Type: "PROTOBUF"}}, registry.InvalidSchema},
		{"fail_protobuf_missing_import", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `syntax = "proto3"; import "other.proto"; message A { Other o = 1; }`, Type: "PROTOBUF"}}, registry.InvalidSchema},
		{"fail_invalid_json_schema", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `{"type":"nonsense"}`, Type: "JSON"}}, registry.InvalidSchema},
		{"fail_control_char_subject", "a\x01b", req(`"int"`), registry.InvalidSubject},
		{"fail_reserved_subject", "__GLOBAL", req(`"int"`), registry.InvalidSubject},
		{"fail_missing_reference", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`,
			References: []registry.Reference{{Name: "x", Subject: "nope", Version: 1}}}}, registry.InvalidSchema},
		{"fail_missing_reference_version", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`,
			References: []registry.Reference{{Name: "A", Subject: "existing", Version: 7}}}}, registry.InvalidSchema},
		{"fail_bad_rule_name", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`,
			RuleSet: &registry.RuleSet{DomainRules: []registry.Rule{{Name: "1bad", Type: "CEL"}}}}}, registry.InvalidRuleSet},
		{"fail_duplicate_rule", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`,
			RuleSet: &registry.RuleSet{DomainRules: []registry.Rule{{Name: "a", Type: "CEL"}}, MigrationRules: []registry.Rule{{Name: "a", Type: "JSONATA"}}}}}, registry.InvalidRuleSet},
		{"fail_rule_mode", "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`,
			RuleSet: &registry.RuleSet{DomainRules: []registry.Rule{{Name: "a", Type: "CEL", Mode: "UPGRADE"}}}}}, registry.InvalidRuleSet},
		{"fail_explicit_id_outside_import", "s", registry.RegisterRequest{ExplicitID: true, ID: 9, SchemaRequest: registry.SchemaRequest{Schema: `"int"`}}, registry.OperationNotPermitted},
		{"fail_version_not_next", "s", registry.RegisterRequest{Version: 5, SchemaRequest: registry.SchemaRequest{Schema: `"int"`}}, registry.InvalidSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Register(ctx, registry.Subject(tt.subject), tt.req)
			wantKind(t, err, tt.want)
		})
	}
	// Nothing was stored by any of them.
	subs, _ := s.Subjects(ctx, registry.SubjectsOptions{Deleted: true})
	if len(subs) != 1 || subs[0] != "existing" {
		t.Fatalf("subjects after bad input = %v", subs)
	}
}

func req(schema string) registry.RegisterRequest {
	return registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{Schema: schema}}
}

func TestSchemas_Levels(t *testing.T) {
	ctx := context.Background()
	v1 := record("A")
	withDefault := record("A", `{"name":"n","type":"int","default":0}`)
	withoutDefault := record("A", `{"name":"n","type":"int"}`)
	tests := []struct {
		level registry.Compatibility
		next  string
		ok    bool
	}{
		{registry.CompatBackward, withDefault, true},
		{registry.CompatBackward, withoutDefault, false},
		{registry.CompatForward, withoutDefault, true},
		{registry.CompatForward, `"string"`, false},
		{registry.CompatFull, withDefault, true},
		{registry.CompatFull, withoutDefault, false},
		{registry.CompatNone, `"int"`, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%v", tt.level, tt.ok), func(t *testing.T) {
			s, _ := newSchemas(t)
			mustRegister(t, s, "s", v1)
			lvl := string(tt.level)
			if _, err := s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Val(lvl)}); err != nil {
				t.Fatal(err)
			}
			_, err := s.Register(ctx, "s", req(tt.next))
			if tt.ok != (err == nil) {
				t.Fatalf("register under %s: err = %v, want ok=%v", tt.level, err, tt.ok)
			}
		})
	}
	t.Run("TransitiveChecksEveryLiveVersion", func(t *testing.T) {
		for _, level := range []registry.Compatibility{registry.CompatBackward, registry.CompatBackwardTransitive} {
			s, _ := newSchemas(t)
			s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Val(string(registry.CompatNone))})
			mustRegister(t, s, "s", record("A", `{"name":"x","type":"int"}`))
			mustRegister(t, s, "s", record("A"))
			s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Val(string(level))})
			// Reads v2 fine, but not v1's "x" int as a string.
			_, err := s.Register(ctx, "s", req(record("A", `{"name":"x","type":"string","default":""}`)))
			if transitive := level.Transitive(); transitive != (err != nil) {
				t.Errorf("%s: err = %v", level, err)
			}
		}
	})
}

func TestSchemas_CheckCompatibility(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	res, err := s.CheckCompatibility(ctx, "missing", registry.VersionLatest, registry.SchemaRequest{Schema: `"int"`}, false)
	if err != nil || !res.Compatible {
		t.Fatalf("missing subject: %v %v, want compatible", res, err)
	}
	mustRegister(t, s, "s", record("A"))
	res, _ = s.CheckCompatibility(ctx, "s", 1, registry.SchemaRequest{Schema: record("A", `{"name":"n","type":"int"}`)}, false)
	if res.Compatible || len(res.Messages) == 0 {
		t.Fatalf("got %+v, want incompatible with messages", res)
	}
	_, err = s.CheckCompatibility(ctx, "s", 9, registry.SchemaRequest{Schema: `"int"`}, false)
	wantKind(t, err, registry.VersionNotFound)
	_, err = s.CheckCompatibility(ctx, "s", 0, registry.SchemaRequest{Schema: `{"type":`}, false)
	wantKind(t, err, registry.InvalidSchema)
}

func TestSchemas_Lookup(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	mustRegister(t, s, "s", record("A"))
	got, err := s.Lookup(ctx, "s", registry.LookupRequest{SchemaRequest: registry.SchemaRequest{Schema: record("A")}})
	if err != nil || got.Version != 1 || got.Schema.ID != 1 {
		t.Fatalf("lookup = %v, %v", got, err)
	}
	_, err = s.Lookup(ctx, "s", registry.LookupRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`}})
	wantKind(t, err, registry.SchemaNotFound)
	_, err = s.Lookup(ctx, "nope", registry.LookupRequest{SchemaRequest: registry.SchemaRequest{Schema: `"int"`}})
	wantKind(t, err, registry.SubjectNotFound)
	s.DeleteVersion(ctx, "s", 1, false)
	_, err = s.Lookup(ctx, "s", registry.LookupRequest{SchemaRequest: registry.SchemaRequest{Schema: record("A")}})
	wantKind(t, err, registry.SubjectNotFound)
	if _, err = s.Lookup(ctx, "s", registry.LookupRequest{Deleted: true, SchemaRequest: registry.SchemaRequest{Schema: record("A")}}); err != nil {
		t.Fatal(err)
	}
}

// TestSchemas_DeleteStateMachine walks the table of spec §4.4.
func TestSchemas_DeleteStateMachine(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	mustRegister(t, s, "s", `"string"`)
	mustRegister(t, s, "s", `"bytes"`)
	steps := []struct {
		name      string
		do        func() error
		want      registry.Kind // Internal means success
		readV1    registry.Kind // reading version 1 without deleted=true afterwards
		byIDFound bool
	}{
		{"permanent_delete_live_version", func() error { _, err := s.DeleteVersion(ctx, "s", 1, true); return err }, registry.VersionNotSoftDeleted, registry.Internal, true},
		{"soft_delete_version", func() error { _, err := s.DeleteVersion(ctx, "s", 1, false); return err }, registry.Internal, registry.VersionNotFound, true},
		{"soft_delete_again", func() error { _, err := s.DeleteVersion(ctx, "s", 1, false); return err }, registry.VersionSoftDeleted, registry.VersionNotFound, true},
		{"permanent_delete_soft_deleted", func() error { _, err := s.DeleteVersion(ctx, "s", 1, true); return err }, registry.Internal, registry.VersionNotFound, false},
		{"permanent_delete_tombstoned", func() error { _, err := s.DeleteVersion(ctx, "s", 1, true); return err }, registry.VersionNotFound, registry.VersionNotFound, false},
		{"permanent_delete_live_subject", func() error { _, err := s.DeleteSubject(ctx, "s", true); return err }, registry.SubjectNotSoftDeleted, registry.VersionNotFound, false},
		{"soft_delete_subject", func() error { _, err := s.DeleteSubject(ctx, "s", false); return err }, registry.Internal, registry.SubjectNotFound, false},
		{"soft_delete_subject_again", func() error { _, err := s.DeleteSubject(ctx, "s", false); return err }, registry.SubjectSoftDeleted, registry.SubjectNotFound, false},
		{"permanent_delete_subject", func() error { _, err := s.DeleteSubject(ctx, "s", true); return err }, registry.Internal, registry.SubjectNotFound, false},
		{"delete_unknown_subject", func() error { _, err := s.DeleteSubject(ctx, "s", false); return err }, registry.SubjectNotFound, registry.SubjectNotFound, false},
	}
	for _, st := range steps {
		err := st.do()
		if st.want == registry.Internal && err != nil || st.want != registry.Internal && registry.KindOf(err) != st.want {
			t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
		}
		_, err = s.Version(ctx, "s", 1, false)
		if st.readV1 == registry.Internal && err != nil || st.readV1 != registry.Internal && registry.KindOf(err) != st.readV1 {
			t.Fatalf("%s: reading v1: %v, want %v", st.name, err, st.readV1)
		}
		_, err = s.SchemaByID(ctx, 1, registry.IDOptions{})
		if st.byIDFound != (err == nil) {
			t.Fatalf("%s: schema 1 by id: %v, want found=%v", st.name, err, st.byIDFound)
		}
	}
}

func TestSchemas_SoftDeletedReadable(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	mustRegister(t, s, "s", `"string"`)
	s.DeleteSubject(ctx, "s", false)
	if _, err := s.SchemaByID(ctx, 1, registry.IDOptions{}); err != nil {
		t.Fatalf("soft-deleted schema by id: %v", err)
	}
	ss, err := s.Version(ctx, "s", 1, true)
	if err != nil || !ss.Deleted {
		t.Fatalf("deleted=true read: %v %v", ss, err)
	}
	subs, _ := s.Subjects(ctx, registry.SubjectsOptions{})
	del, _ := s.Subjects(ctx, registry.SubjectsOptions{DeletedOnly: true})
	if len(subs) != 0 || len(del) != 1 {
		t.Fatalf("subjects %v deletedOnly %v", subs, del)
	}
	again := mustRegister(t, s, "s", `"string"`)
	if again.Schema.ID != 1 || again.Version != 2 {
		t.Fatalf("re-register after soft delete: %v, want id 1 version 2", again)
	}
}

func TestSchemas_References(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	addr := mustRegister(t, s, "address", `{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}`)
	user, err := s.Register(ctx, "user", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{
		Schema:     `{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"}]}`,
		References: []registry.Reference{{Name: "com.acme.Address", Subject: "address", Version: -1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := user.Schema.References[0].Version; got != 1 {
		t.Fatalf("reference version stored as %d, want -1 pinned to 1", got)
	}
	ids, err := s.ReferencedBy(ctx, "address", 1, false)
	if err != nil || len(ids) != 1 || ids[0] != user.Schema.ID {
		t.Fatalf("referencedby = %v %v", ids, err)
	}
	_, err = s.DeleteVersion(ctx, "address", addr.Version, false)
	wantKind(t, err, registry.ReferenceExists)
	_, err = s.DeleteSubject(ctx, "address", false)
	wantKind(t, err, registry.ReferenceExists)
	// Once the referrer is soft-deleted, a soft delete is allowed but a
	// permanent one is still blocked.
	s.DeleteSubject(ctx, "user", false)
	if _, err := s.DeleteVersion(ctx, "address", 1, false); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteVersion(ctx, "address", 1, true)
	wantKind(t, err, registry.ReferenceExists)
	// The referencing schema still resolves (and so is still checkable).
	if _, err := s.CheckCompatibility(ctx, "user", 0, registry.SchemaRequest{Schema: `"int"`}, false); err != nil {
		t.Fatalf("check against a schema whose reference is soft-deleted: %v", err)
	}
}

func TestSchemas_Modes(t *testing.T) {
	ctx := context.Background()
	t.Run("ReadOnlyRefusesWrites", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", `"int"`)
		if _, err := s.SetMode(ctx, registry.GlobalScope, "readonly", false); err != nil {
			t.Fatal(err)
		}
		_, err := s.Register(ctx, "s", req(`"long"`))
		wantKind(t, err, registry.OperationNotPermitted)
		_, err = s.DeleteSubject(ctx, "s", false)
		wantKind(t, err, registry.OperationNotPermitted)
		if _, err := s.Version(ctx, "s", registry.VersionLatest, false); err != nil {
			t.Fatalf("reads must keep working: %v", err)
		}
	})
	t.Run("ImportTakesExplicitIDs", func(t *testing.T) {
		s, _ := newSchemas(t)
		if _, err := s.SetMode(ctx, "s", "IMPORT", false); err != nil {
			t.Fatal(err)
		}
		_, err := s.Register(ctx, "s", req(`"int"`))
		wantKind(t, err, registry.OperationNotPermitted)
		ss, err := s.Register(ctx, "s", registry.RegisterRequest{ExplicitID: true, ID: 42, Version: 3,
			SchemaRequest: registry.SchemaRequest{Schema: `"int"`}})
		if err != nil || ss.Schema.ID != 42 || ss.Version != 3 {
			t.Fatalf("import: %v %v", ss, err)
		}
		// No compatibility check in IMPORT.
		if _, err := s.Register(ctx, "s", registry.RegisterRequest{ExplicitID: true, ID: 43,
			SchemaRequest: registry.SchemaRequest{Schema: `"string"`}}); err != nil {
			t.Fatal(err)
		}
		_, err = s.Register(ctx, "s", registry.RegisterRequest{ExplicitID: true, ID: 42,
			SchemaRequest: registry.SchemaRequest{Schema: `"boolean"`}})
		wantKind(t, err, registry.OperationNotPermitted)
		// A later id allocation starts above imported ids.
		s.SetMode(ctx, "s", "READWRITE", false)
		s.SetConfig(ctx, "t", registry.ConfigUpdate{Compatibility: registry.Val("NONE")})
		if ss := mustRegister(t, s, "t", `"double"`); ss.Schema.ID != 44 {
			t.Fatalf("next allocated id = %d, want 44", ss.Schema.ID)
		}
	})
	t.Run("ImportNeedsEmptyScopeUnlessForced", func(t *testing.T) {
		s, _ := newSchemas(t)
		mustRegister(t, s, "s", `"int"`)
		_, err := s.SetMode(ctx, registry.GlobalScope, "IMPORT", false)
		wantKind(t, err, registry.OperationNotPermitted)
		if _, err := s.SetMode(ctx, registry.GlobalScope, "IMPORT", true); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("BadModes", func(t *testing.T) {
		s, _ := newSchemas(t)
		_, err := s.SetMode(ctx, "s", "BOGUS", false)
		wantKind(t, err, registry.InvalidMode)
		_, err = s.SetMode(ctx, "s", "FORWARD", false)
		wantKind(t, err, registry.InvalidMode)
		_, err = s.Mode(ctx, "s", false)
		wantKind(t, err, registry.SubjectModeNotFound)
		m, err := s.Mode(ctx, "s", true)
		if err != nil || m != registry.ModeReadWrite {
			t.Fatalf("defaultToGlobal mode = %v %v", m, err)
		}
		_, err = s.DeleteMode(ctx, "s", false)
		wantKind(t, err, registry.SubjectNotFound)
	})
}

func TestSchemas_Config(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	_, err := s.Config(ctx, "s", false)
	wantKind(t, err, registry.SubjectConfigNotFound)
	c, err := s.Config(ctx, "s", true)
	if err != nil || c.Compatibility != registry.CompatBackward {
		t.Fatalf("defaultToGlobal: %v %v", c, err)
	}
	if _, err := s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Val("bogus")}); registry.KindOf(err) != registry.InvalidCompatibility {
		t.Fatalf("bad level: %v", err)
	}
	got, err := s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Val("full"), Normalize: registry.Val(true)})
	if err != nil || got.Compatibility != registry.CompatFull || got.Normalize == nil || !*got.Normalize {
		t.Fatalf("set: %+v %v", got, err)
	}
	// Partial update keeps normalize; an explicit null clears the level.
	got, _ = s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Patch[string]{Set: true}})
	if got.Compatibility != "" || got.Normalize == nil {
		t.Fatalf("partial update: %+v", got)
	}
	s.SetConfig(ctx, registry.GlobalScope, registry.ConfigUpdate{Compatibility: registry.Val("NONE")})
	eff, _ := s.Config(ctx, "s", true)
	if eff.Compatibility != registry.CompatNone {
		t.Fatalf("effective config should inherit the global level: %+v", eff)
	}
	if _, err := s.DeleteConfig(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeleteConfig(ctx, "s")
	wantKind(t, err, registry.SubjectNotFound)
}

func TestSchemas_Contexts(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	a := mustRegister(t, s, "orders", `"string"`)
	b := mustRegister(t, s, ":.staging:orders", `"int"`)
	if a.Schema.ID != 1 || b.Schema.ID != 1 {
		t.Fatalf("each context has its own id space: %v %v", a, b)
	}
	sc, err := s.SchemaByID(ctx, 1, registry.IDOptions{Subject: ":.staging:x"})
	if err != nil || sc.Text != `"int"` {
		t.Fatalf("id 1 in .staging = %v %v", sc, err)
	}
	cs, _ := s.Contexts(ctx)
	if len(cs) != 2 || cs[0] != "." || cs[1] != ".staging" {
		t.Fatalf("contexts = %v", cs)
	}
	wantKind(t, s.DeleteContext(ctx, ".staging"), registry.ContextNotEmpty)
	subs, _ := s.Subjects(ctx, registry.SubjectsOptions{})
	if len(subs) != 2 {
		t.Fatalf("subjects = %v", subs)
	}
}

func TestSchemas_StoreUnavailable(t *testing.T) {
	ctx := context.Background()
	s, st := newSchemas(t)
	ss := mustRegister(t, s, "s", `"string"`)
	// Warm the caches, then take the store away: reads keep working.
	s.SchemaByID(ctx, ss.Schema.ID, registry.IDOptions{})
	s.Version(ctx, "s", 1, false)
	st.FailNext("View", registry.ErrUnavailable)
	if _, err := s.SchemaByID(ctx, ss.Schema.ID, registry.IDOptions{}); err != nil {
		t.Fatalf("cached read while the store is down: %v", err)
	}
	if _, err := s.Version(ctx, "s", 1, false); err != nil {
		t.Fatalf("cached version read while the store is down: %v", err)
	}
	st.FailNext("View", registry.ErrUnavailable)
	_, err := s.Register(ctx, "s", req(`"bytes"`))
	wantKind(t, err, registry.Unavailable)
}

// TestSchemas_ConcurrentRegistration registers overlapping schemas from
// many goroutines: the same content must end with one id everywhere and
// each subject's versions must be 1..n without duplicates.
func TestSchemas_ConcurrentRegistration(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	s.SetConfig(ctx, registry.GlobalScope, registry.ConfigUpdate{Compatibility: registry.Val("NONE")})
	const workers, schemas = 16, 8
	subjects := []registry.Subject{"a", "b", "c"}
	var wg sync.WaitGroup
	ids := make([][]registry.SchemaID, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range schemas {
				sub := subjects[(w+i)%len(subjects)]
				ss, err := s.Register(ctx, sub, req(record(fmt.Sprintf("R%d", i))))
				if err != nil {
					t.Errorf("register: %v", err)
					return
				}
				ids[w] = append(ids[w], ss.Schema.ID)
			}
		}()
	}
	wg.Wait()
	byContent := map[int]registry.SchemaID{}
	for _, list := range ids {
		for i, id := range list {
			if prev, ok := byContent[i]; ok && prev != id {
				t.Fatalf("schema R%d got ids %d and %d", i, prev, id)
			}
			byContent[i] = id
		}
	}
	for _, sub := range subjects {
		vs, err := s.Versions(ctx, sub, registry.VersionsOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[registry.SchemaID]bool{}
		for i, v := range vs {
			if int(v.Version) != i+1 || seen[v.SchemaID] {
				t.Fatalf("%s versions = %v", sub, vs)
			}
			seen[v.SchemaID] = true
		}
	}
}

func TestSchemas_GUIDAndMetadata(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	a := mustRegister(t, s, "a", `"string"`)
	mustRegister(t, s, ":.other:a", `"string"`)
	got, err := s.SchemasByGUID(ctx, a.Schema.GUID())
	if err != nil || len(got) != 2 || got[0].Context != "." || got[1].Context != ".other" {
		t.Fatalf("by guid = %v %v", got, err)
	}
	_, err = s.SchemasByGUID(ctx, "00000000-0000-0000-0000-000000000000")
	wantKind(t, err, registry.SchemaNotFound)

	for _, owner := range []string{"x", "y"} {
		_, err := s.Register(ctx, "m", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{
			Schema: `"string"`, Metadata: &registry.Metadata{Properties: map[string]string{"owner": owner}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	ss, err := s.LatestWithMetadata(ctx, "m", map[string]string{"owner": "x"}, false)
	if err != nil || ss.Version != 1 {
		t.Fatalf("latest with owner=x: %v %v", ss, err)
	}
	_, err = s.LatestWithMetadata(ctx, "m", map[string]string{"owner": "z"}, false)
	wantKind(t, err, registry.SchemaNotFound)
}

// TestSchemas_InvalidateFromAnotherNode shares one store between two
// services (two "nodes"): node B serves a stale cached read until the
// change feed tells it about node A's write.
func TestSchemas_InvalidateFromAnotherNode(t *testing.T) {
	ctx := context.Background()
	st := inmem.New()
	a := registry.NewSchemas(registry.Options{Store: st})
	b := registry.NewSchemas(registry.Options{Store: st})
	mustRegister(t, a, "s", `"string"`)
	if ss, err := b.Version(ctx, "s", registry.VersionLatest, false); err != nil || ss.Version != 1 {
		t.Fatalf("b latest = %v %v", ss, err)
	}
	if _, err := b.SchemaByID(ctx, 1, registry.IDOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DeleteSubject(ctx, "s", false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DeleteSubject(ctx, "s", true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SchemaByID(ctx, 1, registry.IDOptions{}); err != nil {
		t.Fatalf("before the change arrives b still serves its cache: %v", err)
	}
	b.Invalidate(registry.ChangedDeleted, "s")
	_, err := b.SchemaByID(ctx, 1, registry.IDOptions{})
	wantKind(t, err, registry.SchemaNotFound)
	_, err = b.Version(ctx, "s", registry.VersionLatest, false)
	wantKind(t, err, registry.SubjectNotFound)
}

func TestSchemas_Tag(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	_, err := s.Register(ctx, "s", registry.RegisterRequest{SchemaRequest: registry.SchemaRequest{
		Schema:  record("User", `{"name":"ssn","type":"string"}`),
		RuleSet: &registry.RuleSet{DomainRules: []registry.Rule{{Name: "a", Type: "CEL"}, {Name: "b", Type: "CEL"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Tag(ctx, "s", 1, registry.TagRequest{
		NewVersion:    2,
		TagsToAdd:     []compat.TagEdit{{EntityType: "sr_field", EntityPath: "User.ssn", Tags: []string{"PII"}}},
		RulesToMerge:  &registry.RuleSet{DomainRules: []registry.Rule{{Name: "c", Type: "CEL"}}},
		RulesToRemove: []string{"a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || !strings.Contains(got.Schema.Text, `"confluent:tags":["PII"]`) {
		t.Fatalf("tagged version = %v %s", got, got.Schema.Text)
	}
	var names []string
	for _, r := range got.Schema.RuleSet.DomainRules {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "b,c" {
		t.Fatalf("rules = %v, want b,c", names)
	}
	_, err = s.Tag(ctx, "s", 2, registry.TagRequest{TagsToAdd: []compat.TagEdit{{EntityType: "sr_field", EntityPath: "User.nope", Tags: []string{"X"}}}})
	wantKind(t, err, registry.InvalidSchema)
	_, err = s.Tag(ctx, "s", 2, registry.TagRequest{RuleSet: &registry.RuleSet{}, RulesToRemove: []string{"b"}})
	wantKind(t, err, registry.InvalidRuleSet)
	_, err = s.Tag(ctx, "s", 9, registry.TagRequest{})
	wantKind(t, err, registry.VersionNotFound)
}

// TestSchemas_RegisterFastPath: a repeated registration is answered
// without the store, until the subject or a config changes.
func TestSchemas_RegisterFastPath(t *testing.T) {
	ctx := context.Background()
	s, st := newSchemas(t)
	first := mustRegister(t, s, "s", record("A"))
	st.FailNext("View", registry.ErrUnavailable)
	again, err := s.Register(ctx, "s", req(record("A")))
	if err != nil || again.Schema.ID != first.Schema.ID || again.Version != first.Version {
		t.Fatalf("repeat registration with the store down: %v %v", again, err)
	}
	// A config change invalidates: the store is asked again.
	s.SetConfig(ctx, registry.GlobalScope, registry.ConfigUpdate{Compatibility: registry.Val("FULL")})
	st.FailNext("View", registry.ErrUnavailable)
	_, err = s.Register(ctx, "s", req(record("A")))
	wantKind(t, err, registry.Unavailable)
	// So does a write to the subject: after a soft delete the same request
	// registers a new version instead of returning the deleted one.
	mustRegister(t, s, "s", record("A"))
	s.DeleteVersion(ctx, "s", 1, false)
	if ss := mustRegister(t, s, "s", record("A")); ss.Version != 2 {
		t.Fatalf("after soft delete got version %d, want 2", ss.Version)
	}
}

// TestSchemas_ContendedSubject: many writers of different schemas into one
// subject all succeed (optimistic retries, then the locked path), and the
// versions come out 1..n.
func TestSchemas_ContendedSubject(t *testing.T) {
	ctx := context.Background()
	s, _ := newSchemas(t)
	s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Val("NONE")})
	const writers = 32
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			if _, err := s.Register(ctx, "s", req(record(fmt.Sprintf("W%d", w)))); err != nil {
				t.Errorf("writer %d: %v", w, err)
			}
		})
	}
	wg.Wait()
	vs, err := s.Versions(ctx, "s", registry.VersionsOptions{})
	if err != nil || len(vs) != writers {
		t.Fatalf("versions = %d, %v; want %d", len(vs), err, writers)
	}
	for i, v := range vs {
		if int(v.Version) != i+1 {
			t.Fatalf("versions not gap-free: %v", vs)
		}
	}
}
