package jsoncompat

import "slices"

// Rules for object schemas: required, properties against the open,
// partially open and closed content models, dependencies,
// additionalProperties, unevaluatedProperties and the property counts.
//
// Content models (Confluent's ObjectSchemaDiff): an object is open when
// additionalProperties is absent or true, it has no patternProperties, and
// unevaluatedProperties is absent or true. A property name is covered by a
// partially open model when a patternProperties regex matches it (the first
// in document order wins), or else additionalProperties is a schema, or else
// additionalProperties is absent and unevaluatedProperties is a schema.
// Anything else is closed. A removed property is judged by the new
// (reader) schema's model, an added one by the old (writer) schema's.
//
// One deliberate difference: an additionalProperties (or
// unevaluatedProperties) schema that accepts everything ({} or a $ref to
// {}) counts as true. Confluent counts it as a schema, so true -> {} is
// ADDITIONAL_PROPERTIES_NARROWED there.

// schemaOf returns a keyword's schema unless it accepts everything.
func schemaOf(n *node) *node {
	if n == nil || isEmpty(n) {
		return nil
	}
	return n
}

func (o *objectModel) open() bool {
	return len(o.patternProps) == 0 && !o.addlFalse && schemaOf(o.addl) == nil &&
		!o.unevalFalse && schemaOf(o.uneval) == nil
}

// governing returns the schema a partially open model applies to a
// property name that is not in properties, or nil.
func (o *objectModel) governing(name string) *node {
	for _, p := range o.patternProps {
		if p.re != nil && p.re.MatchString(name) {
			return p.n
		}
	}
	if s := schemaOf(o.addl); s != nil {
		return s
	}
	if o.addl == nil && !o.addlFalse && !o.addlSet {
		return schemaOf(o.uneval)
	}
	return nil
}

func hasDefault(n *node) bool {
	return n.hasDefault || deref(n).hasDefault
}

func (c *checker) diffObject(res *pairResult, w, r *node) {
	wo, ro := w.obj, r.obj
	c.requiredAdded(res, wo, ro, r.loc)
	for _, p := range wo.props {
		if i, ok := ro.propIndex[p.name]; ok {
			c.sub(res, p.n, ro.props[i].n)
		} else {
			c.propertyRemoved(res, p, ro, r.loc+"/properties/"+escapeToken(p.name))
		}
	}
	for _, p := range ro.props {
		if _, ok := wo.propIndex[p.name]; !ok {
			c.propertyAdded(res, p, wo, ro, r.loc+"/properties/"+escapeToken(p.name))
		}
	}
	c.dependencies(res, wo, ro, r.loc)
	c.openKeyword(res, r.loc, "additionalProperties", wo.addl, ro.addl, wo.addlFalse, ro.addlFalse,
		"ADDITIONAL_PROPERTIES_REMOVED", "ADDITIONAL_PROPERTIES_NARROWED")
	c.openKeyword(res, r.loc, "unevaluatedProperties", wo.uneval, ro.uneval, wo.unevalFalse, ro.unevalFalse,
		"UNEVALUATED_PROPERTIES_REMOVED", "UNEVALUATED_PROPERTIES_NARROWED")
	c.upperBound(res, r.loc, "maxProperties", wo.maxProps, ro.maxProps, "MAX_PROPERTIES_ADDED", "MAX_PROPERTIES_DECREASED")
	c.lowerBound(res, r.loc, "minProperties", wo.minProps, ro.minProps, "MIN_PROPERTIES_ADDED", "MIN_PROPERTIES_INCREASED")
}

// requiredAdded: REQUIRED_ATTRIBUTE_ADDED for a property of both schemas
// that becomes required without a default in the new schema. Names in
// required that neither schema defines under properties are not compared,
// as in Confluent.
func (c *checker) requiredAdded(res *pairResult, wo, ro *objectModel, loc string) {
	for _, p := range wo.props {
		ri, inR := ro.propIndex[p.name]
		if !inR {
			continue
		}
		_, wReq := wo.required[p.name]
		idx, rReq := ro.required[p.name]
		if rReq && !wReq && !hasDefault(ro.props[ri].n) {
			c.add(res, "REQUIRED_ATTRIBUTE_ADDED", loc+"/required/"+itoa(idx), p.name)
		}
	}
}

