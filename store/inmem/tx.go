package inmem

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charterhq/charter/registry"
)

// tx is a registry.Tx over the store's maps. The lock is held by the View
// or Update that created it.
type tx struct {
	s        *Store
	writable bool
	done     bool
	undo     []func()
}

var _ registry.Tx = (*tx)(nil)

// begin checks that op may run now: the tx is live, writable if write is
// set, and no error was injected.
func (t *tx) begin(op string, write bool) error {
	if t.done {
		return errDone
	}
	if write && !t.writable {
		return fmt.Errorf("%s: %w", op, errReadOnly)
	}
	return t.s.failed(op)
}

// rollback plays the undo log backwards.
func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

// canon maps the two spellings of the default context to one key.
func canon(c registry.Context) registry.Context {
	if c.IsDefault() {
		return registry.DefaultContext
	}
	return c
}

func (t *tx) SchemaByID(c registry.Context, id registry.SchemaID) (registry.Schema, error) {
	if err := t.begin("SchemaByID", false); err != nil {
		return registry.Schema{}, err
	}
	sc, ok := t.s.data.schemas[schemaKey{canon(c), id}]
	if !ok {
		return registry.Schema{}, fmt.Errorf("inmem: schema %d in context %s: %w", id, c, registry.ErrNotFound)
	}
	return cloneSchema(sc), nil
}

func (t *tx) SchemasByID(c registry.Context, ids []registry.SchemaID) ([]registry.Schema, error) {
	if err := t.begin("SchemasByID", false); err != nil {
		return nil, err
	}
	c = canon(c)
	out := make([]registry.Schema, 0, len(ids))
	seen := make(map[registry.SchemaID]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if sc, ok := t.s.data.schemas[schemaKey{c, id}]; ok {
			out = append(out, cloneSchema(sc))
		}
	}
	return out, nil
}

func (t *tx) SchemaByFingerprint(c registry.Context, fingerprint string) (registry.Schema, error) {
	if err := t.begin("SchemaByFingerprint", false); err != nil {
		return registry.Schema{}, err
	}
	c = canon(c)
	id, ok := t.s.data.byFP[fingerprintKey{c, fingerprint}]
	if !ok {
		return registry.Schema{}, fmt.Errorf("inmem: schema with fingerprint %s in context %s: %w",
			fingerprint, c, registry.ErrNotFound)
	}
	return cloneSchema(t.s.data.schemas[schemaKey{c, id}]), nil
}

func (t *tx) MaxSchemaID(c registry.Context) (registry.SchemaID, error) {
	if err := t.begin("MaxSchemaID", false); err != nil {
		return 0, err
	}
	return t.s.data.maxID[canon(c)], nil
}

func (t *tx) InsertSchema(c registry.Context, s registry.Schema) error {
	if err := t.begin("InsertSchema", true); err != nil {
		return err
	}
	d := &t.s.data
	c = canon(c)
	k, fk := schemaKey{c, s.ID}, fingerprintKey{c, s.Fingerprint}
	if _, ok := d.schemas[k]; ok {
		return fmt.Errorf("inmem: schema id %d in context %s exists: %w", s.ID, c, registry.ErrConflict)
	}
	if id, ok := d.byFP[fk]; ok {
		return fmt.Errorf("inmem: fingerprint %s in context %s exists as id %d: %w",
			s.Fingerprint, c, id, registry.ErrConflict)
	}
	oldMax, hadMax := d.maxID[c]
	d.schemas[k] = cloneSchema(s)
	d.byFP[fk] = s.ID
	if s.ID > oldMax {
		d.maxID[c] = s.ID
	}
	t.undo = append(t.undo, func() {
		delete(d.schemas, k)
		delete(d.byFP, fk)
		if hadMax {
			d.maxID[c] = oldMax
		} else {
			delete(d.maxID, c)
		}
	})
	return nil
}

// sortVersions orders vs by subject, then version.
func sortVersions(vs []registry.SubjectVersion) {
	slices.SortFunc(vs, func(a, b registry.SubjectVersion) int {
		if c := strings.Compare(string(a.Subject), string(b.Subject)); c != 0 {
			return c
		}
		return cmp.Compare(a.Version, b.Version)
	})
}

func (t *tx) Versions(subject registry.Subject) ([]registry.SubjectVersion, error) {
	if err := t.begin("Versions", false); err != nil {
		return nil, err
	}
	out := slices.Collect(maps.Values(t.s.data.versions[subject]))
	sortVersions(out)
	return out, nil
}

func (t *tx) AllVersions(prefix string) ([]registry.SubjectVersion, error) {
	if err := t.begin("AllVersions", false); err != nil {
		return nil, err
	}
	var out []registry.SubjectVersion
	for subject, vs := range t.s.data.versions {
		if strings.HasPrefix(string(subject), prefix) {
			out = slices.AppendSeq(out, maps.Values(vs))
		}
	}
	sortVersions(out)
	return out, nil
}

func (t *tx) VersionsBySchemaID(c registry.Context, id registry.SchemaID) ([]registry.SubjectVersion, error) {
	if err := t.begin("VersionsBySchemaID", false); err != nil {
		return nil, err
	}
	c = canon(c)
	var out []registry.SubjectVersion
	for subject, vs := range t.s.data.versions {
		if subject.Context() != c {
			continue
		}
		for _, v := range vs {
			if v.SchemaID == id {
				out = append(out, v)
			}
		}
	}
	sortVersions(out)
	return out, nil
}

