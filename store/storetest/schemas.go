package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/charterhq/charter/registry"
)

const ctxA registry.Context = ".ctxa"

var schemaTests = []test{
	{"SchemaByIDNotFound", testSchemaByIDNotFound},
	{"SchemaRoundTrip", testSchemaRoundTrip},
	{"SchemaNilAndEmptyPointers", testSchemaNilAndEmptyPointers},
	{"SchemaByFingerprint", testSchemaByFingerprint},
	{"SchemasByID", testSchemasByID},
	{"SchemasByIDMany", testSchemasByIDMany},
	{"MaxSchemaID", testMaxSchemaID},
	{"InsertSchemaDuplicateID", testInsertSchemaDuplicateID},
	{"InsertSchemaDuplicateFingerprint", testInsertSchemaDuplicateFingerprint},
	{"ContextsIsolateSchemas", testContextsIsolateSchemas},
	{"ReadYourWrites", testReadYourWrites},
}

func testSchemaByIDNotFound(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1)
	err := s.View(t.Context(), func(tx registry.Tx) error {
		_, err := tx.SchemaByID(registry.DefaultContext, 2)
		return err
	})
	if !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("SchemaByID(missing) = %v, want ErrNotFound", err)
	}
	err = s.View(t.Context(), func(tx registry.Tx) error {
		_, err := tx.SchemaByID(ctxA, 1) // exists in the default context only
		return err
	})
	if !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("SchemaByID(other context) = %v, want ErrNotFound", err)
	}
}

// fullSchema sets every field of Schema.
func fullSchema(id registry.SchemaID) registry.Schema {
	refs := []registry.Reference{
		{Name: "com.example.Address", Subject: "address-value", Version: 3},
		{Name: "other.proto", Subject: ":.ctxb:other", Version: 1},
	}
	md := &registry.Metadata{
		Tags:       map[string][]string{"**.ssn": {"PII", "PRIVATE"}},
		Properties: map[string]string{"owner": "team-a", "application.major.version": "2"},
		Sensitive:  []string{"secret"},
	}
	rs := &registry.RuleSet{
		MigrationRules: []registry.Rule{{Name: "upgrade", Kind: "TRANSFORM", Mode: "UPGRADE", Type: "JSONATA", Expr: "$"}},
		DomainRules: []registry.Rule{{
			Name: "checkSsn", Doc: "ssn has 9 digits", Kind: "CONDITION", Mode: "WRITE", Type: "CEL",
			Tags: []string{"PII"}, Params: map[string]string{"dlq.topic": "bad"},
			Expr: "size(message.ssn) == 9", OnSuccess: "NONE", OnFailure: "DLQ", Disabled: true,
		}},
		EncodingRules: []registry.Rule{{Name: "encrypt", Kind: "TRANSFORM", Type: "ENCRYPT"}},
		EnableAt:      "2025-01-01T00:00:00Z",
	}
	text := fmt.Sprintf(`syntax = "proto3"; message M%d { string ssn = 1; }`, id)
	return registry.Schema{
		ID:          id,
		Type:        registry.Protobuf,
		Text:        text,
		References:  refs,
		Metadata:    md,
		RuleSet:     rs,
		Fingerprint: registry.Fingerprint(text, refs, md, rs),
	}
}

func testSchemaRoundTrip(t *testing.T, s registry.Store) {
	want := fullSchema(7)
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.InsertSchema(ctxA, want) })
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemaByID(ctxA, 7)
		if err != nil {
			return err
		}
		if d := diff(want, got); d != "" {
			t.Errorf("SchemaByID mismatch (-want +got):\n%s", d)
		}
		return nil
	})
}

