package gitops

import (
	"strings"
)

// maxPartLen bounds the name and version parts of a branch name.
const maxPartLen = 100

// BranchName returns the bot's branch for an upstream name and version,
// "<prefix><name>-<version>", e.g. "hashbot/authentik-2026.2.2" ([git]
// branch-prefix, whose default is config's).
//
// The name and version are untrusted (a tag can hold anything), so each is
// sanitised: characters outside [A-Za-z0-9._+-] become '-', runs of '.' or
// '-' collapse to one, leading and trailing '.' and '-' and a trailing
// ".lock" are dropped. The prefix comes from configuration and is checked,
// not rewritten. A part with nothing usable left, a part longer than 100
// bytes, or a result that git would refuse gives a *BranchNameError.
func BranchName(prefix, name, version string) (string, error) {
	if err := CheckBranchName(prefix + "x"); prefix == "" || err != nil {
		return "", &BranchNameError{Input: prefix, Reason: "branch prefix is not usable in a branch name"}
	}
	n, err := sanitisePart("name", name)
	if err != nil {
		return "", err
	}
	v, err := sanitisePart("version", version)
	if err != nil {
		return "", err
	}
	branch := prefix + n + "-" + v
	if err := CheckBranchName(branch); err != nil {
		return "", err
	}
	return branch, nil
}

func sanitisePart(what, s string) (string, error) {
	if len(s) > maxPartLen {
		return "", &BranchNameError{Input: s[:maxPartLen] + "...", Reason: what + " is longer than 100 bytes"}
	}
	var b strings.Builder
	var last byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !partChar(c) {
			c = '-'
		}
		if (c == '-' || c == '.') && c == last {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	out := b.String()
	for {
		trimmed := strings.Trim(out, ".-")
		trimmed = strings.TrimSuffix(trimmed, ".lock")
		if trimmed == out {
			break
		}
		out = trimmed
	}
	if out == "" {
		return "", &BranchNameError{Input: s, Reason: what + " has no characters usable in a branch name"}
	}
	return out, nil
}

func partChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '.' || c == '_' || c == '+' || c == '-'
}

// CheckBranchName reports, as a *BranchNameError, why name is not a valid
// branch name by the rules of git check-ref-format --branch; nil if it is.
func CheckBranchName(name string) error {
	bad := func(reason string) error { return &BranchNameError{Input: name, Reason: reason} }
	switch {
	case name == "":
		return bad("empty")
	case name == "@":
		return bad(`is "@"`)
	case strings.HasPrefix(name, "-"):
		return bad("starts with '-'")
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/"):
		return bad("starts or ends with '/'")
	case strings.HasSuffix(name, "."):
		return bad("ends with '.'")
	case strings.Contains(name, ".."):
		return bad(`contains ".."`)
	case strings.Contains(name, "@{"):
		return bad(`contains "@{"`)
	case strings.Contains(name, "//"):
		return bad(`contains "//"`)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x20 || c == 0x7f {
			return bad("contains a control character")
		}
		if strings.IndexByte(" ~^:?*[\\", c) >= 0 {
			return bad("contains " + quoteByte(c))
		}
	}
	for _, comp := range strings.Split(name, "/") {
		if strings.HasPrefix(comp, ".") {
			return bad("a component starts with '.'")
		}
		if strings.HasSuffix(comp, ".lock") {
			return bad(`a component ends with ".lock"`)
		}
	}
	return nil
}

func quoteByte(c byte) string {
	if c == ' ' {
		return "a space"
	}
	return "'" + string(c) + "'"
}
