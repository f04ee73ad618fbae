package storetest

import (
	"testing"

	"github.com/charterhq/charter/registry"
)

var copyTests = []test{
	{"SchemaIn", testCopySchemaIn},
	{"SchemaOut", testCopySchemaOut},
	{"VersionsOut", testCopyVersionsOut},
	{"ConfigIn", testCopyConfigIn},
	{"ConfigOut", testCopyConfigOut},
}

// scribble changes everything reachable from sc, in place.
func scribble(sc *registry.Schema) {
	sc.References[0].Subject = "changed"
	sc.Metadata.Tags["**.ssn"][0] = "changed"
	sc.Metadata.Tags["new"] = []string{"x"}
	sc.Metadata.Properties["owner"] = "changed"
	sc.Metadata.Sensitive[0] = "changed"
	r := &sc.RuleSet.DomainRules[0]
	r.Tags[0] = "changed"
	r.Params["dlq.topic"] = "changed"
	r.Name = "changed"
	sc.RuleSet.MigrationRules = nil
}

func testCopySchemaIn(t *testing.T, s registry.Store) {
	in := fullSchema(1)
	want := fullSchema(1)
	MustUpdate(t, s, func(tx registry.Tx) error {
		err := tx.InsertSchema(registry.DefaultContext, in)
		scribble(&in) // still inside the transaction
		return err
	})
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemaByID(registry.DefaultContext, 1)
		if err != nil {
			return err
		}
		if d := diff(want, got); d != "" {
			t.Errorf("stored schema changed with its input (-want +got):\n%s", d)
		}
		return nil
	})
}

func testCopySchemaOut(t *testing.T, s registry.Store) {
	want := fullSchema(1)
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.InsertSchema(registry.DefaultContext, fullSchema(1)) })
	MustUpdate(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemaByID(registry.DefaultContext, 1)
		if err != nil {
			return err
		}
		scribble(&got)
		got, err = tx.SchemaByFingerprint(registry.DefaultContext, want.Fingerprint)
		if err != nil {
			return err
		}
		scribble(&got)
		all, err := tx.SchemasByID(registry.DefaultContext, []registry.SchemaID{1})
		if err != nil {
			return err
		}
		scribble(&all[0])
		return nil
	})
	MustView(t, s, func(tx registry.Tx) error {
		got, err := tx.SchemaByID(registry.DefaultContext, 1)
		if err != nil {
			return err
		}
		if d := diff(want, got); d != "" {
			t.Errorf("stored schema changed with a returned copy (-want +got):\n%s", d)
		}
		return nil
	})
}

func testCopyVersionsOut(t *testing.T, s registry.Store) {
	insertSchemas(t, s, registry.DefaultContext, 1, 2)
	want := insertVersions(t, s,
		seedVersion{subject: "s", version: 1, id: 1},
		seedVersion{subject: "s", version: 2, id: 2},
	)
	MustView(t, s, func(tx registry.Tx) error {
		lists := make([][]registry.SubjectVersion, 0, 3)
		for _, f := range []func() ([]registry.SubjectVersion, error){
			func() ([]registry.SubjectVersion, error) { return tx.Versions("s") },
			func() ([]registry.SubjectVersion, error) { return tx.AllVersions("") },
			func() ([]registry.SubjectVersion, error) { return tx.VersionsBySchemaID(registry.DefaultContext, 1) },
		} {
			l, err := f()
			if err != nil {
				return err
			}
			lists = append(lists, l)
		}
		for _, l := range lists {
			for i := range l {
				l[i].Deleted = true
				l[i].SchemaID = 99
			}
		}
		return nil
	})
	if d := diff(want, versionsOf(t, s, "s")); d != "" {
		t.Errorf("stored versions changed with a returned slice (-want +got):\n%s", d)
	}
}

func scribbleConfig(c *registry.Config) {
	*c.Normalize = true
	c.DefaultMetadata.Tags["*.ssn"][0] = "changed"
	c.DefaultMetadata.Properties["owner"] = "changed"
	c.DefaultRuleSet.DomainRules[0].Params["a"] = "changed"
	c.DefaultRuleSet.DomainRules[0].Tags[0] = "changed"
	c.OverrideRuleSet.EncodingRules[0].Name = "changed"
}

func testCopyConfigIn(t *testing.T, s registry.Store) {
	in := fullConfig()
	MustUpdate(t, s, func(tx registry.Tx) error {
		err := tx.SetConfig("s", in)
		scribbleConfig(&in)
		return err
	})
	got, err := getConfig(t, s, "s")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(fullConfig(), got); d != "" {
		t.Errorf("stored config changed with its input (-want +got):\n%s", d)
	}
}

func testCopyConfigOut(t *testing.T, s registry.Store) {
	MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetConfig("s", fullConfig()) })
	MustUpdate(t, s, func(tx registry.Tx) error {
		got, err := tx.Config("s")
		if err != nil {
			return err
		}
		scribbleConfig(&got)
		return nil
	})
	got, err := getConfig(t, s, "s")
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(fullConfig(), got); d != "" {
		t.Errorf("stored config changed with a returned copy (-want +got):\n%s", d)
	}
}
