package avrocompat

import (
	"slices"
	"strconv"
	"strings"
)

// checkNames is Avro's checkSchemaNames (NAME_MISMATCH): named types match
// on their unqualified names, so a namespace-only change is compatible, or
// when one of the reader's aliases is the writer's full name.
func checkNames(r, w *node) []issue {
	if r.name == w.name || slices.Contains(r.aliases, w.fullName()) {
		return nil
	}
	return []issue{{rule: ruleNameMismatch, path: "/name", info: "expected: " + w.fullName()}}
}

// checkFixedSize is Avro's checkFixedSize (FIXED_SIZE_MISMATCH).
func checkFixedSize(r, w *node) []issue {
	if r.size == w.size {
		return nil
	}
	return []issue{{
		rule: ruleFixedSizeMismatch,
		path: "/size",
		info: "expected: " + strconv.Itoa(w.size) + ", found: " + strconv.Itoa(r.size),
	}}
}

// checkEnumSymbols is Avro's checkReaderEnumContainsAllWriterEnumSymbols
// (MISSING_ENUM_SYMBOLS). A reader enum with a default symbol reads unknown
// symbols as that default, so it never misses any.
func checkEnumSymbols(r, w *node) []issue {
	if r.enumDefault != nil {
		return nil // the parser guarantees the default is one of the symbols
	}
	var missing []string
	for _, s := range w.symbols {
		if !slices.Contains(r.symbols, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing) // Avro collects them in a TreeSet
	return []issue{{rule: ruleMissingEnumSymbols, path: "/symbols", info: "[" + strings.Join(missing, ", ") + "]"}}
}
