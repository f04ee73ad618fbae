package protocompat_test

import (
	"strings"
	"testing"

	"github.com/charterhq/charter/compat/protocompat"
)

func TestIgnoringExtensions(t *testing.T) {
	t.Parallel()
	src := `syntax = "proto3";
package acme;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FieldOptions {
  string pii = 50001;
}
message User {
  string ssn = 1 [(acme.pii) = "high", deprecated = true];
}
`
	s, err := protocompat.New().Parse(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := protocompat.IgnoringExtensions(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "extend") || strings.Contains(got, "pii") {
		t.Errorf("extensions or custom options left in:\n%s", got)
	}
	if !strings.Contains(got, "deprecated = true") || !strings.Contains(got, "string ssn = 1") {
		t.Errorf("standard option or field lost:\n%s", got)
	}
	if !strings.Contains(s.Canonical(), "extend") {
		t.Errorf("the canonical text itself must keep the extension:\n%s", s.Canonical())
	}
	if _, err := protocompat.New().Parse(got, nil); err != nil {
		t.Errorf("the text without extensions does not parse: %v\n%s", err, got)
	}
}
