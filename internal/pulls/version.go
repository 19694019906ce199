package pulls

import (
	"cmp"
	"strconv"
	"strings"
)

// version is a parsed dotted version: numeric release components and an
// optional pre-release ("2026.2.3-rc1" → [2026 2 3], "rc1").
type version struct {
	release []int
	pre     string
}

// parseVersion parses "2026.2.2", "v1.2", "2026.2.3-rc1" and "1.2.3+build"
// (build metadata ignored). It reports false for anything else.
func parseVersion(s string) (version, bool) {
	s = strings.TrimPrefix(s, "v")
	s, _, _ = strings.Cut(s, "+")
	rel, pre, hasPre := strings.Cut(s, "-")
	if hasPre && pre == "" {
		return version{}, false
	}
	var v version
	for _, part := range strings.Split(rel, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || part == "" || part[0] == '+' {
			return version{}, false
		}
		v.release = append(v.release, n)
	}
	v.pre = pre
	return v, true
}

// compareVersions compares a and b: -1 when a is older, 0 when equal, +1
// when newer. Release components compare numerically (2026.2.10 >
// 2026.2.9; missing ones count as 0) and a pre-release is older than its
// release (2026.2.3-rc1 < 2026.2.3). ok is false when either does not parse.
func compareVersions(a, b string) (c int, ok bool) {
	va, okA := parseVersion(a)
	vb, okB := parseVersion(b)
	if !okA || !okB {
		return 0, false
	}
	for i := range max(len(va.release), len(vb.release)) {
		if c := cmp.Compare(at(va.release, i), at(vb.release, i)); c != 0 {
			return c, true
		}
	}
	switch {
	case va.pre == vb.pre:
		return 0, true
	case va.pre == "":
		return 1, true
	case vb.pre == "":
		return -1, true
	}
	return comparePre(va.pre, vb.pre), true
}

func at(xs []int, i int) int {
	if i < len(xs) {
		return xs[i]
	}
	return 0
}

// comparePre compares pre-release strings naturally: runs of digits as
// numbers, other runs as text, so rc10 > rc9 and beta.2 > beta.1.
func comparePre(a, b string) int {
	for a != "" && b != "" {
		ra, restA := nextRun(a)
		rb, restB := nextRun(b)
		na, errA := strconv.Atoi(ra)
		nb, errB := strconv.Atoi(rb)
		var c int
		switch {
		case errA == nil && errB == nil:
			c = cmp.Compare(na, nb)
		case errA == nil:
			c = -1 // numbers sort before text, as in SemVer
		case errB == nil:
			c = 1
		default:
			c = strings.Compare(ra, rb)
		}
		if c != 0 {
			return c
		}
		a, b = restA, restB
	}
	return cmp.Compare(len(a), len(b))
}

// nextRun splits s after its leading run of digits or non-digits.
func nextRun(s string) (run, rest string) {
	digit := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == digit {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
