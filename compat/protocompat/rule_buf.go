package protocompat

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
)

// This file re-implements buf's WIRE and WIRE_JSON breaking-change
// categories (compat-rules.md §3.4) from their documentation. buf compares
// the current file (the reader, "new") with the one it is checked against
// (the writer, "old"), matching messages, enums and services by full name,
// fields and enum values by number, and methods by name. Elements only one
// side has are not compared, except for deletions the rules name.

func (c *checker) buf(json bool) {
	if wp, rp := c.w.fd.GetPackage(), c.r.fd.GetPackage(); wp != rp {
		path := rp
		if path == "" {
			path = wp
		}
		c.report(ruleFileSamePackage, path, c.r.fd, nil,
			fmt.Sprintf("The package changed from '%s' in the old schema to '%s' in the new schema", wp, rp), "old: "+wp+", new: "+rp)
	}
	for _, w := range c.wi.all {
		if r := c.ri.messages[w.full]; r != nil && r.file.main {
			c.bufMessage(r, w, json)
		}
	}
	for _, w := range c.wi.allEnums {
		if r := c.ri.enums[w.full]; r != nil && r.file.main {
			c.bufEnum(r, w, json)
		}
	}
	c.bufServices()
}

func (c *checker) bufMessage(r, w *msgInfo, json bool) {
	path := elemName(r.full)
	for _, rng := range w.md.ReservedRange {
		if !covered(r.md.ReservedRange, rng.GetStart(), rng.GetEnd()) {
			c.report(ruleReservedMessageNoDelete, path, r.md, nil,
				fmt.Sprintf("Message '%s' no longer reserves %s", path, rangeText(rng.GetStart(), rng.GetEnd()-1)), "")
		}
	}
	for _, n := range w.md.ReservedName {
		if !slices.Contains(r.md.ReservedName, n) {
			c.report(ruleReservedMessageNoDelete, path, r.md, nil,
				fmt.Sprintf("Message '%s' no longer reserves the name \"%s\"", path, n), "")
		}
	}
	if json && w.jsonFmt == descriptorpb.FeatureSet_ALLOW && r.jsonFmt != descriptorpb.FeatureSet_ALLOW {
		c.report(ruleMessageSameJSONFormat, path, r.md, nil,
			fmt.Sprintf("Message '%s' no longer supports JSON (json_format changed from ALLOW to %s)", path, r.jsonFmt), "")
	}
	for _, wf := range w.md.Field {
		rf := r.byNum[wf.GetNumber()]
		if rf == nil {
			fpath := fieldName(w, wf)
			if isRequired(wf) {
				c.report(ruleMessageSameRequiredFields, fpath, nil, wf,
					fmt.Sprintf("Required field '%s' (number %d) was removed", fpath, wf.GetNumber()), "")
			}
			if !covered(r.md.ReservedRange, wf.GetNumber(), wf.GetNumber()+1) {
				c.report(ruleFieldNoDeleteUnlessNumberReserved, fpath, nil, wf,
					fmt.Sprintf("Field '%s' (number %d) was deleted without reserving its number", fpath, wf.GetNumber()), "")
			}
			if json && !slices.Contains(r.md.ReservedName, wf.GetName()) {
				c.report(ruleFieldNoDeleteUnlessNameReserved, fpath, nil, wf,
					fmt.Sprintf("Field '%s' (number %d) was deleted without reserving its name", fpath, wf.GetNumber()), "")
			}
			continue
		}
		c.bufField(r, rf, w, wf, json)
	}
	for _, rf := range r.md.Field {
		if w.byNum[rf.GetNumber()] == nil && isRequired(rf) {
			fpath := fieldName(r, rf)
			c.report(ruleMessageSameRequiredFields, fpath, rf, nil,
				fmt.Sprintf("Required field '%s' (number %d) was added", fpath, rf.GetNumber()), "")
		}
	}
}

