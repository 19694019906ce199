package webhook

import (
	"cmp"
	"regexp"
	"strconv"
	"strings"
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

// compareVersions compares two valid versions: -1 when a is older than b, 0
// when they are the same version, +1 when a is newer. Release components
// compare numerically (2026.2.10 > 2026.2.9, missing ones count as 0) and a
// pre-release is older than its release (2026.2.3-rc1 < 2026.2.3).
func compareVersions(a, b string) int {
	relA, preA, _ := strings.Cut(a, "-")
	relB, preB, _ := strings.Cut(b, "-")
	na, nb := numbers(relA), numbers(relB)
	for i := range max(len(na), len(nb)) {
		if c := cmp.Compare(at(na, i), at(nb, i)); c != 0 {
			return c
		}
	}
	switch {
	case preA == preB:
		return 0
	case preA == "":
		return 1
	case preB == "":
		return -1
	}
	return comparePre(preA, preB)
}

func numbers(release string) []int {
	parts := strings.Split(release, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		out[i], _ = strconv.Atoi(p) // validVersion guarantees digits
	}
	return out
}

func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// comparePre compares pre-releases naturally: runs of digits as numbers,
// other runs as text, so rc10 > rc9 and beta.2 > beta.1. A pre-release that
// is a prefix of the other is older (rc < rc1).
func comparePre(a, b string) int {
	for a != "" && b != "" {
		ra, restA := nextRun(a)
		rb, restB := nextRun(b)
		var c int
		if isDigit(ra[0]) && isDigit(rb[0]) {
			x, _ := strconv.Atoi(ra)
			y, _ := strconv.Atoi(rb)
			c = cmp.Compare(x, y)
		} else {
			c = strings.Compare(ra, rb)
		}
		if c != 0 {
			return c
		}
		a, b = restA, restB
	}
	return cmp.Compare(len(a), len(b))
}

// nextRun splits s after its leading run of digits or of non-digits.
func nextRun(s string) (run, rest string) {
	digit := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == digit {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
