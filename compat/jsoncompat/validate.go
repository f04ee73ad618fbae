package jsoncompat

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// This file validates the documents of one Parse call against their
// meta-schemas with santhosh-tekuri/jsonschema. The meta-schemas come from
// the library's embedded copies, compiled with a loader that serves nothing
// (the library's default loader, which reads file:// URLs, is replaced
// before anything is compiled); the documents are validated as instances,
// so no schema can make Parse touch the file system or the network.

// memLoader serves the given documents and nothing else.
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

// metaURL is the meta-schema of a draft, as embedded in the library.
func metaURL(d draft) string {
	switch d {
	case 4:
		return "http://json-schema.org/draft-04/schema"
	case 6:
		return "http://json-schema.org/draft-06/schema"
	case 2019:
		return "https://json-schema.org/draft/2019-09/schema"
	case 2020:
		return "https://json-schema.org/draft/2020-12/schema"
	default:
		return "http://json-schema.org/draft-07/schema"
	}
}

type compiledMeta struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

var metas = map[draft]*compiledMeta{4: {}, 6: {}, 7: {}, 2019: {}, 2020: {}}

// metaSchema returns the compiled meta-schema of d, compiled once from the
// library's embedded copy with a loader that serves nothing.
func metaSchema(d draft) (*jsonschema.Schema, error) {
	m := metas[d]
	if m == nil {
		return nil, fmt.Errorf("unsupported %s", d)
	}
	m.once.Do(func() {
		c := jsonschema.NewCompiler()
		c.UseLoader(memLoader{})
		c.UseRegexpEngine(goRegexp)
		m.sch, m.err = c.Compile(metaURL(d))
	})
	return m.sch, m.err
}

// validateMeta validates every document (the schema and its references)
// as an instance of its draft's meta-schema, and checks its regular
// expressions. (Compiling each document instead would cost time quadratic
// in its number of subschemas, and $refs are resolved by the index.)
func validateMeta(ix *index) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the schema could not be validated: %v", p)
		}
	}()
	for _, d := range ix.docs {
		what := "the schema"
		if d.name != "" {
			what = fmt.Sprintf("reference %q", d.name)
		}
		ms, err := metaSchema(d.draft)
		if err != nil {
			return fmt.Errorf("%s cannot be validated: %v", what, err)
		}
		if err := ms.Validate(toAny(d.root)); err != nil {
			var ve *jsonschema.ValidationError
			if errors.As(err, &ve) {
				return fmt.Errorf("%s is not a valid %s schema: %s", what, d.draft, leafMessages(ve))
			}
			return fmt.Errorf("%s is not valid: %v", what, err)
		}
		if err := checkRegexps(d.root, d.draft, ""); err != nil {
			return fmt.Errorf("%s has an invalid regular expression %s", what, err)
		}
	}
	return nil
}

// checkRegexps compiles every pattern and patternProperties name.
func checkRegexps(v *value, d draft, ptr string) error {
	if v.kind != jobject {
		return nil
	}
	if p, ok := v.str("pattern"); ok {
		if _, err := goRegexp(p); err != nil {
			return fmt.Errorf("at '#%s/pattern': %v", ptr, err)
		}
	}
	if pp := v.get("patternProperties"); pp != nil && pp.kind == jobject {
		for _, m := range pp.members {
			if _, err := goRegexp(m.key); err != nil {
				return fmt.Errorf("at '#%s/patternProperties': %v", ptr, err)
			}
		}
	}
	return forEachSubschema(v, d, ptr, func(c *value, cptr string) error {
		return checkRegexps(c, d, cptr)
	})
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