// covered reports whether the numbers [start, end) all lie in ranges
// (whose ends are exclusive).
func covered(ranges []*descriptorpb.DescriptorProto_ReservedRange, start, end int32) bool {
	for n := start; n < end; {
		next := n
		for _, r := range ranges {
			if r.GetStart() <= n && n < r.GetEnd() {
				next = r.GetEnd()
				break
			}
		}
		if next == n {
			return false
		}
		n = next
	}
	return true
}

func oneofName(m *msgInfo, f *descriptorpb.FieldDescriptorProto) string {
	if o := realOneof(f); o >= 0 && int(o) < len(m.md.OneofDecl) {
		return m.md.OneofDecl[o].GetName()
	}
	return ""
}

func (c *checker) bufField(r *msgInfo, rf *descriptorpb.FieldDescriptorProto, w *msgInfo, wf *descriptorpb.FieldDescriptorProto, json bool) {
	path := fieldName(r, rf)
	num := rf.GetNumber()
	if ro, wo := oneofName(r, rf), oneofName(w, wf); ro != wo {
		c.report(ruleFieldSameOneof, path, rf, nil,
			fmt.Sprintf("Field '%s' (number %d) moved from %s to %s", path, num, oneofWord(wo), oneofWord(ro)), "")
	}
	if rreq, wreq := isRequired(rf), isRequired(wf); rreq != wreq {
		verb := "became required"
		if wreq {
			verb = "is no longer required"
		}
		c.report(ruleMessageSameRequiredFields, path, rf, nil, fmt.Sprintf("Field '%s' (number %d) %s", path, num, verb), "")
	}
	cardRule, typeRule := ruleFieldWireCompatibleCardinality, ruleFieldWireCompatibleType
	if json {
		cardRule, typeRule = ruleFieldWireJSONCompatibleCardinality, ruleFieldWireJSONCompatibleType
	}
	if rc, wc := bufCardinality(c.ri, rf, json), bufCardinality(c.wi, wf, json); rc != wc {
		c.report(cardRule, path, rf, nil, fmt.Sprintf("Field '%s' (number %d) changed cardinality from %s to %s", path, num, wc, rc), "old: "+wc+", new: "+rc)
	}
	if !c.bufTypeCompatible(rf, wf, json) {
		c.report(typeRule, path, rf, nil,
			fmt.Sprintf("Field '%s' (number %d) changed type from %s to %s", path, num, typeText(wf), typeText(rf)), "old: "+typeText(wf)+", new: "+typeText(rf))
	}
	if rd, rok := c.ri.defaultOf(rf); rok {
		if wd, wok := c.wi.defaultOf(wf); wok && rd[0] == wd[0] && rd != wd {
			c.report(ruleFieldSameDefault, path, rf, nil,
				fmt.Sprintf("Field '%s' (number %d) changed its default value from %s to %s", path, num, wd[2:], rd[2:]), "")
		}
	}
	if !json {
		return
	}
	if rf.GetName() != wf.GetName() {
		c.report(ruleFieldSameName, path, rf, nil, fmt.Sprintf("Field '%s' (number %d) was renamed from '%s'", path, num, wf.GetName()), "")
	}
	if rj, wj := effectiveJSONName(rf), effectiveJSONName(wf); rj != wj {
		c.report(ruleFieldSameJSONName, path, rf, nil, fmt.Sprintf("Field '%s' (number %d) changed JSON name from '%s' to '%s'", path, num, wj, rj), "")
	}
}

func oneofWord(name string) string {
	if name == "" {
		return "no oneof"
	}
	return "oneof '" + name + "'"
}

func effectiveJSONName(f *descriptorpb.FieldDescriptorProto) string {
	if f.JsonName != nil {
		return f.GetJsonName()
	}
	return jsonCamelCase(f.GetName())
}

