package avrocompat

import (
	"strconv"
	"strings"

	"github.com/charterhq/charter/compat"
)

// This file is the reader/writer pair walk of Avro's
// SchemaCompatibility.ReaderWriterCompatibilityChecker, re-implemented:
// calculateCompatibility's case analysis is in pair, and the rules it
// applies live in rule_*.go.
//
// Two deliberate departures, neither of which changes a verdict:
//   - Findings are recorded with paths relative to the pair being checked
//     and memoised per pair, so a named type used in several places reports
//     each place's own path (Avro memoises absolute paths and repeats the
//     first one).
//   - Only record/record pairs are memoised. Every cycle in the walk passes
//     through a record field on at least one side, so that is enough to
//     terminate, and it keeps the memo small for wide records.

// issue is a finding before its message is rendered. path is relative to
// the pair that produced it: "" is the pair itself, otherwise it starts with
// '/'.
type issue struct {
	rule string
	path string
	info string
}

type pairKey struct{ r, w *node }

type memoEntry struct {
	done   bool
	issues []issue
}

type walker struct {
	memo map[pairKey]*memoEntry
}

// check reports why reader cannot read data written with writer.
func check(reader, writer *node) []compat.Finding {
	w := walker{memo: make(map[pairKey]*memoEntry)}
	issues := w.compat(reader, writer)
	if len(issues) == 0 {
		return nil
	}
	out := make([]compat.Finding, len(issues))
	for i, is := range issues {
		path := is.path
		if path == "" {
			path = "/"
		}
		out[i] = compat.Finding{Rule: is.rule, Path: path, Message: rulesByID[is.rule].message(path, is.info), Detail: is.info}
	}
	return out
}

// compat is Avro's getCompatibility: memoised, and a pair met again while it
// is still being checked counts as compatible (a recursive type is
// compatible unless proven otherwise).
func (w *walker) compat(r, wr *node) []issue {
	if r.kind != kRecord || wr.kind != kRecord {
		return w.pair(r, wr)
	}
	key := pairKey{r, wr}
	if e, ok := w.memo[key]; ok {
		if !e.done {
			return nil
		}
		return e.issues
	}
	e := &memoEntry{}
	w.memo[key] = e
	e.issues = w.pair(r, wr)
	e.done = true
	return e.issues
}

// under re-roots issues found at a child reached by token.
func under(token string, issues []issue) []issue {
	if len(issues) == 0 {
		return nil
	}
	prefix := "/" + escapeToken(token)
	out := make([]issue, len(issues))
	for i, is := range issues {
		is.path = prefix + is.path
		out[i] = is
	}
	return out
}

// escapeToken applies JSON pointer escaping, as Avro's getLocation does.
func escapeToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

// pair is Avro's calculateCompatibility.
func (w *walker) pair(r, wr *node) []issue {
	if r.kind == wr.kind {
		switch r.kind {
		case kArray:
			return under("items", w.compat(r.items, wr.items))
		case kMap:
			return under("values", w.compat(r.items, wr.items))
		case kFixed:
			return append(checkNames(r, wr), checkFixedSize(r, wr)...)
		case kEnum:
			return append(checkNames(r, wr), checkEnumSymbols(r, wr)...)
		case kRecord:
			return append(checkNames(r, wr), w.checkRecordFields(r, wr)...)
		case kUnion:
			return w.checkUnionBranches(r, wr)
		default:
			return nil // same primitive type
		}
	}
	// A reader that can read every branch of a writer union can read it.
	if wr.kind == kUnion {
		var out []issue
		for i, b := range wr.branches {
			out = append(out, under(strconv.Itoa(i), w.compat(r, b))...)
		}
		return out
	}
	if r.kind == kUnion {
		return w.checkReaderUnion(r, wr)
	}
	return checkPromotion(r, wr)
}