func (t *tx) Referrers(subject registry.Subject, v registry.Version) ([]registry.SubjectVersion, error) {
	if err := t.begin("Referrers", false); err != nil {
		return nil, err
	}
	var out []registry.SubjectVersion
	refers := map[schemaKey]bool{} // memo: does this schema reference subject v?
	for sub, vs := range t.s.data.versions {
		c := sub.Context()
		for _, sv := range vs {
			k := schemaKey{c, sv.SchemaID}
			r, ok := refers[k]
			if !ok {
				r = slices.ContainsFunc(t.s.data.schemas[k].References, func(ref registry.Reference) bool {
					return ref.Version == v && ref.Subject.In(c) == subject
				})
				refers[k] = r
			}
			if r {
				out = append(out, sv)
			}
		}
	}
	sortVersions(out)
	return out, nil
}

func (t *tx) InsertVersion(v registry.SubjectVersion) error {
	if err := t.begin("InsertVersion", true); err != nil {
		return err
	}
	d := &t.s.data
	c := v.Subject.Context()
	if _, ok := d.schemas[schemaKey{c, v.SchemaID}]; !ok {
		return fmt.Errorf("inmem: version %s/%d: schema %d in context %s: %w",
			v.Subject, v.Version, v.SchemaID, c, registry.ErrNotFound)
	}
	vs, ok := d.versions[v.Subject]
	if !ok {
		vs = map[registry.Version]registry.SubjectVersion{}
		d.versions[v.Subject] = vs
	}
	if _, ok := vs[v.Version]; ok {
		return fmt.Errorf("inmem: version %s/%d exists: %w", v.Subject, v.Version, registry.ErrConflict)
	}
	v.CreatedAt = v.CreatedAt.UTC().Truncate(time.Millisecond)
	vs[v.Version] = v
	t.undo = append(t.undo, func() { d.deleteVersion(v.Subject, v.Version) })
	return nil
}

// deleteVersion removes a version, and the subject's map with its last one.
func (d *data) deleteVersion(subject registry.Subject, v registry.Version) {
	vs := d.versions[subject]
	delete(vs, v)
	if len(vs) == 0 {
		delete(d.versions, subject)
	}
}

// version returns a pointer-free copy of subject's version v.
func (d *data) version(subject registry.Subject, v registry.Version) (registry.SubjectVersion, error) {
	sv, ok := d.versions[subject][v]
	if !ok {
		return sv, fmt.Errorf("inmem: version %s/%d: %w", subject, v, registry.ErrNotFound)
	}
	return sv, nil
}

func (t *tx) SetVersionDeleted(subject registry.Subject, v registry.Version, deleted bool) error {
	if err := t.begin("SetVersionDeleted", true); err != nil {
		return err
	}
	d := &t.s.data
	old, err := d.version(subject, v)
	if err != nil {
		return err
	}
	sv := old
	sv.Deleted = deleted
	d.versions[subject][v] = sv
	t.undo = append(t.undo, func() { d.versions[subject][v] = old })
	return nil
}

func (t *tx) DeleteVersion(subject registry.Subject, v registry.Version) error {
	if err := t.begin("DeleteVersion", true); err != nil {
		return err
	}
	d := &t.s.data
	old, err := d.version(subject, v)
	if err != nil {
		return err
	}
	d.deleteVersion(subject, v)
	t.undo = append(t.undo, func() {
		if d.versions[subject] == nil {
			d.versions[subject] = map[registry.Version]registry.SubjectVersion{}
		}
		d.versions[subject][v] = old
	})
	return nil
}

func (t *tx) Config(scope registry.Subject) (registry.Config, error) {
	if err := t.begin("Config", false); err != nil {
		return registry.Config{}, err
	}
	c, ok := t.s.data.configs[scope]
	if !ok {
		return registry.Config{}, fmt.Errorf("inmem: config of %q: %w", scope, registry.ErrNotFound)
	}
	return cloneConfig(c), nil
}

func (t *tx) SetConfig(scope registry.Subject, c registry.Config) error {
	if err := t.begin("SetConfig", true); err != nil {
		return err
	}
	t.undo = append(t.undo, restore(t.s.data.configs, scope))
	t.s.data.configs[scope] = cloneConfig(c)
	return nil
}

func (t *tx) DeleteConfig(scope registry.Subject) error {
	if err := t.begin("DeleteConfig", true); err != nil {
		return err
	}
	if _, ok := t.s.data.configs[scope]; !ok {
		return fmt.Errorf("inmem: config of %q: %w", scope, registry.ErrNotFound)
	}
	t.undo = append(t.undo, restore(t.s.data.configs, scope))
	delete(t.s.data.configs, scope)
	return nil
}

func (t *tx) Mode(scope registry.Subject) (registry.Mode, error) {
	if err := t.begin("Mode", false); err != nil {
		return "", err
	}
	m, ok := t.s.data.modes[scope]
	if !ok {
		return "", fmt.Errorf("inmem: mode of %q: %w", scope, registry.ErrNotFound)
	}
	return m, nil
}

func (t *tx) SetMode(scope registry.Subject, m registry.Mode) error {
	if err := t.begin("SetMode", true); err != nil {
		return err
	}
	t.undo = append(t.undo, restore(t.s.data.modes, scope))
	t.s.data.modes[scope] = m
	return nil
}

func (t *tx) DeleteMode(scope registry.Subject) error {
	if err := t.begin("DeleteMode", true); err != nil {
		return err
	}
	if _, ok := t.s.data.modes[scope]; !ok {
		return fmt.Errorf("inmem: mode of %q: %w", scope, registry.ErrNotFound)
	}
	t.undo = append(t.undo, restore(t.s.data.modes, scope))
	delete(t.s.data.modes, scope)
	return nil
}

// restore returns an undo func that puts m[k] back as it is now. Stored
// values are never mutated in place, so keeping the value is enough.
func restore[K comparable, V any](m map[K]V, k K) func() {
	old, ok := m[k]
	return func() {
		if ok {
			m[k] = old
		} else {
			delete(m, k)
		}
	}
}
