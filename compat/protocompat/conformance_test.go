package protocompat_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/compattest"
	"github.com/charterhq/charter/compat/protocompat"
)

// knownDifferences lists conformance cases (by "source:case") where Charter
// deliberately answers differently from the peer, with the reason. Charter
// answers like Confluent (compat-rules.md §3.1, §3.2, §3.6).
var knownDifferences = map[string]string{
	"karapace:tests/unit/compatibility/test_protobuf_checks.py#test_changing_field_number_is_incompatible/1": "" +
		"Confluent matches fields by number only, so renumbering a field is a removal plus an addition, " +
		"both compatible (diff-schema-examples.json#9); Karapace also matches by name (FIELD_TAG_ALTER)",
	"karapace:tests/unit/protobuf/test_protobuf_compatibility.py#test_compatibility_field_tag_change/1": "" +
		"same as test_changing_field_number_is_incompatible: a renumbered field is remove + add in Confluent",
	"karapace:tests/unit/protobuf/test_protobuf_compatibility.py#test_compatibility_package/1": "" +
		"Confluent reports PACKAGE_CHANGED, which is not among its compatible changes (diff-schema-examples.json#1); " +
		"Karapace treats PACKAGE_ALTER as compatible",
	"karapace:tests/unit/protobuf/test_protobuf_compatibility.py#test_compatibility_ordering_change_msg/1": "" +
		"the schemas declare field number 0, which protoc, protocompile and Confluent (when it builds the " +
		"descriptor) reject, so Charter answers 422 invalid schema instead of checking; Karapace's parser accepts it",
}

// conformanceCase is one line of a peer's *.jsonl file. old and new are a
// schema text, or for Protobuf cases with imports a list or map of files.
// TestConformance replays the peers' Protobuf cases from the directory
// named by CHARTER_CONFORMANCE_DIR (see ../shared/conformance/README.md).
// A case side is one file or several (a list or a map of files).
func TestConformance(t *testing.T) {
	t.Parallel()
	compattest.RunConformance(t, "PROTOBUF", protocompat.New(), schemaFiles, knownDifferences)
}

func schemaFiles(t *testing.T, raw json.RawMessage) (string, []compat.Reference) {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	type file struct{ name, text string }
	var files []file
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err == nil {
		for i, item := range list {
			var text string
			if json.Unmarshal(item, &text) == nil {
				files = append(files, file{name: fmt.Sprintf("file%d.proto", i), text: text})
				continue
			}
			var obj map[string]string
			if err := json.Unmarshal(item, &obj); err != nil {
				t.Fatalf("unsupported file entry %s", item)
			}
			text = obj["text"]
			if text == "" {
				text = obj["schema"]
			}
			files = append(files, file{name: obj["name"], text: text})
		}
	} else {
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("unsupported schema value %s", raw)
		}
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		var root string
		for _, n := range names {
			imported := false
			for _, other := range names {
				if other != n && strings.Contains(m[other], `"`+n+`"`) {
					imported = true
				}
			}
			if !imported {
				root = n
			}
		}
		for _, n := range names {
			if n != root {
				files = append(files, file{n, m[n]})
			}
		}
		files = append(files, file{root, m[root]})
	}
	if len(files) == 0 {
		t.Fatalf("no files in %s", raw)
	}
	var refs []compat.Reference
	for _, f := range files[:len(files)-1] {
		refs = append(refs, compat.Reference{Name: f.name, Text: f.text})
	}
	return files[len(files)-1].text, refs
}
