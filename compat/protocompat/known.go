package protocompat

import (
	"embed"
	"strings"
)

// known holds the built-in files Confluent resolves without a reference
// (ProtobufSchema's known dependencies) beyond google/protobuf/*, which
// protocompile provides. They are minimal equivalents written for Charter:
// the messages, enums and extensions users import, with the field numbers
// of the originals, but no comments or unused options.
//
//go:embed known
var known embed.FS

// knownFile returns the source of a built-in file.
func knownFile(path string) (string, bool) {
	if !strings.HasPrefix(path, "google/type/") && !strings.HasPrefix(path, "confluent/") {
		return "", false
	}
	b, err := known.ReadFile("known/" + path)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// isKnownFile reports whether path is a built-in import (a file a schema
// may import without a reference).
func isKnownFile(path string) bool {
	if strings.HasPrefix(path, "google/protobuf/") {
		return true
	}
	_, ok := knownFile(path)
	return ok
}
