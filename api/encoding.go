package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
)

// responseType picks the response media type from the request's Accept
// header, as Jersey does with Confluent's server preferences (v1 > vnd >
// json): the type the client weighs highest wins, ties go to the server's
// order, and anything unmatched gets the v1 type.
func responseType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	switch accept {
	case "", "*/*", confluent.MediaTypeV1:
		// What every Confluent client sends (or nothing): skip parsing.
		return confluent.MediaTypeV1
	}
	offers := [...]string{confluent.MediaTypeV1, confluent.MediaTypeDefault, confluent.MediaTypeJSON}
	var q [len(offers)]float64
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		weight := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				weight = f
			}
		}
		for i, o := range offers {
			if mt == o || mt == "*/*" || (mt == "application/*") {
				q[i] = max(q[i], weight)
			}
		}
	}
	best := 0
	for i := range offers {
		if q[i] > q[best] {
			best = i
		}
	}
	return offers[best]
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON writes v as the response body. Like Jackson, it does not escape
// <, > and & inside strings.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		bufPool.Put(buf)
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only unsupported values get here (a programming error); say so
		// in the envelope rather than sending half a body.
		buf.Reset()
		status = http.StatusInternalServerError
		_ = json.NewEncoder(buf).Encode(confluent.ErrorResponse{
			ErrorCode: confluent.CodeInternal, Message: "Internal error (cannot encode response)",
		})
	}
	writeBody(w, r, status, bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
}

// encodeJSON encodes v as writeJSON would, into a fresh slice that may be
// kept.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// contentTypes holds the header values of the media types we answer with,
// built once: setting canonical keys directly skips net/http's key
// canonicalisation and an allocation per header on the hot path.
var contentTypes = map[string][]string{
	confluent.MediaTypeV1:      {confluent.MediaTypeV1},
	confluent.MediaTypeDefault: {confluent.MediaTypeDefault},
	confluent.MediaTypeJSON:    {confluent.MediaTypeJSON},
}

// writeBody writes an encoded JSON body with its negotiated content type.
func writeBody(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = contentTypes[responseType(r)]
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeRaw writes text itself as the body (the two /schema endpoints),
// with the negotiated JSON content type as Confluent does.
func writeRaw(w http.ResponseWriter, r *http.Request, text string) {
	h := w.Header()
	h["Content-Type"] = contentTypes[responseType(r)]
	h["Content-Length"] = []string{strconv.Itoa(len(text))}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, text)
}

// acceptedRequestType reports whether a request body of media type ct may
// be read as JSON. A missing Content-Type is accepted: curl and some tools
// send none.
func acceptedRequestType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case confluent.MediaTypeV1, confluent.MediaTypeDefault, confluent.MediaTypeJSON, confluent.MediaTypeOctet:
		return true
	}
	return false
}

// decodeJSON reads one JSON value from body into v. Unknown fields are
// ignored (Confluent's entities are ignoreUnknown since CP 6.0.3). It
// returns an *httpError: 400 for malformed JSON (with a Jackson-like
// message), 413 when the body exceeds the limit set by the middleware.
func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	// Trailing garbage after the value is malformed too, but whitespace is
	// fine.
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err == nil {
			return newHTTPError(http.StatusBadRequest, "Unexpected trailing token after the JSON value")
		}
		return jsonError(err)
	}
	return nil
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return newHTTPError(http.StatusRequestEntityTooLarge,
			"Request entity too large: the body exceeds %d bytes", mbe.Limit)
	case errors.Is(err, io.EOF):
		return newHTTPError(http.StatusBadRequest, "No content to map due to end-of-input")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newHTTPError(http.StatusBadRequest, "Unexpected end-of-input")
	case errors.As(err, &syn):
		return newHTTPError(http.StatusBadRequest, "Unrecognized token at offset %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return newHTTPError(http.StatusBadRequest,
				"Cannot deserialize value of type `%s` from JSON %s", typ.Type, typ.Value)
		}
		return newHTTPError(http.StatusBadRequest,
			"Cannot deserialize value of type `%s` from JSON %s (field %q)", typ.Type, typ.Value, typ.Field)
	}
	return newHTTPError(http.StatusBadRequest, "Malformed JSON: %s", err.Error())
}

// boolParam parses a Jersey boolean query parameter: only "true", in any
// case, is true; absent or anything else is false.
func boolParam(q url.Values, name string) bool {
	return strings.EqualFold(q.Get(name), "true")
}

// page applies Confluent's offset/limit to a list of n items: a limit
// outside (0, max] means the default, which is max. It returns the [lo, hi)
// bounds to slice with.
func page(q url.Values, n, maxLimit int) (lo, hi int) {
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > maxLimit {
		limit = maxLimit
	}
	lo = min(max(offset, 0), n)
	hi = n
	if limit < n-lo {
		hi = lo + limit
	}
	return lo, hi
}

// noLimit is the default page size of lists Confluent does not bound
// (subjects, versions, contexts): Integer.MAX_VALUE.
const noLimit = math.MaxInt32

// schemaSearchLimit is schema.search.default.limit and .max.limit: the page
// size of GET /schemas and /referencedby.
const schemaSearchLimit = 1000

// pathSubject returns the {subject} path parameter, unescaped (the router
// matches on the escaped path so that %2F stays inside one segment).
func pathSubject(r *http.Request) (registry.Subject, error) {
	return parseSubjectSegment(r.PathValue("subject"))
}

func parseSubjectSegment(raw string) (registry.Subject, error) {
	s, err := url.PathUnescape(raw)
	if err != nil {
		return "", errNotFound
	}
	return registry.ParseSubject(s), nil
}

// pathVersion returns the {version} path parameter ("latest", -1 or a
// positive number), failing with 42202.
func pathVersion(r *http.Request) (registry.Version, error) {
	v, err := url.PathUnescape(r.PathValue("version"))
	if err != nil {
		v = r.PathValue("version")
	}
	return registry.ParseVersion(v)
}

// pathID returns the {id} path parameter. A non-number is a 404, as for
// Jersey's Integer path parameters.
func pathID(r *http.Request) (registry.SchemaID, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 32)
	if err != nil {
		return 0, errNotFound
	}
	return registry.SchemaID(n), nil
}
