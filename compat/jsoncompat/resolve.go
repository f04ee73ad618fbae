package jsoncompat

import (
	"fmt"
	"net/url"
	"strings"
)

// This file indexes the documents of one Parse call (the schema and its
// references) by base URI, $id and anchor, and resolves $ref strings to a
// location inside one of them. Nothing outside the documents is ever looked
// at: a $ref that names neither a document nor a location in one is an
// error that names the $ref.

// rootBase is the base URI of a schema without an absolute $id. Relative
// $refs and reference names resolve against it; the .invalid top-level
// domain (RFC 2606) can never be fetched, and nothing is fetched anyway.
const rootBase = "mem://charter.invalid/schema.json"

// draft is a JSON Schema draft: 4, 6, 7, 2019 (2019-09) or 2020 (2020-12).
type draft int

func (d draft) String() string {
	switch d {
	case 2019:
		return "draft 2019-09"
	case 2020:
		return "draft 2020-12"
	default:
		return fmt.Sprintf("draft-%02d", int(d))
	}
}

// document is one JSON document: the schema being parsed or a reference.
type document struct {
	name   string // "" for the schema, else the reference's Name
	base   string // absolute base URI of the document
	draft  draft
	root   *value
	prefix string // location prefix: "#" for the schema, name+"#" for a reference
}

// loc is a location: a document (index into docs) and a JSON pointer in it.
type loc struct {
	doc int
	ptr string
}

// index maps URIs to locations for a set of documents.
type index struct {
	docs      []*document
	resources map[string]loc // absolute URI without fragment -> resource root
	anchors   map[string]loc // absolute URI#anchor -> location
	bases     map[loc]string // base URI in effect at each walked schema object
	names     map[string]int // raw reference name -> document
	// refs records every $ref (and $dynamicRef, $recursiveRef) site: the
	// location of the object that holds it -> the resolved target.
	refs map[loc]loc
}

func newIndex() *index {
	return &index{
		resources: map[string]loc{},
		anchors:   map[string]loc{},
		bases:     map[loc]string{},
		names:     map[string]int{},
		refs:      map[loc]loc{},
	}
}

// draftOf returns the draft a document declares with $schema, or fallback.
func draftOf(v *value, fallback draft) (draft, error) {
	s, ok := v.str("$schema")
	if !ok {
		if v.has("$schema") {
			return 0, fmt.Errorf("$schema must be a string")
		}
		return fallback, nil
	}
	u := strings.TrimSuffix(s, "#")
	u = strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	switch u {
	case "json-schema.org/draft-04/schema":
		return 4, nil
	case "json-schema.org/draft-06/schema":
		return 6, nil
	case "json-schema.org/draft-07/schema":
		return 7, nil
	case "json-schema.org/draft/2019-09/schema":
		return 2019, nil
	case "json-schema.org/draft/2020-12/schema":
		return 2020, nil
	}
	return 0, fmt.Errorf("unsupported $schema %q: use draft-04, draft-06, draft-07, 2019-09 or 2020-12", s)
}

// resolveURI resolves ref against base as RFC 3986 does.
func resolveURI(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	out := b.ResolveReference(r)
	if !r.IsAbs() && b.Opaque != "" {
		out.Opaque = b.Opaque
	}
	return out.String(), nil
}

func splitFragment(u string) (string, string) {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i], u[i+1:]
	}
	return u, ""
}

// addDocument registers d under its base URI (and name) and walks it for
// $id and anchors.
func (ix *index) addDocument(d *document) error {
	i := len(ix.docs)
	ix.docs = append(ix.docs, d)
	if d.name != "" {
		if _, dup := ix.names[d.name]; dup {
			return fmt.Errorf("reference %q is given twice", d.name)
		}
		ix.names[d.name] = i
	}
	if _, ok := ix.resources[d.base]; !ok {
		ix.resources[d.base] = loc{i, ""}
	}
	return ix.walkIDs(i, d.root, "", d.base, true)
}

// idKeyword is "id" in draft 4 and "$id" afterwards.
func (d draft) idKeyword() string {
	if d == 4 {
		return "id"
	}
	return "$id"
}

func (ix *index) walkIDs(doc int, v *value, ptr, base string, isRoot bool) error {
	if v.kind != jobject {
		return nil
	}
	d := ix.docs[doc].draft
	l := loc{doc, ptr}
	refOnly := d <= 7 && v.has("$ref")
	if id, ok := v.str(d.idKeyword()); ok && !refOnly && !isRoot {
		u, frag := splitFragment(id)
		if u != "" {
			abs, err := resolveURI(base, u)
			if err != nil {
				return fmt.Errorf("invalid %s %q at %s: %v", d.idKeyword(), id, ix.docs[doc].prefix+ptr, err)
			}
			base = abs
			if _, ok := ix.resources[base]; !ok {
				ix.resources[base] = l
			}
		}
		if frag != "" && d <= 7 {
			ix.anchors[base+"#"+frag] = l
		}
	} else if ok && isRoot && d <= 7 {
		if _, frag := splitFragment(id); frag != "" {
			ix.anchors[base+"#"+frag] = l
		}
	}
	if d >= 2019 {
		for _, kw := range []string{"$anchor", "$dynamicAnchor"} {
			if a, ok := v.str(kw); ok {
				ix.anchors[base+"#"+a] = l
			}
		}
	}
	ix.bases[l] = base
	return forEachSubschema(v, d, ptr, func(child *value, cptr string) error {
		return ix.walkIDs(doc, child, cptr, base, false)
	})
}

