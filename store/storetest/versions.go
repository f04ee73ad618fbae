package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
)

var versionTests = []test{
	{"VersionsEmpty", testVersionsEmpty},
	{"VersionsAscending", testVersionsAscending},
	{"InsertVersionDuplicate", testInsertVersionDuplicate},
	{"InsertVersionUnknownSchema", testInsertVersionUnknownSchema},
	{"AllVersions", testAllVersions},
	{"VersionsBySchemaID", testVersionsBySchemaID},
	{"SetVersionDeleted", testSetVersionDeleted},
	{"SetVersionDeletedNotFound", testSetVersionDeletedNotFound},
	{"DeleteVersion", testDeleteVersion},
	{"DeleteVersionNotFound", testDeleteVersionNotFound},
	{"CreatedAt", testCreatedAt},
}

func testVersionsEmpty(t *testing.T, s registry.Store) {
	if got := versionsOf(t, s, "nothing"); len(got) != 0 {
		t.Fatalf("Versions(missing) = %v, want empty", got)
	}
}

func testVersionsAscending(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1, 2, 3)
	vs := insertVersions(t, s,
		seedVersion{subject: "s", version: 3, id: 3},
		seedVersion{subject: "s", version: 1, id: 1, deleted: true},
		seedVersion{subject: "s", version: 10, id: 1},
		seedVersion{subject: "s", version: 2, id: 2},
		seedVersion{subject: "s2", version: 1, id: 1},
		seedVersion{subject: "r", version: 1, id: 1},
	)
	want := []registry.SubjectVersion{vs[1], vs[3], vs[0], vs[2]}
	if d := diff(want, versionsOf(t, s, "s")); d != "" {
		t.Errorf("Versions mismatch (-want +got):\n%s", d)
	}
}

func testInsertVersionDuplicate(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1, 2)
	first := insertVersions(t, s, seedVersion{subject: "s", version: 1, id: 1})
	err := s.Update(t.Context(), func(tx registry.Tx) error {
		return tx.InsertVersion(seedVersion{subject: "s", version: 1, id: 2}.sv())
	})
	if !errors.Is(err, registry.ErrConflict) {
		t.Fatalf("InsertVersion(duplicate) = %v, want ErrConflict", err)
	}
	if d := diff(first, versionsOf(t, s, "s")); d != "" {
		t.Errorf("Versions after rejected insert mismatch (-want +got):\n%s", d)
	}
}

func testInsertVersionUnknownSchema(t *testing.T, s registry.Store) {
	insertSchemas(t, s, ctxA, 1) // id 1 exists in another context only
	err := s.Update(t.Context(), func(tx registry.Tx) error {
		return tx.InsertVersion(seedVersion{subject: "s", version: 1, id: 1}.sv())
	})
	if err == nil {
		t.Fatal("InsertVersion(unknown schema) succeeded, want an error")
	}
	if got := versionsOf(t, s, "s"); len(got) != 0 {
		t.Errorf("Versions after rejected insert = %v, want empty", got)
	}
}

func allVersions(t *testing.T, s registry.Store, prefix string) []registry.SubjectVersion {
	t.Helper()
	var got []registry.SubjectVersion
	MustView(t, s, func(tx registry.Tx) error {
		var err error
		got, err = tx.AllVersions(prefix)
		return err
	})
	return got
}

func testAllVersions(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1)
	insertSchemas(t, s, ctxA, 1)
	insertSchemas(t, s, ".ctxab", 1)
	vs := insertVersions(t, s,
		seedVersion{subject: "b", version: 1, id: 1},
		seedVersion{subject: "a", version: 2, id: 1, deleted: true},
		seedVersion{subject: "ab", version: 1, id: 1},
		seedVersion{subject: "a", version: 1, id: 1},
		seedVersion{subject: ":.ctxa:x", version: 1, id: 1},
		seedVersion{subject: ":.ctxab:x", version: 1, id: 1},
		seedVersion{subject: ":.ctxa:a", version: 1, id: 1},
	)
	for _, tc := range []struct {
		prefix string
		want   []registry.SubjectVersion
	}{
		// ':' sorts before letters, so qualified subjects come first.
		{"", []registry.SubjectVersion{vs[6], vs[4], vs[5], vs[3], vs[1], vs[2], vs[0]}},
		{"a", []registry.SubjectVersion{vs[3], vs[1], vs[2]}},
		{"ab", []registry.SubjectVersion{vs[2]}},
		{":.ctxa:", []registry.SubjectVersion{vs[6], vs[4]}},
		{":.ctxa", []registry.SubjectVersion{vs[6], vs[4], vs[5]}},
		{":.ctxab:x", []registry.SubjectVersion{vs[5]}},
		{"c", nil},
		{"\xff", nil},
	} {
		if d := diff(tc.want, allVersions(t, s, tc.prefix)); d != "" {
			t.Errorf("AllVersions(%q) mismatch (-want +got):\n%s", tc.prefix, d)
		}
	}
}

func testVersionsBySchemaID(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1, 2)
	insertSchemas(t, s, ctxA, 1)
	vs := insertVersions(t, s,
		seedVersion{subject: "b", version: 2, id: 1},
		seedVersion{subject: "b", version: 1, id: 1, deleted: true},
		seedVersion{subject: "a", version: 3, id: 1},
		seedVersion{subject: "a", version: 1, id: 2},
		seedVersion{subject: ":.ctxa:a", version: 1, id: 1},
	)
	MustView(t, s, func(tx registry.Tx) error {
		for _, tc := range []struct {
			c    registry.Context
			id   registry.SchemaID
			want []registry.SubjectVersion
		}{
			{registry.DefaultContext, 1, []registry.SubjectVersion{vs[2], vs[1], vs[0]}},
			{registry.DefaultContext, 2, []registry.SubjectVersion{vs[3]}},
			{ctxA, 1, []registry.SubjectVersion{vs[4]}},
			{registry.DefaultContext, 3, nil},
		} {
			got, err := tx.VersionsBySchemaID(tc.c, tc.id)
			if err != nil {
				return err
			}
			if d := diff(tc.want, got); d != "" {
				t.Errorf("VersionsBySchemaID(%s, %d) mismatch (-want +got):\n%s", tc.c, tc.id, d)
			}
		}
		return nil
	})
}