// testSchemaNilAndEmptyPointers checks that a nil Metadata or RuleSet stays
// nil and an empty one stays non-nil: the fingerprint tells them apart.
func testSchemaNilAndEmptyPointers(t *testing.T, s registry.Store) {
	bare := NewSchema(1, `"string"`)
	empty := NewSchema(2, `"string"`)
	empty.Metadata = &registry.Metadata{}
	empty.RuleSet = &registry.RuleSet{}
	empty.Fingerprint = registry.Fingerprint(empty.Text, nil, empty.Metadata, empty.RuleSet)
	MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.InsertSchema(registry.DefaultContext, bare); err != nil {
			return err
		}
		return tx.InsertSchema(registry.DefaultContext, empty)
	})
	MustView(t, s, func(tx registry.Tx) error {
		for _, want := range []registry.Schema{bare, empty} {
			got, err := tx.SchemaByID(registry.DefaultContext, want.ID)
			if err != nil {
				return err
			}
			if (got.Metadata == nil) != (want.Metadata == nil) || (got.RuleSet == nil) != (want.RuleSet == nil) {
				t.Errorf("schema %d: Metadata %v RuleSet %v, want %v %v",
					want.ID, got.Metadata, got.RuleSet, want.Metadata, want.RuleSet)
			}
		}
		return nil
	})
}

func testSchemaByFingerprint(t *testing.T, s registry.Store) {
	schemas := insertSchemas(t, s, registry.DefaultContext, 1, 2)
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemaByFingerprint(registry.DefaultContext, schemas[1].Fingerprint)
		if err != nil {
			return err
		}
		if d := diff(schemas[1], got); d != "" {
			t.Errorf("SchemaByFingerprint mismatch (-want +got):\n%s", d)
		}
		_, err = tx.SchemaByFingerprint(registry.DefaultContext, "0123456789abcdef0123456789abcdef")
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("SchemaByFingerprint(missing) = %v, want ErrNotFound", err)
		}
		_, err = tx.SchemaByFingerprint(ctxA, schemas[0].Fingerprint)
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("SchemaByFingerprint(other context) = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func sortByID(ss []registry.Schema) {
	slices.SortFunc(ss, func(a, b registry.Schema) int { return int(a.ID) - int(b.ID) })
}

func testSchemasByID(t *testing.T, s registry.Store) {
	schemas := insertSchemas(t, s, registry.DefaultContext, 1, 2, 3)
	insertSchemas(t, s, ctxA, 4)
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemasByID(registry.DefaultContext, []registry.SchemaID{3, 9, 1, 4, 3})
		if err != nil {
			return err
		}
		sortByID(got)
		if d := diff([]registry.Schema{schemas[0], schemas[2]}, got); d != "" {
			t.Errorf("SchemasByID mismatch (-want +got):\n%s", d)
		}
		got, err = tx.SchemasByID(registry.DefaultContext, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("SchemasByID(nil) = %v, %v; want empty, nil", got, err)
		}
		return nil
	})
}

// testSchemasByIDMany asks for more ids than SQL stores bind in one
// statement, so chunking has to be right.
func testSchemasByIDMany(t *testing.T, s registry.Store) {
	const n = 2500
	ids := make([]registry.SchemaID, n)
	for i := range ids {
		ids[i] = registry.SchemaID(i + 1)
	}
	schemas := insertSchemas(t, s, registry.DefaultContext, ids...)
	ask := append(slices.Clone(ids), n+1, n+2)
	slices.Reverse(ask)
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemasByID(registry.DefaultContext, ask)
		if err != nil {
			return err
		}
		sortByID(got)
		if d := diff(schemas, got); d != "" {
			t.Errorf("SchemasByID mismatch (-want +got):\n%s", d)
		}
		return nil
	})
}

func maxID(t *testing.T, s registry.Store, c registry.Context) registry.SchemaID {
	t.Helper()
	var id registry.SchemaID
	MustView(t, s, func(tx registry.Tx) error {
		var err error
		id, err = tx.MaxSchemaID(c)
		return err
	})
	return id
}

func testMaxSchemaID(t *testing.T, s registry.Store) {
	if got := maxID(t, s, registry.DefaultContext); got != 0 {
		t.Fatalf("MaxSchemaID(empty) = %d, want 0", got)
	}
	insertSchemas(t, s, registry.DefaultContext, 5, 2, 40, 3)
	insertSchemas(t, s, ctxA, 100)
	if got := maxID(t, s, registry.DefaultContext); got != 40 {
		t.Errorf("MaxSchemaID(default) = %d, want 40", got)
	}
	if got := maxID(t, s, ctxA); got != 100 {
		t.Errorf("MaxSchemaID(%s) = %d, want 100", ctxA, got)
	}
	if got := maxID(t, s, ".empty"); got != 0 {
		t.Errorf("MaxSchemaID(.empty) = %d, want 0", got)
	}
}

