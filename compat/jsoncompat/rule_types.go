package jsoncompat

import (
	"fmt"
	"slices"
	"strings"
)

// Rules for enum, const, combined (allOf/anyOf/oneOf) and not schemas.

// valueKey is a canonical text of a JSON value for set comparisons:
// members sorted, numbers by exact value (1, 1.0 and 10e-1 are one key).
func valueKey(v *value) string {
	var b strings.Builder
	var walk func(*value)
	walk = func(v *value) {
		switch v.kind {
		case jnumber:
			if r := rat(v.s); r != nil {
				b.WriteString(r.RatString())
			} else {
				b.WriteString(v.s)
			}
		case jarray:
			b.WriteByte('[')
			for i, e := range v.arr {
				if i > 0 {
					b.WriteByte(',')
				}
				walk(e)
			}
			b.WriteByte(']')
		case jobject:
			ms := slices.Clone(v.members)
			slices.SortFunc(ms, func(x, y member) int { return strings.Compare(x.key, y.key) })
			b.WriteByte('{')
			for i, m := range ms {
				if i > 0 {
					b.WriteByte(',')
				}
				writeString(&b, m.key)
				b.WriteByte(':')
				walk(m.val)
			}
			b.WriteByte('}')
		default:
			writeJSON(&b, v, false)
		}
	}
	walk(v)
	return b.String()
}

func valueSet(vs []*value) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[valueKey(v)] = true
	}
	return m
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// diffEnum: ENUM_ARRAY_NARROWED (values removed) and ENUM_ARRAY_CHANGED
// (values removed and added); a superset is ENUM_ARRAY_EXTENDED, compatible.
func (c *checker) diffEnum(res *pairResult, w, r *node) {
	ws, rs := valueSet(w.enum), valueSet(r.enum)
	switch {
	case subset(ws, rs):
	case subset(rs, ws):
		c.add(res, "ENUM_ARRAY_NARROWED", r.loc+"/enum", "")
	default:
		c.add(res, "ENUM_ARRAY_CHANGED", r.loc+"/enum", "")
	}
}

// diffConst: a changed const is ENUM_ARRAY_CHANGED, as in Confluent.
func (c *checker) diffConst(res *pairResult, w, r *node) {
	if !equalJSON(w.constV, r.constV) {
		c.add(res, "ENUM_ARRAY_CHANGED", r.loc+"/const", "")
	}
}

// diffNot runs the comparison of the inner schemas reversed: the new
// schema excludes no more than the old one when the old excluded schema
// can read the new excluded schema (NOT_TYPE_NARROWED, compatible).
func (c *checker) diffNot(res *pairResult, w, r *node) {
	if !c.compatible(r.not, w.not) {
		c.add(res, "NOT_TYPE_EXTENDED", r.loc+"/not", c.why(r.not, w.not))
	}
}

// combinedPath is where a combined node's keyword is: the schema object
// itself for the synthetic allOf of several keywords.
func combinedPath(n *node) string {
	if n.synthetic {
		return n.loc
	}
	return n.loc + "/" + n.crit
}

// diffCombined compares two combined schemas: the criterion change, the
// number of branches, and a maximum bipartite matching of compatible
// branches (Confluent's CombinedSchemaDiff; branches pair by
// compatibility, not by position).
func (c *checker) diffCombined(res *pairResult, w, r *node) {
	path := combinedPath(r) // cheap: synthetic nodes need no concatenation
	if w.crit != r.crit {
		extended := r.crit == "anyOf" ||
			(len(w.subs) == 1 && len(r.subs) == 1) ||
			(len(w.subs) == 1 && r.crit == "oneOf") ||
			(w.crit == "allOf" && len(r.subs) == 1)
		if !extended {
			c.add(res, "COMBINED_TYPE_CHANGED", path, fmt.Sprintf("new: %s, old: %s", r.crit, w.crit))
			return
		}
	}
	// More branches narrow an allOf (judged by the new criterion), fewer
	// branches narrow an anyOf/oneOf (judged by the old one); with an
	// unchanged criterion this is Confluent's PRODUCT/SUM rule, and it keeps
	// the criterion changes above (allOf to one branch, one branch to
	// oneOf) compatible.
	counts := func() string { return fmt.Sprintf("new: %d branches, old: %d", len(r.subs), len(w.subs)) }
	switch {
	case len(r.subs) > len(w.subs) && r.crit == "allOf":
		c.add(res, "PRODUCT_TYPE_EXTENDED", path, counts())
	case len(r.subs) < len(w.subs) && w.crit != "allOf":
		c.add(res, "SUM_TYPE_NARROWED", path, counts())
	}
	adj := make([][]int, len(w.subs))
	for i, ws := range w.subs {
		for j, rs := range r.subs {
			if c.compatible(ws, rs) {
				adj[i] = append(adj[i], j)
			}
		}
	}
	matchR := maxMatching(adj, len(r.subs))
	matched := 0
	matchedW := make([]bool, len(w.subs))
	for j, i := range matchR {
		if i >= 0 {
			matched++
			matchedW[i] = true
			// A matched pair is compatible; its findings are none, but it
			// is part of this comparison for the fixpoint.
			c.sub(res, w.subs[i], r.subs[j])
		}
	}
	if matched < min(len(w.subs), len(r.subs)) {
		c.add(res, "COMBINED_TYPE_SUBSCHEMAS_CHANGED", path, c.unmatchedDetail(w, r, matchedW, matchR))
	}
}

// unmatchedDetail names the old branches left without a partner and, when
// one unmatched new branch has the same kind, why they differ.
func (c *checker) unmatchedDetail(w, r *node, matchedW []bool, matchR []int) string {
	var parts []string
	for i, ok := range matchedW {
		if ok {
			continue
		}
		s := fmt.Sprintf("old branch %d (%s) has no compatible new branch", i, deref(w.subs[i]).kind)
		for j, mi := range matchR {
			if mi < 0 && deref(r.subs[j]).kind == deref(w.subs[i]).kind {
				if why := c.why(w.subs[i], r.subs[j]); why != "" {
					s += fmt.Sprintf(" (vs new branch %d: %s)", j, why)
				}
				break
			}
		}
		parts = append(parts, s)
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, "; ")
}

// maxMatching returns, for each right vertex, its matched left vertex or
// -1 (Kuhn's augmenting paths; branch lists are short).
func maxMatching(adj [][]int, nRight int) []int {
	matchR := make([]int, nRight)
	for j := range matchR {
		matchR[j] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for _, j := range adj[i] {
			if seen[j] {
				continue
			}
			seen[j] = true
			if matchR[j] < 0 || try(matchR[j], seen) {
				matchR[j] = i
				return true
			}
		}
		return false
	}
	for i := range adj {
		try(i, make([]bool, nRight))
	}
	return matchR
}
