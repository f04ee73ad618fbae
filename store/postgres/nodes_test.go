package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/postgres"
	"github.com/charterhq/charter/store/storetest"
)

// registration is what one Update of the registry's commit step does:
// read the subject's versions, find the content by fingerprint or allocate
// MaxSchemaID+1, insert the next version. It is idempotent: content the
// subject already has is returned.
//
// It retries on ErrConflict, as the registry does, and on ErrUnavailable,
// as a client does on a 503: with hundreds of goroutines on ten pooled
// connections per node, waiting for a connection can outlast the connect
// timeout on a loaded machine, and the store then fails fast by design.
func register(s registry.Store, t *testing.T, subject registry.Subject, text string, retries *counts) (registry.SubjectVersion, error) {
	c := subject.Context()
	sc := storetest.NewSchema(0, text)
	for {
		var out registry.SubjectVersion
		err := s.Update(t.Context(), func(tx registry.Tx) error {
			if _, err := tx.Mode(subject); err != nil && !errors.Is(err, registry.ErrNotFound) {
				return err
			}
			if _, err := tx.Mode(c.Scope()); err != nil && !errors.Is(err, registry.ErrNotFound) {
				return err
			}
			vs, err := tx.Versions(subject)
			if err != nil {
				return err
			}
			var maxV registry.Version
			for _, v := range vs {
				maxV = max(maxV, v.Version)
			}
			existing, err := tx.SchemaByFingerprint(c, sc.Fingerprint)
			switch {
			case err == nil:
				for _, v := range vs {
					if v.SchemaID == existing.ID {
						out = v
						return nil
					}
				}
				sc.ID = existing.ID
			case errors.Is(err, registry.ErrNotFound):
				id, err := tx.MaxSchemaID(c)
				if err != nil {
					return err
				}
				sc.ID = id + 1
				if err := tx.InsertSchema(c, sc); err != nil {
					return err
				}
			default:
				return err
			}
			out = registry.SubjectVersion{Subject: subject, Version: maxV + 1, SchemaID: sc.ID, CreatedAt: time.Now()}
			return tx.InsertVersion(out)
		})
		switch {
		case errors.Is(err, registry.ErrConflict):
			retries.conflict.Add(1)
			continue
		case errors.Is(err, registry.ErrUnavailable) && t.Context().Err() == nil:
			retries.unavailable.Add(1)
			continue
		}
		return out, err
	}
}

type counts struct{ conflict, unavailable atomic.Int64 }

