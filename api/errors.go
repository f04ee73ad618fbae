package api

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// wireCode is how one registry.Kind appears on the wire.
type wireCode struct {
	status int // HTTP status
	code   int // Confluent error_code
}

// confluentCodes maps every registry.Kind to its Confluent status and
// error_code. TestErrorTables proves it complete; for five-digit codes the
// status is code/100, except Unavailable (see below).
var confluentCodes = [registry.NumKinds]wireCode{
	registry.Internal:              {http.StatusInternalServerError, confluent.CodeStoreError},
	registry.SubjectNotFound:       {http.StatusNotFound, confluent.CodeSubjectNotFound},
	registry.VersionNotFound:       {http.StatusNotFound, confluent.CodeVersionNotFound},
	registry.SchemaNotFound:        {http.StatusNotFound, confluent.CodeSchemaNotFound},
	registry.SubjectSoftDeleted:    {http.StatusNotFound, confluent.CodeSubjectSoftDeleted},
	registry.SubjectNotSoftDeleted: {http.StatusNotFound, confluent.CodeSubjectNotSoftDeleted},
	registry.VersionSoftDeleted:    {http.StatusNotFound, confluent.CodeVersionSoftDeleted},
	registry.VersionNotSoftDeleted: {http.StatusNotFound, confluent.CodeVersionNotSoftDeleted},
	registry.SubjectConfigNotFound: {http.StatusNotFound, confluent.CodeSubjectConfigNotFound},
	registry.SubjectModeNotFound:   {http.StatusNotFound, confluent.CodeSubjectModeNotFound},
	// The code is replaced by Config.IncompatibleCode (409 or 40901).
	registry.Incompatible:          {http.StatusConflict, confluent.CodeIncompatible},
	registry.InvalidSchema:         {http.StatusUnprocessableEntity, confluent.CodeInvalidSchema},
	registry.InvalidVersion:        {http.StatusUnprocessableEntity, confluent.CodeInvalidVersion},
	registry.InvalidCompatibility:  {http.StatusUnprocessableEntity, confluent.CodeInvalidCompatibility},
	registry.InvalidMode:           {http.StatusUnprocessableEntity, confluent.CodeInvalidMode},
	registry.InvalidSubject:        {http.StatusUnprocessableEntity, confluent.CodeInvalidSubject},
	registry.OperationNotPermitted: {http.StatusUnprocessableEntity, confluent.CodeOperationNotPermitted},
	registry.ReferenceExists:       {http.StatusUnprocessableEntity, confluent.CodeReferenceExists},
	registry.IDMismatch:            {http.StatusUnprocessableEntity, confluent.CodeIDMismatch},
	registry.SchemaTooLarge:        {http.StatusUnprocessableEntity, confluent.CodeSchemaTooLarge},
	registry.ContextNotEmpty:       {http.StatusUnprocessableEntity, confluent.CodeContextNotEmpty},
	registry.InvalidRuleSet:        {http.StatusUnprocessableEntity, confluent.CodeInvalidRuleSet},
	// A store outage is transient: 503 makes every Confluent client retry
	// (and fail over), and 50001 "backing store error" is the code they
	// know for it. This is the one entry whose status is not code/100.
	registry.Unavailable: {http.StatusServiceUnavailable, confluent.CodeStoreError},
	// Pact kinds never come out of registry.Schemas; should one leak into a
	// Confluent route it is a plain 404.
	registry.PacticipantNotFound:  {http.StatusNotFound, confluent.CodeNotFound},
	registry.PactNotFound:         {http.StatusNotFound, confluent.CodeNotFound},
	registry.VerificationNotFound: {http.StatusNotFound, confluent.CodeNotFound},
	registry.EnvironmentNotFound:  {http.StatusNotFound, confluent.CodeNotFound},
}

// httpError is an error raised by the HTTP layer itself (malformed body,
// unsupported media type, unknown route), rendered with error_code equal to
// the status as Jersey does, unless code says otherwise.
type httpError struct {
	status  int
	code    int
	message string
}

