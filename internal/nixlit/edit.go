package nixlit

import (
	"fmt"
	"slices"
	"strings"
)

// Edit replaces a literal's content.
type Edit struct {
	Literal *Literal
	Value   string
}

// Splice returns src with each edit's literal content replaced by its
// value, and nothing else changed. A value that would need escaping (a
// quote, a backslash, ${) or span lines is refused: hashes and versions
// never do. Edits must not overlap.
func Splice(src []byte, edits []Edit) ([]byte, error) {
	sorted := slices.Clone(edits)
	slices.SortFunc(sorted, func(a, b Edit) int { return a.Literal.Start - b.Literal.Start })
	var out []byte
	at := 0
	for _, e := range sorted {
		l := e.Literal
		if l.Start < at || l.End < l.Start || l.End > len(src) {
			return nil, fmt.Errorf("editing the literal at line %d: it overlaps another or lies outside the file", l.Line)
		}
		if strings.ContainsAny(e.Value, "\"\\\n\r") || strings.Contains(e.Value, "${") {
			return nil, fmt.Errorf("editing the literal at line %d: %q is not a plain literal value", l.Line, e.Value)
		}
		out = append(out, src[at:l.Start]...)
		out = append(out, e.Value...)
		at = l.End
	}
	return append(out, src[at:]...), nil
}

// Mask returns src with the content of every literal emptied: two files
// whose masks are equal differ only inside those literals.
func Mask(src []byte, lits []*Literal) ([]byte, error) {
	edits := make([]Edit, len(lits))
	for i, l := range lits {
		edits[i] = Edit{Literal: l}
	}
	return Splice(src, edits)
}
