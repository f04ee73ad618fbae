package storetest

import (
	"testing"

	"github.com/charterhq/charter/registry"
)

var referrerTests = []test{
	{"ResolvesRelativeToContext", testReferrers},
	{"ManyReferencesOneTarget", testReferrersDistinct},
}

func referrers(t *testing.T, s registry.Store, subject registry.Subject, v registry.Version) []registry.SubjectVersion {
	t.Helper()
	var got []registry.SubjectVersion
	MustView(t, s, func(tx registry.Tx) error {
		var err error
		got, err = tx.Referrers(subject, v)
		return err
	})
	return got
}

// testReferrers builds this graph (schema ids per context):
//
//	default: 1 = base of "a" v1;  2 refs {a,1};  3 refs {:.ctxa:a,1}
//	.ctxa:   1 = base of ":.ctxa:a" v1;  2 refs {a,1} (relative: :.ctxa:a);
//	         3 refs {:.:a,1} (qualified: the default context's a)
func testReferrers(t *testing.T, s registry.Store) {
	base := NewSchema(1, `{"type":"record","name":"A","fields":[]}`)
	ref := func(id registry.SchemaID, subject registry.Subject) registry.Schema {
		return NewSchema(id, `{"type":"record","name":"B","fields":[{"name":"a","type":"A"}]}`,
			registry.Reference{Name: "A", Subject: subject, Version: 1})
	}
	// Distinct texts per id keep fingerprints distinct inside a context.
	def3 := ref(3, ":.ctxa:a")
	def3.Text += " "
	def3.Fingerprint = registry.Fingerprint(def3.Text, def3.References, nil, nil)
	ctx3 := ref(3, ":.:a")
	ctx3.Text += " "
	ctx3.Fingerprint = registry.Fingerprint(ctx3.Text, ctx3.References, nil, nil)
	MustUpdate(t, s, func(tx registry.Tx) error {
		for _, sc := range []registry.Schema{base, ref(2, "a"), def3} {
			if err := tx.InsertSchema(registry.DefaultContext, sc); err != nil {
				return err
			}
		}
		for _, sc := range []registry.Schema{base, ref(2, "a"), ctx3} {
			if err := tx.InsertSchema(ctxA, sc); err != nil {
				return err
			}
		}
		return nil
	})
	vs := insertVersions(t, s,
		seedVersion{subject: "a", version: 1, id: 1},                       // 0
		seedVersion{subject: "c", version: 1, id: 2},                       // 1
		seedVersion{subject: "b", version: 1, id: 2, deleted: true},        // 2
		seedVersion{subject: "b", version: 2, id: 2},                       // 3
		seedVersion{subject: "d", version: 1, id: 3},                       // 4
		seedVersion{subject: ":.ctxa:a", version: 1, id: 1},                // 5
		seedVersion{subject: ":.ctxa:b", version: 1, id: 2},                // 6
		seedVersion{subject: ":.ctxa:d", version: 1, id: 3},                // 7
		seedVersion{subject: ":.ctxa:a", version: 2, id: 2, deleted: true}, // 8 (self-ref, odd but legal)
	)
	for _, tc := range []struct {
		subject registry.Subject
		v       registry.Version
		want    []registry.SubjectVersion
	}{
		{"a", 1, []registry.SubjectVersion{vs[7], vs[2], vs[3], vs[1]}},
		{":.ctxa:a", 1, []registry.SubjectVersion{vs[8], vs[6], vs[4]}},
		{"a", 2, nil},
		{"b", 1, nil},
		{":.ctxb:a", 1, nil},
	} {
		if d := diff(tc.want, referrers(t, s, tc.subject, tc.v)); d != "" {
			t.Errorf("Referrers(%s, %d) mismatch (-want +got):\n%s", tc.subject, tc.v, d)
		}
	}
}

// testReferrersDistinct has one schema reference the same subject version
// twice: its versions are listed once.
func testReferrersDistinct(t *testing.T, s registry.Store) {
	base := NewSchema(1, `"string"`)
	twice := NewSchema(2, `{"type":"record","name":"T","fields":[]}`,
		registry.Reference{Name: "x.avsc", Subject: "a", Version: 1},
		registry.Reference{Name: "y.avsc", Subject: "a", Version: 1})
	MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.InsertSchema(registry.DefaultContext, base); err != nil {
			return err
		}
		return tx.InsertSchema(registry.DefaultContext, twice)
	})
	vs := insertVersions(t, s,
		seedVersion{subject: "a", version: 1, id: 1},
		seedVersion{subject: "t", version: 1, id: 2},
	)
	if d := diff(vs[1:], referrers(t, s, "a", 1)); d != "" {
		t.Errorf("Referrers mismatch (-want +got):\n%s", d)
	}
}