// TestTwoNodes runs hundreds of goroutines registering through two stores
// (two pools, as two nodes would) on one database: overlapping subjects,
// the same content sent through both nodes at once, two contexts. Then:
// schema ids are distinct and gap-free per context, every content has one
// id, versions are gap-free per subject, and each registration got what
// is stored.
func TestTwoNodes(t *testing.T) {
	dbURL := newDatabase(t)
	nodes := []*postgres.Store{
		mustOpen(t, dbURL, postgres.Options{}),
		mustOpen(t, dbURL, postgres.Options{}),
	}
	const (
		goroutines = 300
		perG       = 3
		subjects   = 7
	)
	var (
		wg      sync.WaitGroup
		retries counts
		mu      sync.Mutex
		got     = map[registry.Subject][]registry.SubjectVersion{}
		idOf    = map[string]registry.SchemaID{} // context + text -> id
	)
	start := time.Now()
	for g := range goroutines {
		node := nodes[g%2]
		wg.Go(func() {
			for j := range perG {
				c := registry.DefaultContext
				if g%3 == 0 {
					c = ".other"
				}
				subject := registry.NewSubject(c, fmt.Sprintf("s%d", (g+j)%subjects))
				// Goroutines g and g^1 run on different nodes and send the
				// same content, to different subjects or the same one.
				text := fmt.Sprintf(`"content %d-%d"`, g/2, j)
				v, err := register(node, t, subject, text, &retries)
				if err != nil {
					t.Errorf("register %s %s: %v", subject, text, err)
					return
				}
				mu.Lock()
				got[subject] = append(got[subject], v)
				key := string(c) + " " + text
				if id, ok := idOf[key]; ok && id != v.SchemaID {
					t.Errorf("%s registered as id %d and id %d", key, id, v.SchemaID)
				}
				idOf[key] = v.SchemaID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("%d registrations through 2 nodes in %v (%.0f/s); retried: %d conflicts, %d unavailable",
		goroutines*perG, elapsed.Round(time.Millisecond), float64(goroutines*perG)/elapsed.Seconds(),
		retries.conflict.Load(), retries.unavailable.Load())

	storetest.MustView(t, nodes[1], func(tx registry.Tx) error {
		for _, c := range []registry.Context{registry.DefaultContext, ".other"} {
			maxID, err := tx.MaxSchemaID(c)
			if err != nil {
				return err
			}
			ids := make([]registry.SchemaID, maxID)
			for i := range ids {
				ids[i] = registry.SchemaID(i + 1)
			}
			scs, err := tx.SchemasByID(c, ids)
			if err != nil {
				return err
			}
			if len(scs) != int(maxID) {
				t.Errorf("context %s: %d schemas for max id %d: ids have gaps", c, len(scs), maxID)
			}
			distinct := 0
			for key := range idOf {
				if len(key) > len(c) && key[:len(c)+1] == string(c)+" " {
					distinct++
				}
			}
			if int(maxID) != distinct {
				t.Errorf("context %s: max id %d for %d distinct contents", c, maxID, distinct)
			}
		}
		vs, err := tx.AllVersions("")
		if err != nil {
			return err
		}
		bySubject := map[registry.Subject][]registry.Version{}
		for _, v := range vs {
			bySubject[v.Subject] = append(bySubject[v.Subject], v.Version)
		}
		for subject, versions := range bySubject {
			for i, v := range versions {
				if v != registry.Version(i+1) {
					t.Errorf("%s versions = %v, want 1..%d", subject, versions, len(versions))
					break
				}
			}
			// Every version stored is one some registration returned.
			mine := got[subject]
			slices.SortFunc(mine, func(a, b registry.SubjectVersion) int { return int(a.Version - b.Version) })
			mine = slices.CompactFunc(mine, func(a, b registry.SubjectVersion) bool { return a.Version == b.Version })
			if len(mine) != len(versions) {
				t.Errorf("%s: %d versions stored, registrations returned %d", subject, len(versions), len(mine))
			}
		}
		return nil
	})
}

// TestTwoNodes_Registry does the same through two registry.Schemas
// services, one per store, with the registry's own plan-then-commit.
// Twenty writers per subject make most plans stale, so many registrations
// give up after the registry's five retries (Unavailable, "Too many
// concurrent registrations"); those must leave nothing behind, and the
// rest must satisfy the invariants.
func TestTwoNodes_Registry(t *testing.T) {
	dbURL := newDatabase(t)
	var nodes []*registry.Schemas
	store := mustOpen(t, dbURL, postgres.Options{})
	for _, s := range []registry.Store{store, mustOpen(t, dbURL, postgres.Options{})} {
		nodes = append(nodes, registry.NewSchemas(registry.Options{Store: s, DefaultCompatibility: registry.CompatNone}))
	}
	const goroutines, perG, subjects = 100, 3, 5
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		idOf   = map[string]registry.SchemaID{}
		gaveUp atomic.Int64
	)
	start := time.Now()
	for g := range goroutines {
		node := nodes[g%2]
		wg.Go(func() {
			for j := range perG {
				subject := registry.Subject(fmt.Sprintf("s%d", (g+j)%subjects))
				text := fmt.Sprintf(`{"type":"record","name":"R%d_%d","fields":[]}`, g/2, j)
				out, err := node.Register(t.Context(), subject, registry.RegisterRequest{
					SchemaRequest: registry.SchemaRequest{Schema: text}})
				if registry.KindOf(err) == registry.Unavailable && strings.Contains(err.Error(), "Too many concurrent registrations") {
					gaveUp.Add(1) // the registry's retry budget, not the store
					continue
				}
				if err != nil {
					t.Errorf("Register %s: %v", subject, err)
					return
				}
				mu.Lock()
				if id, ok := idOf[text]; ok && id != out.Schema.ID {
					t.Errorf("%s registered as id %d and id %d", text, id, out.Schema.ID)
				}
				idOf[text] = out.Schema.ID
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("%d registry registrations through 2 nodes in %v (%.0f/s); %d gave up after the registry's retries",
		goroutines*perG, elapsed.Round(time.Millisecond), float64(goroutines*perG)/elapsed.Seconds(), gaveUp.Load())
	maxID, err := nodes[0].MaxSchemaID(t.Context(), registry.DefaultContext)
	if err != nil {
		t.Fatal(err)
	}
	if int(maxID) != len(idOf) {
		t.Errorf("max id %d for %d distinct schemas", maxID, len(idOf))
	}
	seen := map[registry.SchemaID]string{}
	for text, id := range idOf {
		if other, ok := seen[id]; ok {
			t.Errorf("id %d given to %s and %s", id, text, other)
		}
		seen[id] = text
	}
	storetest.MustView(t, store, func(tx registry.Tx) error {
		vs, err := tx.AllVersions("")
		if err != nil {
			return err
		}
		next := map[registry.Subject]registry.Version{}
		for _, v := range vs {
			next[v.Subject]++
			if v.Version != next[v.Subject] {
				t.Errorf("%s has version %d after %d", v.Subject, v.Version, next[v.Subject]-1)
			}
		}
		if want := goroutines*perG - int(gaveUp.Load()); len(vs) != want {
			t.Errorf("%d versions stored for %d successful registrations", len(vs), want)
		}
		return nil
	})
}

// TestTwoNodes_ReadModifyWrite patches one config from many goroutines on
// two stores, reading the scope's mode first as the registry's SetConfig
// does: the locks serialise the patches, so none is lost, and nothing
// deadlocks or conflicts.
func TestTwoNodes_ReadModifyWrite(t *testing.T) {
	dbURL := newDatabase(t)
	nodes := []*postgres.Store{mustOpen(t, dbURL, postgres.Options{}), mustOpen(t, dbURL, postgres.Options{})}
	for _, scope := range []registry.Subject{registry.GlobalScope, ":.ctx:", "subject"} {
		const n = 40
		var wg sync.WaitGroup
		for g := range n {
			wg.Go(func() {
				err := nodes[g%2].Update(t.Context(), func(tx registry.Tx) error {
					if _, err := tx.Mode(scope); err != nil && !errors.Is(err, registry.ErrNotFound) {
						return err
					}
					if _, err := tx.Mode(registry.GlobalScope); err != nil && !errors.Is(err, registry.ErrNotFound) {
						return err
					}
					c, err := tx.Config(scope)
					if err != nil && !errors.Is(err, registry.ErrNotFound) {
						return err
					}
					c.Alias += "x"
					return tx.SetConfig(scope, c)
				})
				if err != nil {
					t.Errorf("patch %q: %v", scope, err)
				}
			})
		}
		wg.Wait()
		storetest.MustView(t, nodes[0], func(tx registry.Tx) error {
			c, err := tx.Config(scope)
			if len(c.Alias) != n {
				t.Errorf("config of %q after %d patches: alias %q", scope, n, c.Alias)
			}
			return err
		})
	}
}