func testInsertSchemaDuplicateID(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1)
	dup := NewSchema(1, `"another text"`)
	err := s.Update(t.Context(), func(tx registry.Tx) error {
		return tx.InsertSchema(registry.DefaultContext, dup)
	})
	if !errors.Is(err, registry.ErrConflict) {
		t.Fatalf("InsertSchema(duplicate id) = %v, want ErrConflict", err)
	}
	MustView(t, s, func(tx registry.Tx) error {
		if _, err := tx.SchemaByFingerprint(registry.DefaultContext, dup.Fingerprint); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("rejected schema is visible: %v", err)
		}
		return nil
	})
}

func testInsertSchemaDuplicateFingerprint(t *testing.T, s registry.Store) {
	schemas := insertSchemas(t, s, registry.DefaultContext, 1)
	dup := schemas[0]
	dup.ID = 2
	err := s.Update(t.Context(), func(tx registry.Tx) error {
		return tx.InsertSchema(registry.DefaultContext, dup)
	})
	if !errors.Is(err, registry.ErrConflict) {
		t.Fatalf("InsertSchema(duplicate fingerprint) = %v, want ErrConflict", err)
	}
	if got := maxID(t, s, registry.DefaultContext); got != 1 {
		t.Errorf("MaxSchemaID after rejected insert = %d, want 1", got)
	}
}

// testContextsIsolateSchemas stores the same id with different content, and
// the same content with different ids, in two contexts.
func testContextsIsolateSchemas(t *testing.T, s registry.Store) {
	def := NewSchema(1, `"string"`)
	other := NewSchema(1, `"int"`)
	sameContent := NewSchema(2, `"string"`) // def's fingerprint, in ctxA
	MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.InsertSchema(registry.DefaultContext, def); err != nil {
			return err
		}
		if err := tx.InsertSchema(ctxA, other); err != nil {
			return err
		}
		return tx.InsertSchema(ctxA, sameContent)
	})
	MustView(t, s, func(tx registry.Tx) error {
		for _, tc := range []struct {
			c    registry.Context
			id   registry.SchemaID
			want registry.Schema
		}{{registry.DefaultContext, 1, def}, {ctxA, 1, other}, {ctxA, 2, sameContent}} {
			got, err := tx.SchemaByID(tc.c, tc.id)
			if err != nil {
				return fmt.Errorf("SchemaByID(%s, %d): %w", tc.c, tc.id, err)
			}
			if d := diff(tc.want, got); d != "" {
				t.Errorf("SchemaByID(%s, %d) mismatch (-want +got):\n%s", tc.c, tc.id, d)
			}
		}
		got, err := tx.SchemaByFingerprint(ctxA, def.Fingerprint)
		if err != nil {
			return err
		}
		if got.ID != 2 {
			t.Errorf("SchemaByFingerprint(%s) id = %d, want 2", ctxA, got.ID)
		}
		got, err = tx.SchemaByFingerprint(registry.DefaultContext, def.Fingerprint)
		if err != nil {
			return err
		}
		if got.ID != 1 {
			t.Errorf("SchemaByFingerprint(default) id = %d, want 1", got.ID)
		}
		return nil
	})
}

// testReadYourWrites reads, inside one Update, what that Update wrote.
func testReadYourWrites(t *testing.T, s registry.Store) {
	sc := NewSchema(3, `"bytes"`)
	MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.InsertSchema(registry.DefaultContext, sc); err != nil {
			return err
		}
		if id, err := tx.MaxSchemaID(registry.DefaultContext); err != nil || id != 3 {
			t.Errorf("MaxSchemaID in Update = %d, %v; want 3", id, err)
		}
		if _, err := tx.SchemaByFingerprint(registry.DefaultContext, sc.Fingerprint); err != nil {
			t.Errorf("SchemaByFingerprint in Update: %v", err)
		}
		v := seedVersion{subject: "s", version: 1, id: 3}.sv()
		if err := tx.InsertVersion(v); err != nil {
			return err
		}
		vs, err := tx.Versions("s")
		if err != nil {
			return err
		}
		if d := diff([]registry.SubjectVersion{v}, vs); d != "" {
			t.Errorf("Versions in Update mismatch (-want +got):\n%s", d)
		}
		return nil
	})
}
