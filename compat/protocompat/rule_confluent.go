package protocompat

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
)

// This file re-implements the verdicts of Confluent's Protobuf SchemaDiff
// (compare the old file with the new one, allow only the differences in
// its COMPATIBLE_CHANGES) from its documented behaviour; see
// compat-rules.md §3.1. Messages are matched by package-relative name,
// fields by number, oneof moves by where each field number lived before
// and after.

// sink receives findings; structural comparisons of imported types use a
// sink that only notes that something differs.
type sink func(ruleID, path string, relem, welem any, msg, detail string)

func (c *checker) confluent() {
	report := sink(c.report)
	if wp, rp := c.w.fd.GetPackage(), c.r.fd.GetPackage(); wp != rp {
		path := rp
		if path == "" {
			path = wp
		}
		report(rulePackageChanged, path, c.r.fd, nil,
			fmt.Sprintf("The package changed from '%s' in the old schema to '%s' in the new schema", wp, rp), "old: "+wp+", new: "+rp)
	}
	c.compareTypes(c.ri.top, c.wi.top, report)
}

// compareTypes matches writer messages with reader messages of the same
// scope by name.
func (c *checker) compareTypes(rs, ws []*msgInfo, report sink) {
	byName := make(map[string]*msgInfo, len(rs))
	for _, r := range rs {
		byName[r.md.GetName()] = r
	}
	for _, w := range ws {
		r := byName[w.md.GetName()]
		if r == nil {
			path := elemName(w.full)
			report(ruleMessageRemoved, path, nil, w.md,
				fmt.Sprintf("Message '%s' of the old schema is missing in the new schema", path), "")
			continue
		}
		c.compareMessage(r, w, report)
		c.compareTypes(r.children, w.children, report)
	}
}

func (c *checker) compareMessage(r, w *msgInfo, report sink) {
	for _, wf := range w.md.Field {
		rf := r.byNum[wf.GetNumber()]
		if rf != nil {
			c.compareField(r, rf, w, wf, report)
			continue
		}
		path := fieldName(w, wf)
		if isRequired(wf) {
			report(ruleRequiredFieldRemoved, path, nil, wf,
				fmt.Sprintf("Required field '%s' (number %d) was removed", path, wf.GetNumber()), "")
		}
		if o := realOneof(wf); o >= 0 && !oneofGone(w, o, r) {
			report(ruleOneofFieldRemoved, path, nil, wf,
				fmt.Sprintf("Field '%s' (number %d) was removed from oneof '%s', which keeps other fields", path, wf.GetNumber(), w.md.OneofDecl[o].GetName()), "")
		}
	}
	for _, rf := range r.md.Field {
		if w.byNum[rf.GetNumber()] == nil && isRequired(rf) {
			path := fieldName(r, rf)
			report(ruleRequiredFieldAdded, path, rf, nil,
				fmt.Sprintf("Required field '%s' (number %d) was added", path, rf.GetNumber()), "")
		}
	}
	c.oneofMoves(r, w, report)
}

// oneofGone reports whether no field of the writer's oneof o survives in
// the reader: the whole oneof was deleted, which Confluent allows.
func oneofGone(w *msgInfo, o int32, r *msgInfo) bool {
	for _, f := range w.md.Field {
		if realOneof(f) == o && r.byNum[f.GetNumber()] != nil {
			return false
		}
	}
	return true
}

