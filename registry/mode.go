package registry

import "strings"

// Mode says which writes a scope accepts.
type Mode string

// The modes.
const (
	ModeReadWrite        Mode = "READWRITE"
	ModeReadOnly         Mode = "READONLY"
	ModeReadOnlyOverride Mode = "READONLY_OVERRIDE"
	ModeImport           Mode = "IMPORT"
	ModeForward          Mode = "FORWARD" // global only; like IMPORT for writes
)

// ParseMode parses a mode name case-insensitively.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToUpper(strings.TrimSpace(s)))
	switch m {
	case ModeReadWrite, ModeReadOnly, ModeReadOnlyOverride, ModeImport, ModeForward:
		return m, nil
	}
	return "", Errorf(InvalidMode, "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT and FORWARD.")
}

// readOnly reports whether m refuses writes.
func (m Mode) readOnly() bool { return m == ModeReadOnly || m == ModeReadOnlyOverride }

// importing reports whether m takes explicit ids and skips checks.
func (m Mode) importing() bool { return m == ModeImport || m == ModeForward }
