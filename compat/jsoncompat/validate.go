package jsoncompat

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// This file validates the documents of one Parse call against their
// meta-schemas with santhosh-tekuri/jsonschema. The compiler gets a loader
// that serves only those documents, by the URIs the index knows them by;
// the meta-schemas come from the library's embedded copies. The library's
// default loader (which reads file:// URLs) is replaced before anything is
// compiled, so no schema can make Parse touch the file system or network.

// memLoader serves the documents of one Parse call and nothing else.
type memLoader map[string]any

// Load implements jsonschema.URLLoader.
func (l memLoader) Load(u string) (any, error) {
	if doc, ok := l[u]; ok {
		return doc, nil
	}
	return nil, fmt.Errorf("%q is not one of the schema's references, and nothing is fetched", u)
}

var printer = message.NewPrinter(language.English)

// goRegexp is the regexp engine used while validating: Go's regexp where it
// can compile the pattern. Patterns that use ECMA-262 or Java features RE2
// lacks (lookaround, backreferences, possessive quantifiers) are accepted
// as Confluent accepts them; they never match in the checker.
func goRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(s)
	if err == nil {
		return re, nil
	}
	if unsupportedRE2(err) {
		return neverMatch(s), nil
	}
	return nil, err
}

func unsupportedRE2(err error) bool {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case syntax.ErrInvalidPerlOp, syntax.ErrInvalidEscape, syntax.ErrInvalidRepeatOp, syntax.ErrInvalidNamedCapture:
		return true
	}
	return false
}

type neverMatch string

func (n neverMatch) String() string          { return string(n) }
func (neverMatch) MatchString(s string) bool { return false }

func jsDraft(d draft) *jsonschema.Draft {
	switch d {
	case 4:
		return jsonschema.Draft4
	case 6:
		return jsonschema.Draft6
	case 2019:
		return jsonschema.Draft2019
	case 2020:
		return jsonschema.Draft2020
	default:
		return jsonschema.Draft7
	}
}

// validateMeta compiles the schema (docs[0]) with its references and
// returns a client-safe error when a document breaks its meta-schema.
func validateMeta(ix *index) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the schema could not be validated: %v", p)
		}
	}()
	c := jsonschema.NewCompiler()
	loader := memLoader{}
	for u, l := range ix.resources {
		if l.doc != 0 {
			loader[u] = toAny(ix.valueAt(l))
		}
	}
	c.UseLoader(loader)
	c.UseRegexpEngine(goRegexp)
	c.DefaultDraft(jsDraft(7))
	// Every reference is compiled on its own too, so an invalid reference
	// is reported even when the schema does not use the broken part.
	for i, d := range ix.docs {
		url := d.base
		if i == 0 {
			url = rootBase
			if err := c.AddResource(url, toAny(d.root)); err != nil {
				return describeCompileError(d, err)
			}
		} else if _, ok := loader[url]; !ok {
			continue
		}
		if _, err := c.Compile(url); err != nil {
			return describeCompileError(d, err)
		}
	}
	return nil
}

func describeCompileError(d *document, err error) error {
	what := "the schema"
	if d.name != "" {
		what = fmt.Sprintf("reference %q", d.name)
	}
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			return fmt.Errorf("%s is not a valid %s schema: %s", what, d.draft, leafMessages(ve))
		}
	}
	var le *jsonschema.LoadURLError
	if errors.As(err, &le) {
		return fmt.Errorf("%s refers to %s, which is not one of its references (nothing is fetched)", what, trimBase(le.URL))
	}
	var ire *jsonschema.InvalidRegexError
	if errors.As(err, &ire) {
		return fmt.Errorf("%s has an invalid regular expression: %v", what, trimBase(ire.Error()))
	}
	return fmt.Errorf("%s is not valid: %s", what, trimBase(err.Error()))
}

// trimBase removes the internal base URI from a library message.
func trimBase(s string) string {
	return strings.ReplaceAll(s, strings.TrimSuffix(rootBase, "schema.json"), "")
}

// leafMessages renders the innermost causes of a meta-schema failure as
// "at '/pointer': message" items, at most three.
func leafMessages(ve *jsonschema.ValidationError) string {
	var leaves []*jsonschema.ValidationError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	// Prefer the deepest locations: they name the offending keyword.
	slices.SortStableFunc(leaves, func(a, b *jsonschema.ValidationError) int {
		return len(b.InstanceLocation) - len(a.InstanceLocation)
	})
	var parts []string
	seen := map[string]bool{}
	for _, l := range leaves {
		if len(l.InstanceLocation) < len(leaves[0].InstanceLocation) {
			break // the shallower ones are alternatives the deepest ruled out
		}
		ptr := "#"
		for _, t := range l.InstanceLocation {
			ptr += "/" + escapeToken(t)
		}
		msg := fmt.Sprintf("at '%s': %s", ptr, l.ErrorKind.LocalizedString(printer))
		if seen[msg] {
			continue
		}
		seen[msg] = true
		parts = append(parts, msg)
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, "; ")
}
