package jsoncompat

import (
	"math/big"
)

// Rules for string and number schemas and the shared keyword bounds.

// upperBound reports a bound that limits from above (maxLength, maximum,
// maxItems, ...): adding it or lowering it narrows the schema.
func (c *checker) upperBound(res *pairResult, loc, kw string, old, new *big.Rat, added, decreased string) {
	switch {
	case new == nil:
		// removed or absent: widens
	case old == nil:
		c.add(res, added, loc+"/"+kw, "new: "+new.RatString())
	case new.Cmp(old) < 0:
		c.add(res, decreased, loc+"/"+kw, "new: "+new.RatString()+", old: "+old.RatString())
	}
}

// lowerBound reports a bound that limits from below (minLength, minimum,
// minItems, ...): adding it or raising it narrows the schema.
func (c *checker) lowerBound(res *pairResult, loc, kw string, old, new *big.Rat, added, increased string) {
	switch {
	case new == nil:
	case old == nil:
		c.add(res, added, loc+"/"+kw, "new: "+new.RatString())
	case new.Cmp(old) > 0:
		c.add(res, increased, loc+"/"+kw, "new: "+new.RatString()+", old: "+old.RatString())
	}
}

// diffString: MAX_LENGTH_*, MIN_LENGTH_*, PATTERN_*. Confluent ignores
// format, contentEncoding and contentMediaType.
func (c *checker) diffString(res *pairResult, w, r *node) {
	c.upperBound(res, r.loc, "maxLength", w.maxLength, r.maxLength, "MAX_LENGTH_ADDED", "MAX_LENGTH_DECREASED")
	c.lowerBound(res, r.loc, "minLength", w.minLength, r.minLength, "MIN_LENGTH_ADDED", "MIN_LENGTH_INCREASED")
	switch {
	case r.pattern == nil:
	case w.pattern == nil:
		c.add(res, "PATTERN_ADDED", r.loc+"/pattern", "new: "+*r.pattern)
	case *w.pattern != *r.pattern:
		c.add(res, "PATTERN_CHANGED", r.loc+"/pattern", "new: "+*r.pattern+", old: "+*w.pattern)
	}
}

// diffNumber: TYPE_NARROWED (number to integer), the bounds and
// multipleOf. exclusiveMaximum is compared with the old exclusiveMaximum;
// Confluent's code compares it with the new maximum (and throws when there
// is none), which is a bug this package does not copy.
func (c *checker) diffNumber(res *pairResult, w, r *node) {
	if !w.integer && r.integer {
		c.add(res, "TYPE_NARROWED", r.loc+"/type", "")
	}
	c.upperBound(res, r.loc, "maximum", w.maximum, r.maximum, "MAXIMUM_ADDED", "MAXIMUM_DECREASED")
	c.lowerBound(res, r.loc, "minimum", w.minimum, r.minimum, "MINIMUM_ADDED", "MINIMUM_INCREASED")
	c.upperBound(res, r.loc, "exclusiveMaximum", w.exclMax, r.exclMax, "EXCLUSIVE_MAXIMUM_ADDED", "EXCLUSIVE_MAXIMUM_DECREASED")
	c.lowerBound(res, r.loc, "exclusiveMinimum", w.exclMin, r.exclMin, "EXCLUSIVE_MINIMUM_ADDED", "EXCLUSIVE_MINIMUM_INCREASED")
	c.multipleOf(res, r.loc, w.multOf, r.multOf)
}

// multipleOf compares with exact rationals, so 0.5 equals 0.50 and 0.1
// divides 0.3. A new multipleOf that divides the old one only allows more
// values (MULTIPLE_OF_REDUCED, compatible).
func (c *checker) multipleOf(res *pairResult, loc string, old, new *big.Rat) {
	path := loc + "/multipleOf"
	switch {
	case new == nil:
		return
	case old == nil:
		c.add(res, "MULTIPLE_OF_ADDED", path, "new: "+new.RatString())
		return
	case old.Cmp(new) == 0:
		return
	}
	detail := "new: " + new.RatString() + ", old: " + old.RatString()
	switch {
	case isIntegerMultiple(old, new):
		// reduced: compatible
	case isIntegerMultiple(new, old):
		c.add(res, "MULTIPLE_OF_EXPANDED", path, detail)
	default:
		c.add(res, "MULTIPLE_OF_CHANGED", path, detail)
	}
}

// isIntegerMultiple reports whether a is an integer multiple of b.
func isIntegerMultiple(a, b *big.Rat) bool {
	if b.Sign() == 0 {
		return false
	}
	return new(big.Rat).Quo(a, b).IsInt()
}
