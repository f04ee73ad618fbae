// Package storetest is the conformance suite every [registry.Store]
// implementation must pass. An adapter's test file runs it with one line:
//
//	func TestConformance(t *testing.T) { storetest.Run(t, newTestStore) }
//
// Each subtest gets a fresh, empty store from newStore, so the adapter
// decides how stores are created and cleaned up (t.TempDir, t.Cleanup).
//
// The suite checks the contract written on [registry.Store] and
// [registry.Tx], plus the behaviour the registry relies on without the port
// spelling it out:
//
//   - values are copied in and out: mutating a Schema, Config or slice given
//     to or returned by a Tx never changes what the store holds;
//   - CreatedAt round-trips to the millisecond and comes back in UTC;
//   - a panic inside Update's fn rolls the transaction back and propagates
//     to the caller unchanged (the store stays usable afterwards);
//   - InsertVersion fails when the version's context has no schema with its
//     SchemaID (the registry always inserts the schema first).
package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/charterhq/charter/registry"
)

// Run runs the conformance suite. newStore must return a fresh, empty store
// for each subtest and register its cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) registry.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Schemas", schemaTests},
		{"Versions", versionTests},
		{"Referrers", referrerTests},
		{"Config", configTests},
		{"Mode", modeTests},
		{"Copies", copyTests},
		{"Tx", txTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.fn(t, newStore(t))
				})
			}
		})
	}
}

type test struct {
	name string
	fn   func(t *testing.T, s registry.Store)
}

// MustUpdate runs fn in s.Update and fails the test if it returns an error.
func MustUpdate(tb testing.TB, s registry.Store, fn func(registry.Tx) error) {
	tb.Helper()
	if err := s.Update(tb.Context(), fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

// MustView runs fn in s.View and fails the test if it returns an error.
func MustView(tb testing.TB, s registry.Store, fn func(registry.Tx) error) {
	tb.Helper()
	if err := s.View(tb.Context(), fn); err != nil {
		tb.Fatalf("View: %v", err)
	}
}

// NewSchema returns an Avro schema with id whose text is text and whose
// fingerprint is computed from its content, as the registry computes it.
func NewSchema(id registry.SchemaID, text string, refs ...registry.Reference) registry.Schema {
	return registry.Schema{
		ID:          id,
		Type:        registry.Avro,
		Text:        text,
		References:  refs,
		Fingerprint: registry.Fingerprint(text, refs, nil, nil),
	}
}

// cmpOpts treat nil and empty slices and maps alike: stores built on JSON
// columns cannot tell them apart, and nothing in the registry does.
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty()}

func diff(want, got any) string { return cmp.Diff(want, got, cmpOpts...) }

// seedVersion describes a version to insert; CreatedAt is derived from the
// version number.
type seedVersion struct {
	subject registry.Subject
	version registry.Version
	id      registry.SchemaID
	deleted bool
}

var epoch = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func (v seedVersion) sv() registry.SubjectVersion {
	return registry.SubjectVersion{
		Subject:   v.subject,
		Version:   v.version,
		SchemaID:  v.id,
		Deleted:   v.deleted,
		CreatedAt: epoch.Add(time.Duration(v.version) * time.Second),
	}
}

// insertSchemas inserts one schema per id into c with text derived from c
// and the id, and returns them.
func insertSchemas(t *testing.T, s registry.Store, c registry.Context, ids ...registry.SchemaID) []registry.Schema {
	t.Helper()
	out := make([]registry.Schema, len(ids))
	for i, id := range ids {
		out[i] = NewSchema(id, fmt.Sprintf(`{"type":"record","name":"r%d","namespace":"ctx%s"}`, id, c))
	}
	MustUpdate(t, s, func(tx registry.Tx) error {
		for _, sc := range out {
			if err := tx.InsertSchema(c, sc); err != nil {
				return err
			}
		}
		return nil
	})
	return out
}

// insertVersions inserts vs (whose schemas must exist) and returns them as
// stored.
func insertVersions(t *testing.T, s registry.Store, vs ...seedVersion) []registry.SubjectVersion {
	t.Helper()
	out := make([]registry.SubjectVersion, len(vs))
	MustUpdate(t, s, func(tx registry.Tx) error {
		for i, v := range vs {
			out[i] = v.sv()
			if err := tx.InsertVersion(out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out
}

// versionsOf returns the versions of subject, failing the test on error.
func versionsOf(t *testing.T, s registry.Store, subject registry.Subject) []registry.SubjectVersion {
	t.Helper()
	var got []registry.SubjectVersion
	MustView(t, s, func(tx registry.Tx) error {
		var err error
		got, err = tx.Versions(subject)
		return err
	})
	return got
}
