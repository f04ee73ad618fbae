package jsoncompat

import "strconv"

// Rules for array schemas: the items schema, tuple items against the
// content model their additional-items keyword defines (additionalItems up
// to 2019-09, items after prefixItems in 2020-12, else unevaluatedItems),
// contains, the counts and uniqueItems. LENIENT relaxes none of them.

func itoa(i int) string { return strconv.Itoa(i) }

func (a *arrayModel) open() bool {
	return !a.addlFalse && schemaOf(a.addl) == nil && !a.unevalFalse && schemaOf(a.uneval) == nil
}

// governing returns the schema that applies to items after the tuple in a
// partially open model, or nil.
func (a *arrayModel) governing() *node {
	if s := schemaOf(a.addl); s != nil {
		return s
	}
	if a.addl == nil && !a.addlFalse {
		return schemaOf(a.uneval)
	}
	return nil
}

func (a *arrayModel) tupleKeyword(other *arrayModel) string {
	switch {
	case a.tupleKw != "":
		return a.tupleKw
	case other.tupleKw != "":
		return other.tupleKw
	}
	return "items"
}

func (a *arrayModel) addlKeyword() string {
	if a.addlKw != "" {
		return a.addlKw
	}
	return "additionalItems"
}

func (c *checker) diffArray(res *pairResult, w, r *node) {
	wa, ra := w.arr, r.arr
	c.subschema(res, r.loc, "items", wa.allItems, ra.allItems)
	kw := ra.tupleKeyword(wa)
	for i := range max(len(wa.tuple), len(ra.tuple)) {
		switch {
		case i < len(wa.tuple) && i < len(ra.tuple):
			c.sub(res, wa.tuple[i], ra.tuple[i])
		case i < len(wa.tuple):
			c.itemRemoved(res, wa.tuple[i], ra, r.loc+"/"+kw+"/"+itoa(i))
		default:
			c.itemAdded(res, ra.tuple[i], wa, r.loc+"/"+kw+"/"+itoa(i))
		}
	}
	c.openKeyword(res, r.loc, ra.addlKeyword(), wa.addl, ra.addl, wa.addlFalse, ra.addlFalse,
		"ADDITIONAL_ITEMS_REMOVED", "ADDITIONAL_ITEMS_NARROWED")
	c.openKeyword(res, r.loc, "unevaluatedItems", wa.uneval, ra.uneval, wa.unevalFalse, ra.unevalFalse,
		"UNEVALUATED_ITEMS_REMOVED", "UNEVALUATED_ITEMS_NARROWED")
	c.subschema(res, r.loc, "contains", wa.contains, ra.contains)
	c.upperBound(res, r.loc, "maxItems", wa.maxItems, ra.maxItems, "MAX_ITEMS_ADDED", "MAX_ITEMS_DECREASED")
	c.lowerBound(res, r.loc, "minItems", wa.minItems, ra.minItems, "MIN_ITEMS_ADDED", "MIN_ITEMS_INCREASED")
	c.upperBound(res, r.loc, "maxContains", wa.maxContains, ra.maxContains, "MAX_CONTAINS_ADDED", "MAX_CONTAINS_DECREASED")
	c.lowerBound(res, r.loc, "minContains", wa.minContains, ra.minContains, "MIN_CONTAINS_ADDED", "MIN_CONTAINS_INCREASED")
	if ra.unique && !wa.unique {
		c.add(res, "UNIQUE_ITEMS_ADDED", r.loc+"/uniqueItems", "")
	}
}

// subschema compares an optional subschema keyword (items as one schema,
// contains): adding one that constrains is SCHEMA_ADDED, removing one
// (SCHEMA_REMOVED) is compatible.
func (c *checker) subschema(res *pairResult, loc, kw string, wn, rn *node) {
	switch {
	case rn == nil:
	case wn == nil:
		if !isEmpty(rn) {
			c.add(res, "SCHEMA_ADDED", loc+"/"+kw, "")
		}
	default:
		c.sub(res, wn, rn)
	}
}

// itemRemoved judges a tuple item of the old schema beyond the new tuple,
// by the new schema's content model.
func (c *checker) itemRemoved(res *pairResult, item *node, ra *arrayModel, path string) {
	if ra.open() {
		return // ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL
	}
	if g := ra.governing(); g != nil {
		if !c.compatible(item, g) {
			c.add(res, "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", path, c.why(item, g))
		}
		return
	}
	if isFalse(item) {
		return // ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
	}
	c.add(res, "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", path, "")
}

// itemAdded judges a tuple item of the new schema beyond the old tuple, by
// the old schema's content model.
func (c *checker) itemAdded(res *pairResult, item *node, wa *arrayModel, path string) {
	switch {
	case wa.open():
		if !isEmpty(item) {
			c.add(res, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", path, "")
		}
	case wa.governing() != nil:
		if g := wa.governing(); !c.compatible(g, item) {
			c.add(res, "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", path, c.why(g, item))
		}
	default:
		// ITEM_ADDED_TO_CLOSED_CONTENT_MODEL: compatible
	}
}
