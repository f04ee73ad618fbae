package avrocompat

import (
	"fmt"
	"math"
)

// validateDefaults checks every field default reachable from root the way
// Avro's Schema.Parser does when default validation is on (isValidDefault):
// the JSON kind must fit the field type, a union default must fit the first
// branch, and a record default must give (or inherit) a valid value for every
// field.
func validateDefaults(root *node) error {
	seen := make(map[*node]bool)
	budget := maxDefaultSteps
	var walk func(n *node) error
	walk = func(n *node) error {
		if seen[n] {
			return nil
		}
		seen[n] = true
		switch n.kind {
		case kRecord:
			for _, f := range n.fields {
				if f.def != nil && !validDefault(f.typ, f.def, 0, &budget) {
					return fmt.Errorf("invalid default for field %s in record %s: %s not a %s",
						f.name, n.fullName(), describeDefault(f.def), typeLabel(f.typ))
				}
				if err := walk(f.typ); err != nil {
					return err
				}
			}
		case kArray, kMap:
			return walk(n.items)
		case kUnion:
			for _, b := range n.branches {
				if err := walk(b); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root)
}

func describeDefault(v *jval) string {
	switch v.kind {
	case jnumber:
		return v.s
	case jnull:
		return "null"
	case jbool:
		if v.b {
			return "true"
		}
		return "false"
	case jstring:
		return fmt.Sprintf("%q", v.s)
	}
	return jsonKindName(v.kind)
}

func typeLabel(n *node) string {
	if n.kind.named() {
		return n.kind.String() + " " + n.fullName()
	}
	return n.kind.String()
}

// maxDefaultDepth stops a record default that keeps inheriting nested
// defaults of the same record type (Avro would overflow its stack).
const maxDefaultDepth = 256

// maxDefaultSteps bounds the total work of default validation per schema: a
// record default inherits its fields' own defaults, so a schema whose record
// fields share record types could otherwise make validation exponential.
const maxDefaultSteps = 1 << 20

func validDefault(n *node, v *jval, depth int, budget *int) bool {
	*budget--
	if v == nil || depth > maxDefaultDepth || *budget < 0 {
		return false
	}
	switch n.kind {
	case kString, kBytes, kEnum, kFixed:
		return v.kind == jstring
	case kInt, kLong:
		if v.kind != jnumber || !isIntegral(v.s) {
			return false
		}
		i, ok := intLiteral(v.s)
		return ok && (n.kind == kLong || (i >= math.MinInt32 && i <= math.MaxInt32))
	case kFloat, kDouble:
		return v.kind == jnumber
	case kBoolean:
		return v.kind == jbool
	case kNull:
		return v.kind == jnull
	case kArray:
		if v.kind != jarray {
			return false
		}
		for _, el := range v.arr {
			if !validDefault(n.items, el, depth+1, budget) {
				return false
			}
		}
		return true
	case kMap:
		if v.kind != jobject {
			return false
		}
		for _, m := range v.members {
			if !validDefault(n.items, m.val, depth+1, budget) {
				return false
			}
		}
		return true
	case kUnion:
		return len(n.branches) > 0 && validDefault(n.branches[0], v, depth+1, budget)
	case kRecord:
		if v.kind != jobject {
			return false
		}
		for _, f := range n.fields {
			fv := v.get(f.name)
			if fv == nil {
				fv = f.def
			}
			if !validDefault(f.typ, fv, depth+1, budget) {
				return false
			}
		}
		return true
	}
	return false
}
