package jsoncompat

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/charterhq/charter/compat"
)

// Bundle returns s as one self-contained JSON Schema, for consumers that
// validate with a standard validator and no registry calls (GET
// /schemas/ids/{id}/bundle). Every reference the schema uses, directly or
// through other references, is inlined under the root's "$defs" (members
// added after any $defs the schema already has, named after the reference
// with characters outside [A-Za-z0-9._-] replaced by "_", made unique),
// and every $ref, $dynamicRef and $recursiveRef is rewritten to a JSON
// pointer inside the bundle ("#/$defs/address.json/properties/zip";
// references within the schema become "#/..." pointers too, anchors
// included). $id (draft 4: id) and $schema are dropped from the inlined
// documents and from subschemas of the root, so that every pointer
// resolves against the bundle's root; the root keeps its own. A schema
// without references comes back as its canonical form.
//
// Known limit: an inlined reference written for another draft is read
// with the root's draft.
func Bundle(s compat.Schema) ([]byte, error) {
	sc, ok := s.(*schema)
	if !ok || sc == nil {
		return nil, errors.New("jsoncompat: Bundle needs a schema parsed by this package")
	}
	ix := sc.ix
	used := usedDocuments(ix)
	if !slices.Contains(used[1:], true) || ix.docs[0].root.kind != jobject {
		return []byte(sc.canonical), nil
	}
	root := ix.docs[0].root
	// Name the inlined documents.
	taken := map[string]bool{}
	if defs := root.get("$defs"); defs != nil && defs.kind == jobject {
		for _, m := range defs.members {
			taken[m.key] = true
		}
	}
	keys := make([]string, len(ix.docs))
	for i := 1; i < len(ix.docs); i++ {
		if !used[i] {
			continue
		}
		k := defsKey(ix.docs[i].name)
		for n := 2; taken[k]; n++ {
			k = defsKey(ix.docs[i].name) + "_" + strconv.Itoa(n)
		}
		taken[k] = true
		keys[i] = k
	}
	bw := &bundleWriter{ix: ix, keys: keys}
	out := bw.rewrite(0, root, "")
	// Append the inlined documents to $defs.
	var added []member
	for i := 1; i < len(ix.docs); i++ {
		if used[i] {
			added = append(added, member{keys[i], bw.rewrite(i, ix.docs[i].root, "")})
		}
	}
	if len(added) > 0 {
		if j := memberIndex(out, "$defs"); j >= 0 && out.members[j].val.kind == jobject {
			defs := *out.members[j].val
			defs.members = append(append([]member(nil), defs.members...), added...)
			out.members[j].val = &defs
		} else {
			out.members = append(out.members, member{"$defs", &value{kind: jobject, members: added}})
		}
	}
	var b strings.Builder
	writeJSON(&b, out, false)
	return []byte(b.String()), nil
}

// usedDocuments marks the documents reachable from the schema through
// references.
func usedDocuments(ix *index) []bool {
	used := make([]bool, len(ix.docs))
	used[0] = true
	for changed := true; changed; {
		changed = false
		for site, target := range ix.refs {
			if used[site.doc] && !used[target.doc] {
				used[target.doc], changed = true, true
			}
		}
	}
	return used
}

func memberIndex(v *value, key string) int {
	for i, m := range v.members {
		if m.key == key {
			return i
		}
	}
	return -1
}

func defsKey(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "ref"
	}
	return b.String()
}

type bundleWriter struct {
	ix   *index
	keys []string
}

// pointer returns the bundle-relative URI of a location.
func (bw *bundleWriter) pointer(l loc) string {
	p := l.ptr
	if l.doc != 0 {
		p = "/$defs/" + escapeToken(bw.keys[l.doc]) + p
	}
	toks := strings.Split(p, "/")
	for i, t := range toks {
		toks[i] = url.PathEscape(t)
	}
	return "#" + strings.Join(toks, "/")
}

// rewrite copies the schema v at (doc, ptr): reference keywords point into
// the bundle, and $id/$schema are dropped except at the bundle's root.
// Members that are not subschemas are shared, not copied.
func (bw *bundleWriter) rewrite(doc int, v *value, ptr string) *value {
	if v.kind != jobject {
		return v
	}
	d := bw.ix.docs[doc].draft
	keepIDs := doc == 0 && ptr == ""
	out := &value{kind: jobject, members: make([]member, 0, len(v.members))}
	target, hasRef := bw.ix.refs[loc{doc, ptr}]
	refKw := ""
	if hasRef {
		for _, kw := range refKeywords(d) {
			if v.has(kw) {
				refKw = kw
				break
			}
		}
	}
	for _, m := range v.members {
		switch {
		case !keepIDs && (m.key == d.idKeyword() || m.key == "$schema"):
			continue
		case m.key == refKw:
			out.members = append(out.members, member{m.key, &value{kind: jstring, s: bw.pointer(target)}})
			continue
		}
		out.members = append(out.members, member{m.key, bw.rewriteKeyword(doc, d, m.key, m.val, ptr+"/"+escapeToken(m.key))})
	}
	return out
}

// rewriteKeyword rewrites the subschemas held by one keyword's value.
func (bw *bundleWriter) rewriteKeyword(doc int, d draft, kw string, v *value, p string) *value {
	switch kw {
	case "additionalItems", "additionalProperties", "not", "contains", "propertyNames",
		"if", "then", "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema":
		return bw.rewrite(doc, v, p)
	case "items", "allOf", "anyOf", "oneOf", "prefixItems":
		if v.kind == jarray {
			out := &value{kind: jarray, arr: make([]*value, len(v.arr))}
			for i, e := range v.arr {
				out.arr[i] = bw.rewrite(doc, e, p+"/"+strconv.Itoa(i))
			}
			return out
		}
		if kw == "items" {
			return bw.rewrite(doc, v, p)
		}
	case "properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies":
		if v.kind == jobject {
			out := &value{kind: jobject, members: make([]member, len(v.members))}
			for i, m := range v.members {
				out.members[i] = member{m.key, bw.rewrite(doc, m.val, p+"/"+escapeToken(m.key))}
			}
			return out
		}
	}
	return v
}
