package registry

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want Version
		ok   bool
	}{
		{"1", 1, true}, {"latest", VersionLatest, true}, {" LATEST ", VersionLatest, true}, {"-1", VersionLatest, true},
		{"2147483647", 2147483647, true}, {"0", 0, false}, {"-2", 0, false}, {"abc", 0, false},
		{"2147483648", 0, false}, {"", 0, false}, {"1.5", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseVersion(%q) = %d, %v", tt.in, got, err)
		}
		if err != nil && KindOf(err) != InvalidVersion {
			t.Errorf("ParseVersion(%q) kind = %v", tt.in, KindOf(err))
		}
	}
}

func TestSubject(t *testing.T) {
	tests := []struct {
		in      string
		ctx     Context
		name    string
		canon   Subject
		invalid bool
	}{
		{"orders", ".", "orders", "orders", false},
		{":.staging:orders", ".staging", "orders", ":.staging:orders", false},
		{":.:orders", ".", "orders", "orders", false},
		{"a/b.proto", ".", "a/b.proto", "a/b.proto", false},
		{":.ctx:", ".ctx", "", ":.ctx:", true},
		{"bad\nname", ".", "bad\nname", "bad\nname", true},
		{"__EMPTY", ".", "__EMPTY", "__EMPTY", true},
		{":.__GLOBAL:x", ".__GLOBAL", "x", ":.__GLOBAL:x", true},
	}
	for _, tt := range tests {
		s := ParseSubject(tt.in)
		if s != tt.canon || s.Context() != tt.ctx || s.Name() != tt.name {
			t.Errorf("ParseSubject(%q) = %q ctx %q name %q", tt.in, s, s.Context(), s.Name())
		}
		if invalid := s.Validate() != nil; invalid != tt.invalid {
			t.Errorf("%q.Validate() invalid=%v", tt.in, invalid)
		}
	}
	if got := Subject("addr").In(".ctx"); got != ":.ctx:addr" {
		t.Errorf("In = %q", got)
	}
	if got := Subject(":.other:addr").In(".ctx"); got != ":.other:addr" {
		t.Errorf("In qualified = %q", got)
	}
	for in, want := range map[string]Context{"staging": ".staging", ".staging": ".staging", ".": ".", "": ".", ":.x:": ".x"} {
		if got := ParseContext(in); got != want {
			t.Errorf("ParseContext(%q) = %q", in, got)
		}
	}
}

func TestParseEnums(t *testing.T) {
	if c, err := ParseCompatibility("full_transitive"); err != nil || c != CompatFullTransitive || !c.Backward() || !c.Forward() || !c.Transitive() {
		t.Errorf("full_transitive: %v %v", c, err)
	}
	if _, err := ParseCompatibility("sideways"); KindOf(err) != InvalidCompatibility {
		t.Errorf("bad level: %v", err)
	}
	if m, err := ParseMode("import"); err != nil || m != ModeImport {
		t.Errorf("import: %v %v", m, err)
	}
	if _, err := ParseSchemaType("avro"); KindOf(err) != InvalidSchema {
		t.Errorf("schema type is case-sensitive: %v", err)
	}
	if typ, _ := ParseSchemaType(""); typ != Avro {
		t.Errorf("empty type = %q", typ)
	}
}