// bufCardinality is buf's cardinality group: optional (any presence),
// required, repeated; map is its own group for JSON only.
func bufCardinality(ix *index, f *descriptorpb.FieldDescriptorProto, json bool) string {
	switch {
	case isRequired(f):
		return "required"
	case isRepeated(f):
		if json && ix.isMapField(f) {
			return "map"
		}
		return "repeated"
	}
	return "optional"
}

var (
	wireGroups = map[descriptorpb.FieldDescriptorProto_Type]int{
		descriptorpb.FieldDescriptorProto_TYPE_INT32: 1, descriptorpb.FieldDescriptorProto_TYPE_INT64: 1,
		descriptorpb.FieldDescriptorProto_TYPE_UINT32: 1, descriptorpb.FieldDescriptorProto_TYPE_UINT64: 1,
		descriptorpb.FieldDescriptorProto_TYPE_BOOL:   1,
		descriptorpb.FieldDescriptorProto_TYPE_SINT32: 2, descriptorpb.FieldDescriptorProto_TYPE_SINT64: 2,
		descriptorpb.FieldDescriptorProto_TYPE_FIXED32: 3, descriptorpb.FieldDescriptorProto_TYPE_SFIXED32: 3,
		descriptorpb.FieldDescriptorProto_TYPE_FIXED64: 4, descriptorpb.FieldDescriptorProto_TYPE_SFIXED64: 4,
	}
	wireJSONGroups = map[descriptorpb.FieldDescriptorProto_Type]int{
		descriptorpb.FieldDescriptorProto_TYPE_INT32: 1, descriptorpb.FieldDescriptorProto_TYPE_UINT32: 1,
		descriptorpb.FieldDescriptorProto_TYPE_INT64: 2, descriptorpb.FieldDescriptorProto_TYPE_UINT64: 2,
		descriptorpb.FieldDescriptorProto_TYPE_FIXED32: 3, descriptorpb.FieldDescriptorProto_TYPE_SFIXED32: 3,
		descriptorpb.FieldDescriptorProto_TYPE_FIXED64: 4, descriptorpb.FieldDescriptorProto_TYPE_SFIXED64: 4,
	}
)

func (c *checker) bufTypeCompatible(rf, wf *descriptorpb.FieldDescriptorProto, json bool) bool {
	rt, wt := rf.GetType(), wf.GetType()
	if rt == wt {
		switch rt {
		case descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, descriptorpb.FieldDescriptorProto_TYPE_GROUP:
			return rf.GetTypeName() == wf.GetTypeName()
		case descriptorpb.FieldDescriptorProto_TYPE_ENUM:
			return rf.GetTypeName() == wf.GetTypeName() || c.enumSuperset(rf.GetTypeName(), wf.GetTypeName())
		}
		return true
	}
	if json {
		rg, rok := wireJSONGroups[rt]
		wg, wok := wireJSONGroups[wt]
		return rok && wok && rg == wg
	}
	if wt == descriptorpb.FieldDescriptorProto_TYPE_STRING && rt == descriptorpb.FieldDescriptorProto_TYPE_BYTES {
		return true
	}
	rg, rok := wireGroups[rt]
	wg, wok := wireGroups[wt]
	return rok && wok && rg == wg
}

// enumSuperset reports whether an enum field may change from enum wt to
// enum rt: same short name, and every writer value number still exists.
func (c *checker) enumSuperset(rt, wt string) bool {
	re, we := c.ri.enums[rt], c.wi.enums[wt]
	if re == nil || we == nil || re.ed.GetName() != we.ed.GetName() {
		return false
	}
	for _, wv := range we.ed.Value {
		if !slices.ContainsFunc(re.ed.Value, func(v *descriptorpb.EnumValueDescriptorProto) bool { return v.GetNumber() == wv.GetNumber() }) {
			return false
		}
	}
	return true
}

