package api

import (
	"fmt"
	"net/http"
	"strconv"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/charterhq/charter/compat"
	"github.com/charterhq/charter/compat/jsoncompat"
	"github.com/charterhq/charter/compat/protocompat"
	"github.com/charterhq/charter/registry"
)

// Format-specific views of a schema for consumers that want to decode
// without further registry calls. These are Charter extensions; Confluent
// has no such endpoints.

// bundleByID answers GET /schemas/ids/{id}/bundle?subject=: a JSON Schema
// with every referenced schema inlined under $defs.
func (s *server) bundleByID(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sc, p, err := s.schemas.ParsedByID(r.Context(), id, idOptions(r, true))
	if err != nil {
		return err
	}
	return writeBundle(w, r, sc.Type, p)
}

// bundleByVersion answers GET /subjects/{s}/versions/{v}/bundle?deleted=.
func (s *server) bundleByVersion(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	ss, p, err := s.schemas.ParsedVersion(r.Context(), subject, v, boolParam(r.URL.Query(), "deleted"))
	if err != nil {
		return err
	}
	return writeBundle(w, r, ss.Schema.Type, p)
}

func writeBundle(w http.ResponseWriter, r *http.Request, t registry.SchemaType, p compat.Schema) error {
	if t != registry.JSON {
		return registry.Errorf(registry.InvalidSchema, "A bundle is only available for JSON schemas, not %s", t)
	}
	b, err := jsoncompat.Bundle(p)
	if err != nil {
		return err
	}
	writeBody(w, r, http.StatusOK, b)
	return nil
}

// wantFormat reports whether the request's format parameter asks for a
// Protobuf rendering other than the stored text: "serialized" (a base64
// FileDescriptorProto, used by the Python and .NET deserializers) or
// "ignore_extensions". Other values are ignored, as Confluent ignores
// unknown ones.
func wantFormat(r *http.Request, t registry.SchemaType) bool {
	if t != registry.Protobuf {
		return false
	}
	switch r.URL.Query().Get("format") {
	case "serialized", "ignore_extensions":
		return true
	}
	return false
}

// formatted renders p as the request's format asks (see wantFormat).
func formatted(r *http.Request, p compat.Schema) (string, error) {
	if r.URL.Query().Get("format") == "serialized" {
		return protocompat.Serialized(p)
	}
	return protocompat.IgnoringExtensions(p)
}

// descriptorByID answers GET /schemas/ids/{id}/descriptor: a self-contained
// google.protobuf.FileDescriptorSet (the file and its transitive imports),
// binary, or protojson with ?format=json.
func (s *server) descriptorByID(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sc, p, err := s.schemas.ParsedByID(r.Context(), id, idOptions(r, true))
	if err != nil {
		return err
	}
	return writeDescriptor(w, r, sc.Type, p)
}

// descriptorByVersion answers GET /subjects/{s}/versions/{v}/descriptor.
func (s *server) descriptorByVersion(w http.ResponseWriter, r *http.Request) error {
	subject, err := pathSubject(r)
	if err != nil {
		return err
	}
	v, err := pathVersion(r)
	if err != nil {
		return err
	}
	ss, p, err := s.schemas.ParsedVersion(r.Context(), subject, v, boolParam(r.URL.Query(), "deleted"))
	if err != nil {
		return err
	}
	return writeDescriptor(w, r, ss.Schema.Type, p)
}

func writeDescriptor(w http.ResponseWriter, r *http.Request, t registry.SchemaType, p compat.Schema) error {
	if t != registry.Protobuf {
		return registry.Errorf(registry.InvalidSchema, "A descriptor set is only available for PROTOBUF schemas, not %s", t)
	}
	b, err := protocompat.DescriptorSet(p)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "json" {
		var set descriptorpb.FileDescriptorSet
		if err := proto.Unmarshal(b, &set); err != nil {
			return fmt.Errorf("decode descriptor set: %w", err)
		}
		if b, err = protojson.Marshal(&set); err != nil {
			return fmt.Errorf("encode descriptor set as JSON: %w", err)
		}
		writeBody(w, r, http.StatusOK, b)
		return nil
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/x-protobuf"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}
