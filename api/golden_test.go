package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/charterhq/charter/api"
	"github.com/charterhq/charter/api/confluent"
	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/inmem"
)

// goldenClock is the registry's clock in golden tests, so "ts" is stable:
// 1735689600000 ms.
var goldenClock = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// goldenMaxBody is the body limit of golden servers, small so that the 413
// case stays readable.
const goldenMaxBody = 2048

// newGoldenServer starts a handler over a fresh in-memory registry.
func newGoldenServer(tb testing.TB, cfg api.Config) *httptest.Server {
	tb.Helper()
	schemas := registry.NewSchemas(registry.Options{
		Store:  inmem.New(),
		Now:    func() time.Time { return goldenClock },
		Logger: slog.New(slog.DiscardHandler),
	})
	cfg.Schemas = schemas
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	srv := httptest.NewServer(api.NewHandler(cfg))
	tb.Cleanup(srv.Close)
	return srv
}

// TestGolden replays the HTTP exchanges in testdata/confluent/*.txtar.
//
// Each archive has a comment saying what the case shows, then:
//
//   - "config" (optional): handler settings, "incompatibleCode 40901";
//   - "skip" (optional): why the case is skipped (a known bug elsewhere);
//   - "setup": seed requests, one per line, "METHOD /path [json body]"; each
//     must succeed (2xx) unless the line starts with "!";
//   - "request": "METHOD /path", optional "Name: value" header lines (an
//     empty value removes the header), a blank line and the body. A body
//     without a Content-Type header is sent as
//     application/vnd.schemaregistry.v1+json;
//   - "response": the status code, the headers to check ("*" accepts any
//     value), a blank line and the body, compared as JSON when it parses as
//     JSON (the string "<any>" matches any value) and as text otherwise.
//
// GOLDEN_UPDATE=1 rewrites each response section from what the server
// answered.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "confluent", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	update := os.Getenv("GOLDEN_UPDATE") == "1"
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runGolden(t, file, update)
		})
	}
}

func runGolden(t *testing.T, file string, update bool) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]*txtar.File{}
	for i := range ar.Files {
		sections[ar.Files[i].Name] = &ar.Files[i]
	}
	reqSec, respSec := sections["request"], sections["response"]
	if reqSec == nil || respSec == nil {
		t.Fatalf("%s: need request and response sections", file)
	}
	if skip := sections["skip"]; skip != nil { // its response is the spec's, not ours: never rewritten
		t.Skip(strings.TrimSpace(string(skip.Data)))
	}
	cfg := api.Config{MaxBodyBytes: goldenMaxBody}
	if c := sections["config"]; c != nil {
		for _, line := range strings.Split(strings.TrimSpace(string(c.Data)), "\n") {
			key, val, _ := strings.Cut(line, " ")
			switch key {
			case "incompatibleCode":
				cfg.IncompatibleCode, _ = strconv.Atoi(strings.TrimSpace(val))
			default:
				t.Fatalf("unknown config %q", key)
			}
		}
	}
	srv := newGoldenServer(t, cfg)

	if setup := sections["setup"]; setup != nil {
		sc := bufio.NewScanner(bytes.NewReader(setup.Data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			mustSucceed := !strings.HasPrefix(line, "!")
			line = strings.TrimPrefix(line, "!")
			method, rest, _ := strings.Cut(line, " ")
			path, body, _ := strings.Cut(rest, " ")
			req := newRequest(t, srv.URL, method, path, nil, body)
			status, _, got := do(t, req)
			if mustSucceed && status/100 != 2 {
				t.Fatalf("setup %q: %d %s", line, status, got)
			}
		}
	}

	req := parseRequest(t, srv.URL, string(reqSec.Data))
	status, header, got := do(t, req)

	wantStatus, wantHeaders, wantBody := parseResponse(t, string(respSec.Data))
	if update {
		respSec.Data = formatResponse(status, wantHeaders, header, got)
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if status != wantStatus {
		t.Errorf("status = %d, want %d; body: %s", status, wantStatus, got)
	}
	for _, h := range wantHeaders {
		gv := header.Get(h[0])
		if h[1] == "*" {
			if gv == "" {
				t.Errorf("header %s missing", h[0])
			}
			continue
		}
		if gv != h[1] {
			t.Errorf("header %s = %q, want %q", h[0], gv, h[1])
		}
	}
	if msg := compareBodies(wantBody, got); msg != "" {
		t.Errorf("body mismatch: %s\n got: %s\nwant: %s", msg, got, wantBody)
	}
}

func newRequest(t *testing.T, base, method, path string, headers [][2]string, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", confluent.MediaTypeV1)
	}
	for _, h := range headers {
		if h[1] == "" {
			req.Header.Del(h[0])
		} else {
			req.Header.Set(h[0], h[1])
		}
	}
	return req
}

func parseRequest(t *testing.T, base, text string) *http.Request {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
	method, path, ok := strings.Cut(lines[0], " ")
	if !ok {
		t.Fatalf("request line %q", lines[0])
	}
	var headers [][2]string
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		headers = append(headers, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return newRequest(t, base, method, strings.TrimSpace(path), headers, strings.TrimRight(body, "\n"))
}

func do(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func parseResponse(t *testing.T, text string) (int, [][2]string, string) {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
	status, err := strconv.Atoi(strings.Fields(lines[0])[0])
	if err != nil {
		t.Fatalf("status line %q", lines[0])
	}
	var headers [][2]string
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		headers = append(headers, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return status, headers, strings.TrimRight(body, "\n")
}

func formatResponse(status int, wantHeaders [][2]string, got http.Header, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d\n", status)
	for _, h := range wantHeaders {
		v := h[1]
		if v != "*" {
			v = got.Get(h[0])
		}
		fmt.Fprintf(&b, "%s: %s\n", h[0], v)
	}
	b.WriteString("\n")
	var pretty bytes.Buffer
	if len(body) > 100 && json.Valid(body) && json.Indent(&pretty, body, "", "  ") == nil {
		body = pretty.Bytes()
	}
	b.Write(body)
	if len(body) > 0 {
		b.WriteString("\n")
	}
	return b.Bytes()
}

// compareBodies compares as JSON when want is JSON, else as text.
func compareBodies(want string, got []byte) string {
	var wv, gv any
	if json.Unmarshal([]byte(want), &wv) == nil && strings.TrimSpace(want) != "" {
		if err := json.Unmarshal(got, &gv); err != nil {
			return "response is not JSON"
		}
		if !jsonMatch(wv, gv) {
			return "JSON differs"
		}
		return ""
	}
	if strings.TrimRight(string(got), "\n") != want {
		return "text differs"
	}
	return ""
}

// jsonMatch is reflect.DeepEqual on decoded JSON where the string "<any>"
// in want matches anything.
func jsonMatch(want, got any) bool {
	if s, ok := want.(string); ok && s == "<any>" {
		return true
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !jsonMatch(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !jsonMatch(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}
