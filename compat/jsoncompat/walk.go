package jsoncompat

import (
	"fmt"
	"strings"

	"github.com/charterhq/charter/compat"
)

// This file holds the pair walk: compare(writer, reader) follows Confluent's
// SchemaDiff.compare(original=writer, update=reader) and dispatches to the
// rule families (rule_*.go).
//
// Results are memoised per (writer node, reader node) pair, and a pair's
// findings carry paths of the reader node, so a result does not depend on
// how the walk reached it and a shared definition is compared once. A pair
// met again while it is being compared (a recursive $ref) is assumed
// compatible; when such an assumption turns out wrong the whole walk is
// repeated with that pair assumed incompatible, until no assumption
// changes. This is the fixpoint Confluent iterates to: plain optimistic
// memoisation would keep results computed under a refuted assumption and
// mask an incompatibility.

type pairKey struct{ w, r *node }

// pairResult is the outcome of comparing one pair.
type pairResult struct {
	done bool
	ok   bool
	own  []compat.Finding // findings at this pair
	kids []*pairResult    // pairs whose findings are part of this one's
}

var (
	assumedOK  = &pairResult{done: true, ok: true}
	assumedBad = &pairResult{done: true, ok: false}
)

type checker struct {
	lenient bool
	memo    map[pairKey]*pairResult
	bad     map[pairKey]bool // in-progress pairs to assume incompatible
	hits    map[pairKey]bool // in-progress pairs assumed compatible in this run
}

// maxRounds bounds the fixpoint iteration; each round marks at least one
// more pair incompatible, so it is only reached by pathological schemas.
const maxRounds = 64

func check(reader, writer *node, lenient bool) []compat.Finding {
	c := &checker{lenient: lenient, bad: map[pairKey]bool{}}
	for round := 0; ; round++ {
		c.memo, c.hits = map[pairKey]*pairResult{}, map[pairKey]bool{}
		root := c.compare(writer, reader)
		changed := false
		for k := range c.hits {
			if res := c.memo[k]; res != nil && !res.ok && !c.bad[k] {
				c.bad[k], changed = true, true
			}
		}
		if !changed || round == maxRounds {
			return collect(root, 0)
		}
	}
}

// collect gathers the findings of res and its contributing pairs, each
// (rule, path) once, in walk order; limit > 0 stops after that many.
func collect(res *pairResult, limit int) []compat.Finding {
	var out []compat.Finding
	seen := map[*pairResult]bool{}
	dup := map[[2]string]bool{}
	var walk func(*pairResult)
	walk = func(p *pairResult) {
		if seen[p] || (limit > 0 && len(out) >= limit) {
			return
		}
		seen[p] = true
		for _, f := range p.own {
			if k := [2]string{f.Rule, f.Path}; !dup[k] {
				dup[k] = true
				out = append(out, f)
			}
		}
		for _, k := range p.kids {
			walk(k)
		}
	}
	walk(res)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// compare compares writer w with reader r.
func (c *checker) compare(w, r *node) *pairResult {
	w, r = deref(w), deref(r)
	k := pairKey{w, r}
	if res, ok := c.memo[k]; ok {
		if res.done {
			return res
		}
		if c.bad[k] {
			return assumedBad
		}
		c.hits[k] = true
		return assumedOK
	}
	res := &pairResult{}
	c.memo[k] = res
	c.diff(res, w, r)
	res.ok = len(res.own) == 0
	for _, kid := range res.kids {
		res.ok = res.ok && kid.ok
	}
	res.done = true
	return res
}

// compatible runs a trial comparison whose findings are not reported.
func (c *checker) compatible(w, r *node) bool { return c.compare(w, r).ok }

// sub compares a pair whose findings are part of res.
func (c *checker) sub(res *pairResult, w, r *node) {
	res.kids = append(res.kids, c.compare(w, r))
}

// add records a finding unless the policy accepts the rule.
func (c *checker) add(res *pairResult, id, path, detail string) {
	if c.lenient && rulesByID[id].lenient {
		return
	}
	res.own = append(res.own, compat.Finding{Rule: id, Path: path, Message: ruleMessage(id, path), Detail: detail})
}

// why summarises the findings of a failed trial comparison for Detail.
func (c *checker) why(w, r *node) string {
	fs := collect(c.compare(w, r), 3)
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Rule + " at " + f.Path
	}
	return strings.Join(parts, "; ")
}

func (c *checker) diff(res *pairResult, w, r *node) {
	// Combined against non-combined: a new anyOf/oneOf that has a branch
	// reading the old schema extends it; an old allOf with a branch the new
	// schema reads is narrowed by it; a single branch stands for itself.
	switch {
	case w.kind != kCombined && r.kind == kCombined:
		if len(r.subs) == 1 || r.crit != "allOf" {
			for _, s := range r.subs {
				if c.compatible(w, s) {
					return
				}
			}
		}
	case w.kind == kCombined && r.kind != kCombined:
		if len(w.subs) == 1 || w.crit == "allOf" {
			for _, s := range w.subs {
				if c.compatible(s, r) {
					return
				}
			}
		}
	}
	if w.kind != r.kind {
		if w.kind == kFalse || r.kind == kEmpty || r.kind == kTrue || (w.connectBytes && r.connectBytes) {
			return
		}
		c.add(res, "TYPE_CHANGED", r.loc, fmt.Sprintf("new: %s, old: %s", r.kind, w.kind))
		return
	}
	switch w.kind {
	case kString:
		c.diffString(res, w, r)
	case kNumber:
		c.diffNumber(res, w, r)
	case kEnum:
		c.diffEnum(res, w, r)
	case kConst:
		c.diffConst(res, w, r)
	case kCombined:
		c.diffCombined(res, w, r)
	case kNot:
		c.diffNot(res, w, r)
	case kObject:
		c.diffObject(res, w, r)
	case kArray:
		c.diffArray(res, w, r)
	}
	// kEmpty, kTrue, kFalse, kBoolean, kNull: nothing to compare.
}
