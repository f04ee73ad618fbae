package avrocompat

// checkPromotion handles a reader and writer of different, non-union types
// (TYPE_MISMATCH): only Avro's promotions are allowed.
func checkPromotion(r, w *node) []issue {
	if promotes(w.kind, r.kind) {
		return nil
	}
	return []issue{typeMismatch(r, w)}
}

// promotes reports whether data written as from can be read as to, for two
// different types.
func promotes(from, to kind) bool {
	switch to {
	case kLong:
		return from == kInt
	case kFloat:
		return from == kInt || from == kLong
	case kDouble:
		return from == kInt || from == kLong || from == kFloat
	case kBytes:
		return from == kString
	case kString:
		return from == kBytes
	}
	return false
}

func typeMismatch(r, w *node) issue {
	return issue{
		rule: ruleTypeMismatch,
		info: "reader type: " + r.kind.upper() + " not compatible with writer type: " + w.kind.upper(),
	}
}