func (e *httpError) Error() string { return e.message }

func (e *httpError) body() confluent.ErrorResponse {
	return confluent.ErrorResponse{ErrorCode: e.code, Message: e.message}
}

func newHTTPError(status int, format string, args ...any) *httpError {
	return &httpError{status: status, code: status, message: fmt.Sprintf(format, args...)}
}

var (
	errNotFound         = &httpError{http.StatusNotFound, confluent.CodeNotFound, "HTTP 404 Not Found"}
	errMethodNotAllowed = &httpError{http.StatusMethodNotAllowed, confluent.CodeMethodNotAllowed, "HTTP 405 Method Not Allowed"}
	errUnsupportedMedia = &httpError{http.StatusUnsupportedMediaType, confluent.CodeUnsupportedMedia, "HTTP 415 Unsupported Media Type"}
)

// errorBody turns err into the status and Confluent body to send. Internal
// errors get a fresh reference, which is returned so the caller can log it.
func (s *server) errorBody(err error) (status int, body confluent.ErrorResponse, ref string) {
	var he *httpError
	if errors.As(err, &he) {
		return he.status, confluent.ErrorResponse{ErrorCode: he.code, Message: he.message}, ""
	}
	var re *registry.Error
	if !errors.As(err, &re) || re.Kind == registry.Internal || int(re.Kind) >= len(confluentCodes) {
		ref = newRef()
		return http.StatusInternalServerError, confluent.ErrorResponse{
			ErrorCode: confluent.CodeStoreError,
			Message:   "Internal error (ref: " + ref + ")",
		}, ref
	}
	wc := confluentCodes[re.Kind]
	msg := re.Message
	switch re.Kind {
	case registry.Incompatible:
		wc.code = s.incompatibleCode
		msg = incompatibleMessage(re)
	case registry.Unavailable:
		if msg == "" {
			msg = "The schema store is unavailable; retry later"
		}
	}
	if msg == "" {
		msg = re.Kind.String()
	}
	return wc.status, confluent.ErrorResponse{ErrorCode: wc.code, Message: msg}, ""
}

// incompatiblePrefix starts Confluent's 409 message.
const incompatiblePrefix = "Schema being registered is incompatible with an earlier schema for subject "

// incompatibleMessage renders Confluent's 409 message:
//
//	Schema being registered is incompatible with an earlier schema for
//	subject "<s>", details: [<finding>, <finding>, ...]
//
// If the registry already wrote the whole sentence, it is used as is.
func incompatibleMessage(e *registry.Error) string {
	if strings.HasPrefix(e.Message, incompatiblePrefix) {
		return e.Message
	}
	var details []string
	for _, f := range e.Findings {
		details = append(details, fmt.Sprintf("{errorType:%s, description:%s}",
			quoteSingle(f.Rule), quoteSingle(f.Message)))
	}
	if len(details) == 0 && e.Message != "" {
		details = append(details, e.Message)
	}
	return incompatiblePrefix + strconv.Quote(string(e.Subject)) +
		", details: [" + strings.Join(details, ", ") + "]"
}

func quoteSingle(s string) string { return "'" + s + "'" }

// writeError renders err in Confluent's envelope and logs what the client
// must not see.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body, ref := s.errorBody(err)
	ctx := r.Context()
	switch {
	case ref != "":
		s.log.LogAttrs(ctx, slog.LevelError, "internal error",
			slog.String("ref", ref), slog.String("err", err.Error()))
	case registry.KindOf(err) == registry.Unavailable:
		w.Header().Set("Retry-After", "1")
		s.log.LogAttrs(ctx, slog.LevelWarn, "store unavailable", slog.String("err", err.Error()))
	}
	writeJSON(w, r, status, body)
}

// refAlphabet avoids look-alike characters (0/O, 1/I/L) so references can
// be read out over the phone.
const refAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newRef returns a short random reference tying a client-visible error to
// its log line.
func newRef() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = refAlphabet[int(b[i])%len(refAlphabet)]
	}
	return string(b[:])
}
