package registry

import (
	"strings"
	"unicode"
)

// Context is a schema context: a namespace with its own schema ids, subjects,
// config and mode. The default context is ".", others start with a dot
// (".staging").
type Context string

// DefaultContext is the context of unqualified subjects.
const DefaultContext Context = "."

// ParseContext accepts a context name as it appears in URLs ("staging",
// ".staging", "." or ":.staging:") and returns its canonical form.
func ParseContext(s string) Context {
	s = strings.TrimPrefix(s, ":")
	s = strings.TrimSuffix(s, ":")
	if s == "" || s == "." {
		return DefaultContext
	}
	if !strings.HasPrefix(s, ".") {
		s = "." + s
	}
	return Context(s)
}

// IsDefault reports whether c is the default context.
func (c Context) IsDefault() bool { return c == DefaultContext || c == "" }

// Scope is the config/mode scope of the context: "" for the default context
// (the global scope), ":.ctx:" otherwise.
func (c Context) Scope() Subject {
	if c.IsDefault() {
		return ""
	}
	return Subject(":" + string(c) + ":")
}

// Subject names a sequence of schema versions. It is stored in its
// qualified form: unqualified for the default context, ":.ctx:name"
// otherwise. The empty Subject is the global config/mode scope, and ":.ctx:"
// (an empty name) is a context's scope.
type Subject string

// GlobalScope is the config and mode scope of the whole registry.
const GlobalScope Subject = ""

// NewSubject qualifies name within c.
func NewSubject(c Context, name string) Subject {
	if c.IsDefault() {
		return Subject(name)
	}
	return Subject(":" + string(c) + ":" + name)
}

// ParseSubject returns the canonical form of a subject as sent by clients:
// ":.:name" (the default context spelled out) becomes "name".
func ParseSubject(s string) Subject {
	c, name := split(s)
	return NewSubject(c, name)
}

func split(s string) (Context, string) {
	if !strings.HasPrefix(s, ":.") {
		return DefaultContext, s
	}
	end := strings.Index(s[1:], ":")
	if end < 0 {
		return DefaultContext, s
	}
	return ParseContext(s[1 : end+1]), s[end+2:]
}

// Context returns the context s belongs to.
func (s Subject) Context() Context { c, _ := split(string(s)); return c }

// Name returns s without its context qualifier.
func (s Subject) Name() string { _, n := split(string(s)); return n }

// IsScope reports whether s addresses a whole context (global or ":.ctx:")
// rather than one subject; config and mode use such scopes.
func (s Subject) IsScope() bool { return s.Name() == "" }

// In qualifies s relative to c, as references are: a reference written as
// "address-value" inside context ".ctx" means ":.ctx:address-value".
func (s Subject) In(c Context) Subject {
	if strings.HasPrefix(string(s), ":.") {
		return ParseSubject(string(s))
	}
	return NewSubject(c, string(s))
}

// Validate reports whether s may be used to register schemas. It rejects
// ISO control characters, the reserved names __GLOBAL and __EMPTY, the
// .__GLOBAL context and the empty name.
func (s Subject) Validate() error {
	c, name := split(string(s))
	bad := name == "" || name == "__GLOBAL" || name == "__EMPTY" || c == ".__GLOBAL"
	for _, r := range string(s) {
		if unicode.IsControl(r) {
			bad = true
			break
		}
	}
	if bad {
		return &Error{Kind: InvalidSubject, Subject: s,
			Message: "The specified subject '" + string(s) + "' is not a valid."}
	}
	return nil
}
