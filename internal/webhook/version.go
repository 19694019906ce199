package webhook

import (
	"regexp"
)

// maxVersionLen bounds the version taken from an (untrusted) tag name.
const maxVersionLen = 64

// versionRE accepts dotted numeric versions without leading zeros and an
// optional pre-release: "2026.2.3", "2026.2.3-rc1", "1.2.3-beta.2".
var versionRE = regexp.MustCompile(
	`^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){0,4}(-[0-9A-Za-z]{1,32}(\.[0-9A-Za-z]{1,32}){0,4})?$`)

// validVersion reports whether s is a version hashbot will queue a run for.
func validVersion(s string) bool {
	return len(s) <= maxVersionLen && versionRE.MatchString(s)
}
