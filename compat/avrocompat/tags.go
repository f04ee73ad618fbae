package avrocompat

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charterhq/charter/compat"
)

// tagsProp is the property Confluent's Avro provider keeps inline tags in.
const tagsProp = "confluent:tags"

var _ compat.Tagger = format{}

// EditTags implements [compat.Tagger]: it adds and removes "confluent:tags"
// on records (entity type sr_record, path = full name) and fields
// (sr_field, path = record full name + "." + field name) of the schema's
// canonical text. An edit naming no element of the schema is an error
// wrapping compat.ErrInvalidSchema.
func (format) EditTags(cs compat.Schema, add, remove []compat.TagEdit) (string, error) {
	s, ok := cs.(*schema)
	if !ok {
		return "", fmt.Errorf("avrocompat: EditTags given a %T, not an Avro schema", cs)
	}
	root, err := parseJSON(s.Canonical())
	if err != nil {
		return "", fmt.Errorf("%w: %s", compat.ErrInvalidSchema, err.Error())
	}
	elems := map[string]*jval{}
	collectTagTargets(root, "", elems)
	apply := func(edits []compat.TagEdit, fn func(have []string, tags []string) []string) error {
		for _, e := range edits {
			key := e.EntityType + " " + e.EntityPath
			el, ok := elems[key]
			if !ok {
				return fmt.Errorf("%w: no %s named %q in the schema", compat.ErrInvalidSchema, e.EntityType, e.EntityPath)
			}
			var have []string
			if cur := el.get(tagsProp); cur != nil && cur.kind == jarray {
				for _, t := range cur.arr {
					if v, ok := t.text(); ok {
						have = append(have, v)
					}
				}
			}
			next := fn(have, e.Tags)
			arr := &jval{kind: jarray}
			for _, t := range next {
				arr.arr = append(arr.arr, &jval{kind: jstring, s: t})
			}
			if len(next) == 0 {
				el.members = slices.DeleteFunc(el.members, func(m member) bool { return m.key == tagsProp })
			} else {
				el.set(tagsProp, arr)
			}
		}
		return nil
	}
	if err := apply(add, func(have, tags []string) []string {
		for _, t := range tags {
			if !slices.Contains(have, t) {
				have = append(have, t)
			}
		}
		return have
	}); err != nil {
		return "", err
	}
	if err := apply(remove, func(have, tags []string) []string {
		return slices.DeleteFunc(have, func(t string) bool { return slices.Contains(tags, t) })
	}); err != nil {
		return "", err
	}
	var w jsonWriter
	w.value(root)
	return string(w.buf), nil
}

// collectTagTargets indexes the records and fields of a schema's JSON by
// "<entity type> <path>", resolving names against the enclosing namespace
// as Avro does.
func collectTagTargets(v *jval, ns string, out map[string]*jval) {
	switch v.kind {
	case jarray: // a union
		for _, b := range v.arr {
			collectTagTargets(b, ns, out)
		}
		return
	case jobject:
	default:
		return
	}
	typ, _ := v.get("type").text()
	switch typ {
	case "record", "error", "enum", "fixed":
	case "array":
		if it := v.get("items"); it != nil {
			collectTagTargets(it, ns, out)
		}
		return
	case "map":
		if vals := v.get("values"); vals != nil {
			collectTagTargets(vals, ns, out)
		}
		return
	default:
		if t := v.get("type"); t != nil && t.kind != jstring {
			collectTagTargets(t, ns, out)
		}
		return
	}
	name, _ := v.get("name").text()
	if n, ok := v.get("namespace").text(); ok {
		ns = n
	}
	full := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ns = name[:i]
	} else if ns != "" {
		full = ns + "." + name
	}
	if typ != "record" && typ != "error" {
		return
	}
	out["sr_record "+full] = v
	if fields := v.get("fields"); fields != nil && fields.kind == jarray {
		for _, f := range fields.arr {
			fname, _ := f.get("name").text()
			out["sr_field "+full+"."+fname] = f
			if t := f.get("type"); t != nil {
				collectTagTargets(t, ns, out)
			}
		}
	}
}