// defaultOf returns a singular scalar field's effective default value as
// "<class>:<value>", class s (string/bytes), b (bool), i (integer or enum
// number), f (float); ok is false for other fields.
func (ix *index) defaultOf(f *descriptorpb.FieldDescriptorProto) (string, bool) {
	if isRepeated(f) {
		return "", false
	}
	v, set := f.GetDefaultValue(), f.DefaultValue != nil
	switch f.GetType() {
	case descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, descriptorpb.FieldDescriptorProto_TYPE_GROUP:
		return "", false
	case descriptorpb.FieldDescriptorProto_TYPE_STRING:
		return "s:" + strconv.Quote(v), true
	case descriptorpb.FieldDescriptorProto_TYPE_BYTES:
		return "s:" + strconv.Quote(unescapeC(v)), true
	case descriptorpb.FieldDescriptorProto_TYPE_BOOL:
		if !set {
			v = "false"
		}
		return "b:" + v, true
	case descriptorpb.FieldDescriptorProto_TYPE_ENUM:
		e := ix.enums[f.GetTypeName()]
		if e == nil || len(e.ed.Value) == 0 {
			return "", false
		}
		n := e.ed.Value[0].GetNumber()
		if set {
			for _, ev := range e.ed.Value {
				if ev.GetName() == v {
					n = ev.GetNumber()
					break
				}
			}
		}
		return "i:" + strconv.Itoa(int(n)), true
	case descriptorpb.FieldDescriptorProto_TYPE_FLOAT, descriptorpb.FieldDescriptorProto_TYPE_DOUBLE:
		if !set {
			return "f:0", true
		}
		switch strings.ToLower(v) {
		case "inf", "+inf", "infinity":
			return "f:inf", true
		case "-inf", "-infinity":
			return "f:-inf", true
		case "nan":
			return "f:nan", true
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "f:" + v, true
		}
		return "f:" + strconv.FormatFloat(x, 'g', -1, 64), true
	}
	if !set {
		return "i:0", true
	}
	return "i:" + v, true
}

func (c *checker) bufEnum(r, w *enumInfo, json bool) {
	path := elemName(r.full)
	for _, rng := range w.ed.ReservedRange {
		if !enumCovered(r.ed.ReservedRange, rng.GetStart(), rng.GetEnd()) {
			c.report(ruleReservedEnumNoDelete, path, r.ed, nil,
				fmt.Sprintf("Enum '%s' no longer reserves %s", path, rangeTextFor(rng.GetStart(), rng.GetEnd(), false)), "")
		}
	}
	for _, n := range w.ed.ReservedName {
		if !slices.Contains(r.ed.ReservedName, n) {
			c.report(ruleReservedEnumNoDelete, path, r.ed, nil,
				fmt.Sprintf("Enum '%s' no longer reserves the name \"%s\"", path, n), "")
		}
	}
	if json && w.jsonFmt == descriptorpb.FeatureSet_ALLOW && r.jsonFmt != descriptorpb.FeatureSet_ALLOW {
		c.report(ruleEnumSameJSONFormat, path, r.ed, nil,
			fmt.Sprintf("Enum '%s' no longer supports JSON (json_format changed from ALLOW to %s)", path, r.jsonFmt), "")
	}
	names := func(e *descriptorpb.EnumDescriptorProto, n int32) []string {
		var out []string
		for _, v := range e.Value {
			if v.GetNumber() == n {
				out = append(out, v.GetName())
			}
		}
		return out
	}
	done := map[int32]bool{}
	for _, wv := range w.ed.Value {
		n := wv.GetNumber()
		if done[n] {
			continue
		}
		done[n] = true
		rnames := names(r.ed, n)
		vpath := path + "." + wv.GetName()
		if len(rnames) == 0 {
			if !enumCovered(r.ed.ReservedRange, n, n) {
				c.report(ruleEnumValueNoDeleteUnlessNumberReserve, vpath, nil, wv,
					fmt.Sprintf("Enum value '%s' (number %d) was deleted without reserving its number", vpath, n), "")
			}
			if json {
				for _, name := range names(w.ed, n) {
					if !slices.Contains(r.ed.ReservedName, name) {
						vp := path + "." + name
						c.report(ruleEnumValueNoDeleteUnlessNameReserved, vp, nil, wv,
							fmt.Sprintf("Enum value '%s' (number %d) was deleted without reserving its name", vp, n), "")
					}
				}
			}
			continue
		}
		if !json {
			continue
		}
		for _, name := range names(w.ed, n) {
			if !slices.Contains(rnames, name) {
				var relem any
				for _, v := range r.ed.Value {
					if v.GetNumber() == n {
						relem = v
						break
					}
				}
				vp := path + "." + rnames[0]
				c.report(ruleEnumValueSameName, vp, relem, nil,
					fmt.Sprintf("Enum value '%s' (number %d) was renamed from '%s'", vp, n, name), "")
			}
		}
	}
}

