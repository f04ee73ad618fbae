package avrocompat_test

import (
	"errors"
	"testing"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/avrocompat"
)

func TestEditTags(t *testing.T) {
	t.Parallel()
	f := avrocompat.New()
	tagger := f.(compat.Tagger)
	s, err := f.Parse(`{"type":"record","name":"User","namespace":"acme","fields":[`+
		`{"name":"ssn","type":"string"},`+
		`{"name":"home","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}}]}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		add, remove []compat.TagEdit
		want        string
		wantErr     bool
	}{
		{
			name: "ok_field_and_nested_record",
			add: []compat.TagEdit{
				{EntityType: "sr_field", EntityPath: "acme.User.ssn", Tags: []string{"PII", "PII"}},
				{EntityType: "sr_record", EntityPath: "acme.Address", Tags: []string{"LOCATION"}},
			},
			want: `{"type":"record","name":"User","namespace":"acme","fields":[{"name":"ssn","type":"string","confluent:tags":["PII"]},` +
				`{"name":"home","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}],"confluent:tags":["LOCATION"]}}]}`,
		},
		{
			name:   "ok_add_then_remove_leaves_nothing",
			add:    []compat.TagEdit{{EntityType: "sr_field", EntityPath: "acme.Address.street", Tags: []string{"X"}}},
			remove: []compat.TagEdit{{EntityType: "sr_field", EntityPath: "acme.Address.street", Tags: []string{"X"}}},
			want:   s.Canonical(),
		},
		{
			name:    "fail_unknown_path",
			add:     []compat.TagEdit{{EntityType: "sr_field", EntityPath: "acme.User.nope", Tags: []string{"X"}}},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tagger.EditTags(s, tt.add, tt.remove)
			if tt.wantErr {
				if !errors.Is(err, compat.ErrInvalidSchema) {
					t.Fatalf("err = %v, want ErrInvalidSchema", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			re, err := f.Parse(got, nil)
			if err != nil {
				t.Fatalf("edited schema does not parse: %v\n%s", err, got)
			}
			if re.Canonical() != tt.want {
				t.Errorf("got  %s\nwant %s", re.Canonical(), tt.want)
			}
		})
	}
}
