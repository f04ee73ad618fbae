package api

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/registry"
)

// TestErrorTables proves the Kind table complete and consistent: every
// Kind has an entry, and five-digit codes start with their HTTP status,
// except the one documented exception (Unavailable: 503 with 50001, so
// clients retry while reading the code they know).
func TestErrorTables(t *testing.T) {
	t.Parallel()
	exceptions := map[registry.Kind]bool{registry.Unavailable: true}
	for k := registry.Kind(0); int(k) < registry.NumKinds; k++ {
		wc := confluentCodes[k]
		if wc.status == 0 || wc.code == 0 {
			t.Errorf("%v (%d) has no Confluent mapping", k, k)
			continue
		}
		if wc.code >= 10000 && wc.code/100 != wc.status && !exceptions[k] {
			t.Errorf("%v: status %d does not match code %d", k, wc.status, wc.code)
		}
		if wc.code < 1000 && wc.code != wc.status {
			t.Errorf("%v: three-digit code %d differs from status %d", k, wc.code, wc.status)
		}
	}
	if got := confluentCodes[registry.Unavailable]; got.status != 503 {
		t.Errorf("Unavailable status = %d, want 503", got.status)
	}
}

func TestErrorBody(t *testing.T) {
	t.Parallel()
	s := &server{incompatibleCode: confluent.CodeIncompatible}
	tests := []struct {
		name       string
		err        error
		status     int
		code       int
		message    string
		wantRefOut bool
	}{
		{"ok_subject_not_found", &registry.Error{Kind: registry.SubjectNotFound, Message: "Subject 'x' not found."},
			404, 40401, "Subject 'x' not found.", false},
		{"ok_http_error", errMethodNotAllowed, 405, 405, "HTTP 405 Method Not Allowed", false},
		{"ok_kind_without_message", &registry.Error{Kind: registry.InvalidRuleSet}, 422, 42210, "invalid rule set", false},
		{"ok_incompatible_from_findings", &registry.Error{Kind: registry.Incompatible, Subject: "s",
			Findings: []compat.Finding{{Rule: "TYPE_MISMATCH", Path: "/", Message: "bad type"}}},
			409, 409, `Schema being registered is incompatible with an earlier schema for subject "s", details: [{errorType:'TYPE_MISMATCH', description:'bad type'}]`, false},
		{"ok_incompatible_full_sentence", &registry.Error{Kind: registry.Incompatible, Subject: "s",
			Message: `Schema being registered is incompatible with an earlier schema for subject "s", details: [x]`},
			409, 409, `Schema being registered is incompatible with an earlier schema for subject "s", details: [x]`, false},
		{"ok_unavailable", &registry.Error{Kind: registry.Unavailable}, 503, 50001,
			"The schema store is unavailable; retry later", false},
		{"fail_internal_hides_detail", &registry.Error{Kind: registry.Internal, Message: "secret"}, 500, 50001, "", true},
		{"fail_plain_error_is_internal", errSecret, 500, 50001, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, ref := s.errorBody(tc.err)
			if status != tc.status || body.ErrorCode != tc.code {
				t.Errorf("got %d/%d, want %d/%d", status, body.ErrorCode, tc.status, tc.code)
			}
			if tc.wantRefOut {
				if len(ref) != 5 || body.Message != "Internal error (ref: "+ref+")" {
					t.Errorf("ref %q message %q", ref, body.Message)
				}
				return
			}
			if body.Message != tc.message {
				t.Errorf("message\n got %q\nwant %q", body.Message, tc.message)
			}
		})
	}
}

type secretError struct{}

func (secretError) Error() string { return "secret detail" }

var errSecret error = secretError{}

func TestRewriteContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, query         string
		wantPath, wantQuery string
	}{
		{"/contexts/.ctx/subjects/orders/versions", "", "/subjects/:.ctx:orders/versions", ""},
		{"/contexts/ctx/subjects/orders/versions/1", "", "/subjects/:.ctx:orders/versions/1", ""},
		{"/contexts/.ctx/subjects/a%2Fb/versions", "", "/subjects/:.ctx:a%2Fb/versions", ""},
		{"/contexts/.ctx/subjects/:.other:orders", "", "/subjects/:.other:orders", ""},
		{"/contexts/.ctx/compatibility/subjects/orders/versions/latest", "verbose=true",
			"/compatibility/subjects/:.ctx:orders/versions/latest", "verbose=true"},
		{"/contexts/.ctx/config", "", "/config/:.ctx:", ""},
		{"/contexts/.ctx/config/orders", "", "/config/:.ctx:orders", ""},
		{"/contexts/.ctx/mode", "", "/mode/:.ctx:", ""},
		{"/contexts/./config", "", "/config", ""},
		{"/contexts/.ctx/schemas/ids/3", "", "/schemas/ids/3", "subject=%3A.ctx%3A"},
		{"/contexts/.ctx/schemas/ids/3", "subject=orders", "/schemas/ids/3", "subject=%3A.ctx%3Aorders"},
		{"/contexts/.ctx/schemas/ids/3/versions", "subject=:.x:o", "/schemas/ids/3/versions", "subject=:.x:o"},
		{"/contexts/.ctx/subjects", "deleted=true", "/subjects", "deleted=true&subjectPrefix=%3A.ctx%3A"},
		{"/contexts/.ctx/schemas", "subjectPrefix=ord", "/schemas", "subjectPrefix=%3A.ctx%3Aord"},
		{"/contexts/.ctx/schemas/types", "", "/schemas/types", ""},
		{"/contexts/.ctx", "", "/contexts/.ctx", ""},
	}
	for _, tc := range tests {
		q, _ := url.ParseQuery(tc.query)
		gotPath, gotQuery := rewriteContext(tc.path, q, tc.query)
		if gotPath != tc.wantPath || gotQuery != tc.wantQuery {
			t.Errorf("rewriteContext(%q, %q) = %q, %q; want %q, %q",
				tc.path, tc.query, gotPath, gotQuery, tc.wantPath, tc.wantQuery)
		}
	}
}

func TestResponseType(t *testing.T) {
	t.Parallel()
	for accept, want := range map[string]string{
		"":                                       confluent.MediaTypeV1,
		"*/*":                                    confluent.MediaTypeV1,
		"application/json":                       confluent.MediaTypeJSON,
		"application/json; charset=utf-8":        confluent.MediaTypeJSON,
		"application/vnd.schemaregistry+json":    confluent.MediaTypeDefault,
		"application/json, */*;q=0.1":            confluent.MediaTypeJSON,
		"application/json;q=0.5, */*;q=0.8":      confluent.MediaTypeV1,
		"text/html":                              confluent.MediaTypeV1,
		"application/vnd.schemaregistry.v1+json": confluent.MediaTypeV1,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := responseType(r); got != want {
			t.Errorf("Accept %q: got %q, want %q", accept, got, want)
		}
	}
}

func TestParseTraceparent(t *testing.T) {
	t.Parallel()
	const id = "4bf92f3577b34da6a3ce929d0e0e4736"
	for h, want := range map[string]string{
		"00-" + id + "-00f067aa0ba902b7-01":                       id,
		"01-" + id + "-00f067aa0ba902b7-01-extra":                 id,
		"00-" + id + "-00f067aa0ba902b7-01-extra":                 "",
		"ff-" + id + "-00f067aa0ba902b7-01":                       "",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01": "",
		"00-" + id + "-0000000000000000-01":                       "",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01": "",
		"":        "",
		"garbage": "",
	} {
		if got := parseTraceparent(h); got != want {
			t.Errorf("parseTraceparent(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query  string
		n, max int
		lo, hi int
	}{
		{"", 5, noLimit, 0, 5},
		{"offset=2", 5, noLimit, 2, 5},
		{"offset=2&limit=2", 5, noLimit, 2, 4},
		{"offset=9", 5, noLimit, 5, 5},
		{"offset=-3&limit=-1", 5, noLimit, 0, 5},
		{"limit=0", 5, noLimit, 0, 5},
		{"limit=5000", 3000, schemaSearchLimit, 0, 1000},
		{"limit=abc&offset=x", 3, noLimit, 0, 3},
	}
	for _, tc := range tests {
		q, _ := url.ParseQuery(tc.query)
		lo, hi := page(q, tc.n, tc.max)
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("page(%q, %d) = %d, %d; want %d, %d", tc.query, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestBoolParam(t *testing.T) {
	t.Parallel()
	q, _ := url.ParseQuery("a=true&b=TRUE&c=yes&d=1&e=")
	for name, want := range map[string]bool{"a": true, "b": true, "c": false, "d": false, "e": false, "f": false} {
		if got := boolParam(q, name); got != want {
			t.Errorf("boolParam(%s) = %v, want %v", name, got, want)
		}
	}
}
