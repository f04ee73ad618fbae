package registry

import (
	"math"
	"strconv"
	"strings"
)

// Version numbers the schemas of one subject, from 1.
type Version int32

// VersionLatest stands for the highest live version ("latest" or -1).
const VersionLatest Version = -1

// ParseVersion parses a version path segment: "latest" (any case,
// surrounding space ignored), -1, or an integer in [1, 2^31-1].
func ParseVersion(s string) (Version, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "latest") {
		return VersionLatest, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n == 0 || n < -1 || n > math.MaxInt32 {
		return 0, &Error{Kind: InvalidVersion, Message: "The specified version '" + s +
			"' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""}
	}
	return Version(n), nil
}
