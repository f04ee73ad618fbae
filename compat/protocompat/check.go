package protocompat

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charterhq/charter/compat"
)

// Check implements [compat.Checker]. reader is the schema that reads data
// written with writer: BACKWARD calls it with (new, old), so messages say
// "new" for the reader and "old" for the writer.
func (format) Check(reader, writer compat.Schema, opts compat.Options) ([]compat.Finding, error) {
	r, err := asSchema(reader, "reader")
	if err != nil {
		return nil, err
	}
	w, err := asSchema(writer, "writer")
	if err != nil {
		return nil, err
	}
	c := &checker{r: r, w: w, ri: r.idx(), wi: w.idx()}
	switch strings.ToUpper(opts.RuleSet) {
	case setConfluent, "CONFLUENT":
		c.confluent()
	case setWire:
		c.buf(false)
	case setWireJSON:
		c.buf(true)
	default:
		return nil, fmt.Errorf("protocompat: unknown rule set %q (want \"\", %q or %q)", opts.RuleSet, setWire, setWireJSON)
	}
	return c.out, nil
}

// Rules implements [compat.Checker].
func (format) Rules() []compat.Rule {
	out := make([]compat.Rule, len(rules))
	for i, r := range rules {
		sets := make([]string, len(r.sets))
		for j, s := range r.sets {
			if s == setConfluent {
				s = "Confluent"
			}
			sets[j] = s
		}
		out[i] = compat.Rule{ID: r.id, Purpose: r.purpose + " Rule set: " + strings.Join(sets, ", ") + "."}
	}
	return out
}

func asSchema(s compat.Schema, role string) (*schema, error) {
	ps, ok := s.(*schema)
	if !ok || ps == nil {
		return nil, fmt.Errorf("protocompat: %s schema %T was not parsed by this package", role, s)
	}
	return ps, nil
}

// checker holds one Check's state.
type checker struct {
	r, w   *schema
	ri, wi *index
	out    []compat.Finding
	// named memoises structural comparisons of imported message types
	// (Confluent rules); an entry still being computed counts as
	// compatible, which makes recursive types terminate.
	named map[[2]string]*namedResult
}

type namedResult struct {
	done, compatible bool
}

// report records a finding located at the reader's element when it has
// one (relem), else at the writer's (welem).
func (c *checker) report(ruleID, path string, relem, welem any, msg, detail string) {
	f := compat.Finding{Rule: ruleID, Path: path, Detail: detail}
	switch {
	case relem != nil:
		p := c.r.positions[relem]
		f.File, f.Line, f.Column = c.r.fd.GetName(), int(p.line), int(p.col)
	case welem != nil:
		p := c.w.positions[welem]
		f.File, f.Line, f.Column = c.w.fd.GetName(), int(p.line), int(p.col)
		msg += " (the position is in the old schema)"
	}
	f.Message = msg + "."
	c.out = append(c.out, f)
}

// elemName is the element full name used in findings: no leading dot.
func elemName(full string) string { return strings.TrimPrefix(full, ".") }

func fieldName(m *msgInfo, f *descriptorpb.FieldDescriptorProto) string {
	return elemName(m.full) + "." + f.GetName()
}

// isRequired reports whether a field is required (proto2 required, or
// editions' LEGACY_REQUIRED presence).
func isRequired(f *descriptorpb.FieldDescriptorProto) bool {
	return f.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REQUIRED ||
		f.GetOptions().GetFeatures().GetFieldPresence() == descriptorpb.FeatureSet_LEGACY_REQUIRED
}

// realOneof returns the index of the (non-synthetic) oneof f belongs to, or
// -1.
func realOneof(f *descriptorpb.FieldDescriptorProto) int32 {
	if f.OneofIndex == nil || f.GetProto3Optional() {
		return -1
	}
	return f.GetOneofIndex()
}

// isMapField reports whether f is a map field of m (its type is one of m's
// map entries).
func (ix *index) isMapField(f *descriptorpb.FieldDescriptorProto) bool {
	if f.GetType() != descriptorpb.FieldDescriptorProto_TYPE_MESSAGE || f.GetLabel() != descriptorpb.FieldDescriptorProto_LABEL_REPEATED {
		return false
	}
	mi := ix.messages[f.GetTypeName()]
	return mi != nil && mi.md.GetOptions().GetMapEntry()
}

func (ix *index) mapEntry(f *descriptorpb.FieldDescriptorProto) (key, value *descriptorpb.FieldDescriptorProto) {
	mi := ix.messages[f.GetTypeName()]
	return mi.byNum[1], mi.byNum[2]
}