func testSetVersionDeleted(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1)
	vs := insertVersions(t, s,
		seedVersion{subject: "s", version: 1, id: 1},
		seedVersion{subject: "s", version: 2, id: 1},
	)
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetVersionDeleted("s", 2, true) })
	vs[1].Deleted = true
	if d := diff(vs, versionsOf(t, s, "s")); d != "" {
		t.Errorf("after soft delete (-want +got):\n%s", d)
	}
	// Setting the flag it already has is not an error.
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetVersionDeleted("s", 2, true) })
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetVersionDeleted("s", 2, false) })
	vs[1].Deleted = false
	if d := diff(vs, versionsOf(t, s, "s")); d != "" {
		t.Errorf("after undelete (-want +got):\n%s", d)
	}
}

func testSetVersionDeletedNotFound(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1)
	insertVersions(t, s, seedVersion{subject: "s", version: 1, id: 1})
	for _, tc := range []struct {
		subject registry.Subject
		v       registry.Version
	}{{"s", 2}, {"t", 1}, {":.ctxa:s", 1}} {
		err := s.Update(t.Context(), func(tx registry.Tx) error {
			return tx.SetVersionDeleted(tc.subject, tc.v, true)
		})
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("SetVersionDeleted(%s, %d) = %v, want ErrNotFound", tc.subject, tc.v, err)
		}
	}
}

func testDeleteVersion(t *testing.T, s registry.Store) {
	schemas := insertSchemas(t, s, registry.DefaultContext, 1, 2)
	vs := insertVersions(t, s,
		seedVersion{subject: "s", version: 1, id: 1},
		seedVersion{subject: "s", version: 2, id: 2, deleted: true},
		seedVersion{subject: "t", version: 1, id: 2},
	)
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.DeleteVersion("s", 2) })
	if d := diff(vs[:1], versionsOf(t, s, "s")); d != "" {
		t.Errorf("Versions after delete (-want +got):\n%s", d)
	}
	if d := diff([]registry.SubjectVersion{vs[0], vs[2]}, allVersions(t, s, "")); d != "" {
		t.Errorf("AllVersions after delete (-want +got):\n%s", d)
	}
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.VersionsBySchemaID(registry.DefaultContext, 2)
		if err != nil {
			return err
		}
		if d := diff(vs[2:], got); d != "" {
			t.Errorf("VersionsBySchemaID after delete (-want +got):\n%s", d)
		}
		sc, err := tx.SchemaByID(registry.DefaultContext, 2)
		if err != nil {
			return err
		}
		if d := diff(schemas[1], sc); d != "" {
			t.Errorf("schema content after delete (-want +got):\n%s", d)
		}
		return nil
	})
	// Delete the last version of t: the schema is still there, and the id
	// is not reused.
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.DeleteVersion("t", 1) })
	if got := maxID(t, s, registry.DefaultContext); got != 2 {
		t.Errorf("MaxSchemaID after deleting every version = %d, want 2", got)
	}
	MustView(t, s, func(tx registry.Tx) error {
		_, err := tx.SchemaByFingerprint(registry.DefaultContext, schemas[1].Fingerprint)
		return err
	})
	// The version number may be used again once it is gone.
	again := insertVersions(t, s, seedVersion{subject: "s", version: 2, id: 1})
	if d := diff([]registry.SubjectVersion{vs[0], again[0]}, versionsOf(t, s, "s")); d != "" {
		t.Errorf("Versions after re-insert (-want +got):\n%s", d)
	}
}

func testDeleteVersionNotFound(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1)
	insertVersions(t, s, seedVersion{subject: "s", version: 1, id: 1})
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.DeleteVersion("s", 1) })
	for _, tc := range []struct {
		subject registry.Subject
		v       registry.Version
	}{{"s", 1}, {"s", 2}, {"t", 1}} {
		err := s.Update(t.Context(), func(tx registry.Tx) error { return tx.DeleteVersion(tc.subject, tc.v) })
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("DeleteVersion(%s, %d) = %v, want ErrNotFound", tc.subject, tc.v, err)
		}
	}
}

// testCreatedAt stores a time with nanoseconds in a non-UTC zone: it comes
// back equal to the millisecond, in UTC.
func testCreatedAt(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1)
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	at := time.Date(2025, 3, 14, 15, 9, 26, 535897932, zone)
	MustUpdate(t, s, func(tx registry.Tx) error {
		return tx.InsertVersion(registry.SubjectVersion{Subject: "s", Version: 1, SchemaID: 1, CreatedAt: at})
	})
	got := versionsOf(t, s, "s")
	if len(got) != 1 {
		t.Fatalf("Versions = %v, want one", got)
	}
	if !got[0].CreatedAt.Truncate(time.Millisecond).Equal(at.Truncate(time.Millisecond)) {
		t.Errorf("CreatedAt = %v, want %v (to the millisecond)", got[0].CreatedAt, at)
	}
	if loc := got[0].CreatedAt.Location(); loc != time.UTC {
		t.Errorf("CreatedAt location = %v, want UTC", loc)
	}
}