// forEachSubschema calls fn for every subschema of the schema object v at
// ptr, in member order.
func forEachSubschema(v *value, d draft, ptr string, fn func(*value, string) error) error {
	if v.kind != jobject {
		return nil
	}
	for _, m := range v.members {
		kw, mv := m.key, m.val
		p := ptr + "/" + escapeToken(kw)
		switch kw {
		case "additionalItems", "additionalProperties", "not", "contains", "propertyNames",
			"if", "then", "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema":
			if err := fn(mv, p); err != nil {
				return err
			}
		case "items":
			if mv.kind == jarray {
				for i, e := range mv.arr {
					if err := fn(e, fmt.Sprintf("%s/%d", p, i)); err != nil {
						return err
					}
				}
			} else if err := fn(mv, p); err != nil {
				return err
			}
		case "allOf", "anyOf", "oneOf", "prefixItems":
			if mv.kind == jarray {
				for i, e := range mv.arr {
					if err := fn(e, fmt.Sprintf("%s/%d", p, i)); err != nil {
						return err
					}
				}
			}
		case "properties", "patternProperties", "definitions", "$defs", "dependentSchemas":
			if mv.kind == jobject {
				for _, c := range mv.members {
					if err := fn(c.val, p+"/"+escapeToken(c.key)); err != nil {
						return err
					}
				}
			}
		case "dependencies":
			if mv.kind == jobject {
				for _, c := range mv.members {
					if c.val.kind == jobject || c.val.kind == jbool {
						if err := fn(c.val, p+"/"+escapeToken(c.key)); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// baseAt returns the base URI in effect at l.
func (ix *index) baseAt(l loc) string {
	p := l.ptr
	for {
		if b, ok := ix.bases[loc{l.doc, p}]; ok {
			return b
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return ix.docs[l.doc].base
		}
		p = p[:i]
	}
}

// unresolvedError is returned for a $ref that names nothing given.
type unresolvedError struct {
	ref, at, why string
}

func (e *unresolvedError) Error() string {
	return fmt.Sprintf("unresolved $ref %q at %s: %s", e.ref, e.at, e.why)
}

// resolve resolves the $ref string ref found in the object at from.
func (ix *index) resolve(from loc, ref string) (loc, error) {
	at := ix.docs[from.doc].prefix + from.ptr
	base := ix.baseAt(from)
	abs, err := resolveURI(base, ref)
	if err != nil {
		return loc{}, &unresolvedError{ref, at, "not a valid URI reference"}
	}
	u, frag := splitFragment(abs)
	target, ok := ix.resources[u]
	if !ok {
		rawU, _ := splitFragment(ref)
		if i, found := ix.names[rawU]; found {
			target, ok = loc{i, ""}, true
		}
	}
	if !ok {
		return loc{}, &unresolvedError{ref, at, "it names no schema given as a reference (a reference's name must be the $ref URI); remote and file references are never fetched"}
	}
	if frag == "" {
		return target, nil
	}
	dec, err := url.PathUnescape(frag)
	if err != nil {
		return loc{}, &unresolvedError{ref, at, "invalid percent-encoding in the fragment"}
	}
	if strings.HasPrefix(dec, "/") {
		toks, err := splitPointer(dec)
		if err != nil {
			return loc{}, &unresolvedError{ref, at, err.Error()}
		}
		rootToks, _ := splitPointer(target.ptr)
		if ix.docs[target.doc].root.at(append(rootToks, toks...)) == nil {
			return loc{}, &unresolvedError{ref, at, "the JSON pointer points to nothing"}
		}
		p := target.ptr
		for _, t := range toks {
			p += "/" + escapeToken(t)
		}
		return loc{target.doc, p}, nil
	}
	if a, ok := ix.anchors[u+"#"+dec]; ok {
		return a, nil
	}
	return loc{}, &unresolvedError{ref, at, fmt.Sprintf("no anchor %q is defined", dec)}
}

// resolveAll resolves every $ref, $dynamicRef and $recursiveRef in every
// document and records them in ix.refs. It returns the first error.
func (ix *index) resolveAll() error {
	for i, d := range ix.docs {
		if err := ix.resolveIn(i, d.root, ""); err != nil {
			return err
		}
	}
	return nil
}

func (ix *index) resolveIn(doc int, v *value, ptr string) error {
	if v.kind != jobject {
		return nil
	}
	d := ix.docs[doc].draft
	for _, kw := range refKeywords(d) {
		ref, ok := v.str(kw)
		if !ok {
			continue
		}
		if kw == "$recursiveRef" && ref != "#" {
			return fmt.Errorf("$recursiveRef at %s must be \"#\"", ix.docs[doc].prefix+ptr)
		}
		target, err := ix.resolve(loc{doc, ptr}, ref)
		if err != nil {
			return err
		}
		ix.refs[loc{doc, ptr}] = target
		break
	}
	return forEachSubschema(v, d, ptr, func(child *value, cptr string) error {
		return ix.resolveIn(doc, child, cptr)
	})
}

// refKeywords lists the reference keywords of a draft.
func refKeywords(d draft) []string {
	switch {
	case d >= 2020:
		return []string{"$ref", "$dynamicRef"}
	case d == 2019:
		return []string{"$ref", "$recursiveRef"}
	default:
		return []string{"$ref"}
	}
}

// valueAt returns the JSON value at l.
func (ix *index) valueAt(l loc) *value {
	toks, err := splitPointer(l.ptr)
	if err != nil {
		return nil
	}
	return ix.docs[l.doc].root.at(toks)
}
