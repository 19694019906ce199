// Package ghrepo is the one rule for GitHub repository names ("owner/name"),
// which hashbot takes from hashbot.toml, the environment, git remotes and
// webhook deliveries, and puts into API paths, clone directories and links.
//
// It imports no other hashbot package, so that every package may use it.
package ghrepo

import (
	"fmt"
	"regexp"
	"strings"
)

// partRE is what GitHub allows in an owner or a repository name: letters,
// digits, '-', '_' and '.', at most 100 of them.
var partRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// ValidPart says whether s can be an owner or a repository name: as GitHub
// allows them, and not "." or "..", which would move a path.
func ValidPart(s string) bool {
	return partRE.MatchString(s) && strings.Trim(s, ".") != ""
}

// Split returns the owner and name of "owner/name", or an error naming s
// when it is not one.
func Split(s string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || !ValidPart(owner) || !ValidPart(name) {
		return "", "", fmt.Errorf("%q: want owner/name, each of letters, digits, '-', '_' or '.'", s)
	}
	return owner, name, nil
}

// Valid says whether s is "owner/name".
func Valid(s string) bool {
	_, _, err := Split(s)
	return err == nil
}

// ValidRef says whether s is a branch or tag name git accepts (git
// check-ref-format): no "..", "@{", blank, control character or any of
// ~^:?*[\, no component starting with '.' or ending with ".lock", no
// leading, trailing or doubled '/', no trailing '.', and not "@". Names
// that start with '-' are refused too: they read as options.
func ValidRef(s string) bool {
	if s == "" || s == "@" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") ||
		strings.HasSuffix(s, ".") || strings.Contains(s, "..") || strings.Contains(s, "@{") || strings.Contains(s, "//") ||
		len(s) > 255 {
		return false
	}
	if strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune(`~^:?*[\`, r) }) >= 0 {
		return false
	}
	for _, part := range strings.Split(s, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	return true
}