// propertyRemoved judges a property of the old schema that the new schema
// no longer lists, by the new schema's content model.
func (c *checker) propertyRemoved(res *pairResult, p prop, ro *objectModel, path string) {
	if ro.open() {
		return // PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
	}
	if g := ro.governing(p.name); g != nil {
		if !c.compatible(p.n, g) {
			c.add(res, "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", path, c.why(p.n, g))
		}
		return
	}
	if isFalse(p.n) {
		return // PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
	}
	c.add(res, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", path, p.name)
}

// propertyAdded judges a property the new schema lists and the old one
// does not, by the old schema's content model.
func (c *checker) propertyAdded(res *pairResult, p prop, wo, ro *objectModel, path string) {
	_, required := ro.required[p.name]
	def := hasDefault(p.n)
	if wo.open() {
		switch {
		case isEmpty(p.n):
			// PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
		case required && !def:
			c.add(res, "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", path, p.name)
		case required:
			c.add(res, "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", path, p.name)
		default:
			c.add(res, "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", path, p.name)
		}
		return
	}
	if g := wo.governing(p.name); g != nil && !c.compatible(g, p.n) {
		c.add(res, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", path, c.why(g, p.n))
	}
	if required && !def {
		c.add(res, "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", path, p.name)
	}
}

// dependencies compares property dependencies (dependencies arrays and
// dependentRequired) and schema dependencies (dependencies schemas and
// dependentSchemas) by property name.
func (c *checker) dependencies(res *pairResult, wo, ro *objectModel, loc string) {
	for _, rd := range ro.depArrays {
		path := loc + "/" + rd.kw + "/" + escapeToken(rd.key)
		i := slices.IndexFunc(wo.depArrays, func(d depArray) bool { return d.key == rd.key })
		if i < 0 {
			c.add(res, "DEPENDENCY_ARRAY_ADDED", path, rd.key)
			continue
		}
		ws, rs := stringSet(wo.depArrays[i].names), stringSet(rd.names)
		switch {
		case subset(ws, rs) && subset(rs, ws):
		case subset(ws, rs):
			c.add(res, "DEPENDENCY_ARRAY_EXTENDED", path, rd.key)
		case subset(rs, ws):
			// DEPENDENCY_ARRAY_NARROWED: compatible
		default:
			c.add(res, "DEPENDENCY_ARRAY_CHANGED", path, rd.key)
		}
	}
	for _, rd := range ro.depSchemas {
		i := slices.IndexFunc(wo.depSchemas, func(d depSchema) bool { return d.key == rd.key })
		if i < 0 {
			c.add(res, "DEPENDENCY_SCHEMA_ADDED", loc+"/"+rd.kw+"/"+escapeToken(rd.key), rd.key)
			continue
		}
		c.sub(res, wo.depSchemas[i].n, rd.n)
	}
}

func stringSet(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// openKeyword compares a false/true/schema keyword that opens or closes a
// content model (additionalProperties, unevaluatedProperties,
// additionalItems, unevaluatedItems): becoming false is *_REMOVED, going
// from unconstrained to a schema is *_NARROWED, two schemas are compared.
func (c *checker) openKeyword(res *pairResult, loc, kw string, wn, rn *node, wFalse, rFalse bool, removed, narrowed string) {
	ws, rs := schemaOf(wn), schemaOf(rn)
	switch {
	case wFalse != rFalse:
		if rFalse {
			c.add(res, removed, loc+"/"+kw, "")
		}
	case ws == nil && rs != nil:
		c.add(res, narrowed, loc+"/"+kw, "")
	case ws != nil && rs != nil:
		c.sub(res, ws, rs)
	}
}