// enumCovered reports whether [start, end] (inclusive, as enum reserved
// ranges are) lies in ranges.
func enumCovered(ranges []*descriptorpb.EnumDescriptorProto_EnumReservedRange, start, end int32) bool {
	for n := int64(start); n <= int64(end); {
		next := n
		for _, r := range ranges {
			if int64(r.GetStart()) <= n && n <= int64(r.GetEnd()) {
				next = int64(r.GetEnd()) + 1
				break
			}
		}
		if next == n {
			return false
		}
		n = next
	}
	return true
}

func (c *checker) bufServices() {
	prefix := ""
	if c.w.fd.GetPackage() != "" {
		prefix = c.w.fd.GetPackage() + "."
	}
	rprefix := ""
	if c.r.fd.GetPackage() != "" {
		rprefix = c.r.fd.GetPackage() + "."
	}
	for _, ws := range c.w.fd.Service {
		var rs *descriptorpb.ServiceDescriptorProto
		for _, s := range c.r.fd.Service {
			if rprefix+s.GetName() == prefix+ws.GetName() {
				rs = s
			}
		}
		if rs == nil {
			continue
		}
		for _, wm := range ws.Method {
			for _, rm := range rs.Method {
				if rm.GetName() == wm.GetName() {
					c.bufMethod(rprefix+rs.GetName()+"."+rm.GetName(), rm, wm)
				}
			}
		}
	}
}

func (c *checker) bufMethod(path string, r, w *descriptorpb.MethodDescriptorProto) {
	if r.GetClientStreaming() != w.GetClientStreaming() {
		c.report(ruleRPCSameClientStreaming, path, r, nil,
			fmt.Sprintf("Method '%s' changed client streaming from %t to %t", path, w.GetClientStreaming(), r.GetClientStreaming()), "")
	}
	if r.GetServerStreaming() != w.GetServerStreaming() {
		c.report(ruleRPCSameServerStreaming, path, r, nil,
			fmt.Sprintf("Method '%s' changed server streaming from %t to %t", path, w.GetServerStreaming(), r.GetServerStreaming()), "")
	}
	if r.GetInputType() != w.GetInputType() {
		c.report(ruleRPCSameRequestType, path, r, nil,
			fmt.Sprintf("Method '%s' changed its request type from '%s' to '%s'", path, elemName(w.GetInputType()), elemName(r.GetInputType())), "")
	}
	if r.GetOutputType() != w.GetOutputType() {
		c.report(ruleRPCSameResponseType, path, r, nil,
			fmt.Sprintf("Method '%s' changed its response type from '%s' to '%s'", path, elemName(w.GetOutputType()), elemName(r.GetOutputType())), "")
	}
	if rl, wl := r.GetOptions().GetIdempotencyLevel(), w.GetOptions().GetIdempotencyLevel(); rl != wl {
		c.report(ruleRPCSameIdempotencyLevel, path, r, nil,
			fmt.Sprintf("Method '%s' changed its idempotency level from %s to %s", path, wl, rl), "")
	}
}
