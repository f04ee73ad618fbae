package registry

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charterhq/charter/compat"
)

// Kind classifies registry errors. api/errors.go maps every Kind to a wire
// error; its test fails when a Kind is added without a mapping.
// Append only: values are stable.
type Kind uint8

const (
	Internal Kind = iota // unexpected; detail is logged, never shown to clients
	SubjectNotFound
	VersionNotFound
	SchemaNotFound
	SubjectSoftDeleted
	SubjectNotSoftDeleted
	VersionSoftDeleted
	VersionNotSoftDeleted
	SubjectConfigNotFound
	SubjectModeNotFound
	Incompatible
	InvalidSchema
	InvalidVersion
	InvalidCompatibility
	InvalidMode
	InvalidSubject
	OperationNotPermitted // e.g. write while READONLY
	ReferenceExists
	IDMismatch
	SchemaTooLarge
	ContextNotEmpty
	InvalidRuleSet
	Unavailable // the store cannot be reached; the request may be retried
	PacticipantNotFound
	PactNotFound
	VerificationNotFound
	EnvironmentNotFound
	numKinds // keep last
)

// NumKinds is the number of defined Kinds; tables indexed by Kind use it to
// prove they are complete.
const NumKinds = int(numKinds)

var kindNames = [...]string{
	Internal:              "internal error",
	SubjectNotFound:       "subject not found",
	VersionNotFound:       "version not found",
	SchemaNotFound:        "schema not found",
	SubjectSoftDeleted:    "subject soft-deleted",
	SubjectNotSoftDeleted: "subject not soft-deleted",
	VersionSoftDeleted:    "version soft-deleted",
	VersionNotSoftDeleted: "version not soft-deleted",
	SubjectConfigNotFound: "subject config not found",
	SubjectModeNotFound:   "subject mode not found",
	Incompatible:          "incompatible schema",
	InvalidSchema:         "invalid schema",
	InvalidVersion:        "invalid version",
	InvalidCompatibility:  "invalid compatibility level",
	InvalidMode:           "invalid mode",
	InvalidSubject:        "invalid subject",
	OperationNotPermitted: "operation not permitted",
	ReferenceExists:       "reference exists",
	IDMismatch:            "id mismatch",
	SchemaTooLarge:        "schema too large",
	ContextNotEmpty:       "context not empty",
	InvalidRuleSet:        "invalid rule set",
	Unavailable:           "store unavailable",
	PacticipantNotFound:   "pacticipant not found",
	PactNotFound:          "pact not found",
	VerificationNotFound:  "verification not found",
	EnvironmentNotFound:   "environment not found",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is the error type of the registry. Message is safe to show to
// clients; Err may carry driver detail and is never rendered.
type Error struct {
	Kind     Kind
	Op       string // e.g. "registry.Schemas.Register"
	Subject  Subject
	Version  Version
	ID       SchemaID
	Message  string
	Findings []compat.Finding // set when Kind == Incompatible
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Message != "" {
		b.WriteString(e.Message)
	} else {
		b.WriteString(e.Kind.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, and Internal
// for anything else.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Errorf builds an *Error of kind k with a client-safe message.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Sentinel errors returned (wrapped) by Store implementations. The service
// turns them into precise Kinds because only it knows what was missing.
var (
	// ErrNotFound means the requested row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique constraint or serialization failure; the
	// transaction may be retried.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable means the store could not be reached; nothing was
	// written and the caller may retry later.
	ErrUnavailable = errors.New("store unavailable")
)