// oneofMoves judges each reader oneof by where its fields lived in the
// writer: new fields may join any oneof; one top-level field may move into
// a new oneof; top-level fields may not join a oneof that existed, nor may
// fields of several writer oneofs be merged.
func (c *checker) oneofMoves(r, w *msgInfo, report sink) {
	for oi, od := range r.md.OneofDecl {
		var movedIn []*descriptorpb.FieldDescriptorProto
		var from []int32
		fromField := map[int32]*descriptorpb.FieldDescriptorProto{}
		for _, rf := range r.md.Field {
			if realOneof(rf) != int32(oi) {
				continue
			}
			wf := w.byNum[rf.GetNumber()]
			switch {
			case wf == nil:
			case realOneof(wf) < 0:
				movedIn = append(movedIn, rf)
			default:
				if _, ok := fromField[realOneof(wf)]; !ok {
					from = append(from, realOneof(wf))
					fromField[realOneof(wf)] = rf
				}
			}
		}
		oneofPath := elemName(r.full) + "." + od.GetName()
		switch {
		case len(from) > 0:
			for _, rf := range movedIn {
				path := fieldName(r, rf)
				report(ruleFieldMovedToExistingOneof, path, rf, nil,
					fmt.Sprintf("Field '%s' (number %d) moved into the existing oneof '%s'", path, rf.GetNumber(), oneofPath), "")
			}
			for _, o := range from[1:] {
				rf := fromField[o]
				path := fieldName(r, rf)
				report(ruleFieldMovedToExistingOneof, path, rf, nil,
					fmt.Sprintf("Field '%s' (number %d) of old oneof '%s' moved into oneof '%s', merging oneofs", path, rf.GetNumber(), w.md.OneofDecl[o].GetName(), oneofPath), "")
			}
		case len(movedIn) > 1:
			names := make([]string, len(movedIn))
			for i, f := range movedIn {
				names[i] = f.GetName()
			}
			report(ruleMultipleFieldsMovedToOneo, oneofPath, od, nil,
				fmt.Sprintf("Existing fields %s moved together into the new oneof '%s'", strings.Join(names, ", "), oneofPath), strings.Join(names, ","))
		}
	}
}

// Field kinds as Confluent names them.
const (
	kindScalar  = "SCALAR"
	kindMessage = "MESSAGE"
	kindMap     = "MAP"
)

func kindOf(ix *index, f *descriptorpb.FieldDescriptorProto) string {
	switch f.GetType() {
	case descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, descriptorpb.FieldDescriptorProto_TYPE_GROUP:
		if ix.isMapField(f) {
			return kindMap
		}
		return kindMessage
	}
	return kindScalar
}

// scalarGroup is Confluent's scalar kind: types in one group share a wire
// encoding. Enums are varints, like int32.
func scalarGroup(t descriptorpb.FieldDescriptorProto_Type) string {
	switch t {
	case descriptorpb.FieldDescriptorProto_TYPE_INT32, descriptorpb.FieldDescriptorProto_TYPE_INT64,
		descriptorpb.FieldDescriptorProto_TYPE_UINT32, descriptorpb.FieldDescriptorProto_TYPE_UINT64,
		descriptorpb.FieldDescriptorProto_TYPE_BOOL, descriptorpb.FieldDescriptorProto_TYPE_ENUM:
		return "GENERAL_NUMBER"
	case descriptorpb.FieldDescriptorProto_TYPE_SINT32, descriptorpb.FieldDescriptorProto_TYPE_SINT64:
		return "SIGNED_NUMBER"
	case descriptorpb.FieldDescriptorProto_TYPE_STRING, descriptorpb.FieldDescriptorProto_TYPE_BYTES:
		return "STRING_OR_BYTES"
	case descriptorpb.FieldDescriptorProto_TYPE_FIXED32, descriptorpb.FieldDescriptorProto_TYPE_SFIXED32:
		return "FIXED32"
	case descriptorpb.FieldDescriptorProto_TYPE_FIXED64, descriptorpb.FieldDescriptorProto_TYPE_SFIXED64:
		return "FIXED64"
	case descriptorpb.FieldDescriptorProto_TYPE_FLOAT:
		return "FLOAT"
	case descriptorpb.FieldDescriptorProto_TYPE_DOUBLE:
		return "DOUBLE"
	}
	return t.String()
}

// typeText names a field's type for messages: the scalar name or the
// element name of the message or enum.
func typeText(f *descriptorpb.FieldDescriptorProto) string {
	if f.TypeName != nil {
		return elemName(f.GetTypeName())
	}
	return scalarName(f.GetType())
}

func (c *checker) compareField(r *msgInfo, rf *descriptorpb.FieldDescriptorProto, w *msgInfo, wf *descriptorpb.FieldDescriptorProto, report sink) {
	path := fieldName(r, rf)
	c.compareFieldType(path, rf, wf, rf, wf, report)
	if kindOf(c.ri, rf) == kindScalar && kindOf(c.wi, wf) == kindScalar && isRepeated(rf) != isRepeated(wf) &&
		scalarGroup(rf.GetType()) != "STRING_OR_BYTES" && scalarGroup(wf.GetType()) != "STRING_OR_BYTES" {
		report(ruleFieldNumericLabelChanged, path, rf, nil,
			fmt.Sprintf("Numeric field '%s' (number %d) changed from %s to %s", path, rf.GetNumber(), cardinalityWord(wf), cardinalityWord(rf)), "")
	}
	switch rreq, wreq := isRequired(rf), isRequired(wf); {
	case rreq && !wreq:
		report(ruleRequiredFieldAdded, path, rf, nil,
			fmt.Sprintf("Field '%s' (number %d) became required", path, rf.GetNumber()), "")
	case wreq && !rreq:
		report(ruleRequiredFieldRemoved, path, rf, nil,
			fmt.Sprintf("Field '%s' (number %d) is no longer required", path, rf.GetNumber()), "")
	}
}

