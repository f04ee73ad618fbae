package avrocompat

import "strconv"

// checkRecordFields is Avro's checkReaderWriterRecordFields: each reader
// field is read from the writer field of the same name (or of one of the
// reader field's aliases), or else needs a default
// (READER_FIELD_MISSING_DEFAULT_VALUE).
//
// Avro's quirk is kept: a missing reader field without a default whose type
// is an enum with a default symbol is checked against the writer record
// itself, which reports TYPE_MISMATCH at /fields/N/type instead.
func (w *walker) checkRecordFields(r, wr *node) []issue {
	var out []issue
	for i, f := range r.fields {
		wf, ambiguous := lookupWriterField(wr, f)
		switch {
		case ambiguous:
			// Avro throws here ("matches multiple fields"), which
			// Confluent reports as an incompatibility.
			out = append(out, issue{rule: ruleReaderFieldMissingDefault, path: fieldPath(i), info: f.name})
		case wf != nil:
			out = append(out, prefixed(i, w.compat(f.typ, wf.typ))...)
		case f.def != nil:
			// The default fills the field.
		case f.typ.kind == kEnum && f.typ.enumDefault != nil:
			out = append(out, prefixed(i, w.compat(f.typ, wr))...)
		default:
			out = append(out, issue{rule: ruleReaderFieldMissingDefault, path: fieldPath(i), info: f.name})
		}
	}
	return out
}

func fieldPath(i int) string { return "/fields/" + strconv.Itoa(i) }

// prefixed re-roots issues found in the type of field i.
func prefixed(i int, issues []issue) []issue {
	if len(issues) == 0 {
		return nil
	}
	prefix := fieldPath(i) + "/type"
	out := make([]issue, len(issues))
	for i, is := range issues {
		is.path = prefix + is.path
		out[i] = is
	}
	return out
}

// lookupWriterField is Avro's lookupWriterField. Matches are counted, not
// deduplicated, as in Avro: a reader field whose alias repeats its own name
// matches its writer twice.
func lookupWriterField(w *node, f *field) (match *field, ambiguous bool) {
	n := 0
	if pos, ok := w.fieldPos[f.name]; ok {
		match = w.fields[pos]
		n++
	}
	for _, a := range f.aliases {
		if pos, ok := w.fieldPos[a]; ok {
			match = w.fields[pos]
			n++
		}
	}
	return match, n > 1
}
