package version

import (
	"fmt"
	"strings"
)

// Range is a set of versions as GitHub's security advisories write it in
// vulnerable_version_range: constraints joined by commas, all of which a
// version must meet (">= 2025.12.0, < 2025.12.4", "< 1.0", "= 2.0.1").
type Range struct {
	Raw         string
	constraints []constraint
}

type constraint struct {
	op string // one of "<", "<=", ">", ">=", "="
	v  Version
}

// maxRangeLen bounds a range: it comes from an advisory, an answer of
// GitHub's that hashbot does not trust.
const maxRangeLen = 512

// ParseRange parses an advisory's version range. A bare version means
// that version alone; "==" is "=". Every bound must be a version (Parse),
// so a range hashbot cannot order is an error, never a guess.
func ParseRange(s string) (Range, error) {
	if len(s) > maxRangeLen {
		return Range{}, fmt.Errorf("version range of %d bytes is longer than %d", len(s), maxRangeLen)
	}
	r := Range{Raw: s}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		op := "="
		for _, o := range []string{"<=", ">=", "==", "<", ">", "="} {
			if rest, ok := strings.CutPrefix(part, o); ok {
				op, part = o, strings.TrimSpace(rest)
				break
			}
		}
		if op == "==" {
			op = "="
		}
		v, ok := Parse(part)
		if !ok {
			return Range{}, fmt.Errorf("version range %q: %q is not a version", s, part)
		}
		r.constraints = append(r.constraints, constraint{op: op, v: v})
	}
	return r, nil
}

// Contains says whether v meets every constraint of r.
func (r Range) Contains(v Version) bool {
	if len(r.constraints) == 0 {
		return false
	}
	for _, c := range r.constraints {
		cmp := v.Compare(c.v)
		ok := false
		switch c.op {
		case "<":
			ok = cmp < 0
		case "<=":
			ok = cmp <= 0
		case ">":
			ok = cmp > 0
		case ">=":
			ok = cmp >= 0
		case "=":
			ok = cmp == 0
		}
		if !ok {
			return false
		}
	}
	return true
}