func isRepeated(f *descriptorpb.FieldDescriptorProto) bool {
	return f.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REPEATED
}

func cardinalityWord(f *descriptorpb.FieldDescriptorProto) string {
	if isRepeated(f) {
		return "repeated"
	}
	return "singular"
}

// compareFieldType compares the types of rt and wt (a field, or a map's key
// or value field) and reports against the field at path (elements rElem,
// wElem).
func (c *checker) compareFieldType(path string, rt, wt *descriptorpb.FieldDescriptorProto, rElem, wElem any, report sink) {
	_ = wElem
	rk, wk := kindOf(c.ri, rt), kindOf(c.wi, wt)
	if rk != wk {
		report(ruleFieldKindChanged, path, rElem, nil,
			fmt.Sprintf("Field '%s' changed kind from %s to %s", path, wk, rk), "old: "+wk+", new: "+rk)
		return
	}
	switch rk {
	case kindScalar:
		if rg, wg := scalarGroup(rt.GetType()), scalarGroup(wt.GetType()); rg != wg {
			report(ruleFieldScalarKindChanged, path, rElem, nil,
				fmt.Sprintf("Field '%s' changed type from %s to %s, which are not wire compatible", path, typeText(wt), typeText(rt)),
				"old: "+typeText(wt)+" ("+wg+"), new: "+typeText(rt)+" ("+rg+")")
		}
	case kindMessage:
		if !c.sameNamed(rt.GetTypeName(), wt.GetTypeName()) {
			rm, wm := c.ri.messages[rt.GetTypeName()], c.wi.messages[wt.GetTypeName()]
			msg := fmt.Sprintf("Field '%s' changed message type from '%s' to '%s'", path, elemName(wt.GetTypeName()), elemName(rt.GetTypeName()))
			if rm != nil && wm != nil && rm.local == wm.local {
				msg = fmt.Sprintf("Field '%s' has message type '%s', which changed incompatibly", path, elemName(rt.GetTypeName()))
			}
			report(ruleFieldNamedTypeChanged, path, rElem, nil, msg, "old: "+elemName(wt.GetTypeName())+", new: "+elemName(rt.GetTypeName()))
		}
	case kindMap:
		rkey, rval := c.ri.mapEntry(rt)
		wkey, wval := c.wi.mapEntry(wt)
		if rkey != nil && wkey != nil {
			c.compareFieldType(path, rkey, wkey, rElem, wElem, report)
		}
		if rval != nil && wval != nil {
			c.compareFieldType(path, rval, wval, rElem, wElem, report)
		}
	}
}

// sameNamed reports whether a message-typed field may change from writer
// type wt to reader type rt: the package-relative names must match, and a
// type that comes from an import is compared structurally unless both
// sides import the same unchanged file.
func (c *checker) sameNamed(rt, wt string) bool {
	rm, wm := c.ri.messages[rt], c.wi.messages[wt]
	if rm == nil || wm == nil {
		return elemName(rt) == elemName(wt)
	}
	if rm.local != wm.local {
		return false
	}
	if rm.file.main && wm.file.main && !rm.synthetic && !wm.synthetic {
		return true // compared where the type is declared
	}
	if !rm.file.main && !wm.file.main && rm.file.name == wm.file.name && rm.file.text == wm.file.text {
		return true
	}
	key := [2]string{rt, wt}
	if c.named == nil {
		c.named = map[[2]string]*namedResult{}
	}
	if res, ok := c.named[key]; ok {
		return !res.done || res.compatible
	}
	res := &namedResult{compatible: true}
	c.named[key] = res
	quiet := func(string, string, any, any, string, string) { res.compatible = false }
	c.compareMessage(rm, wm, quiet)
	c.compareTypes(rm.children, wm.children, quiet)
	res.done = true
	return res.compatible
}
