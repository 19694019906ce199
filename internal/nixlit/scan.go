package nixlit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// binding is one `path = value;` or one name of `inherit …;`.
type binding struct {
	at         int      // offset of its = (or of its name in an inherit)
	path       []string // its own attribute path
	parent     int      // the binding it is written inside (index in File.all), or -1
	size       int      // how many bindings are inside it: the ones after it in File.all
	line       int
	first, end int     // its value is toks[first:end], up to its ;
	value      []token // toks[first:end]
	inherited  bool    // from `inherit`: its value is the variable of its name
	from       string  // inherit (from) …: the set it is taken from
}

// File is Nix source read once: its tokens, its bindings, and where its
// lines start, so that finding one binding or all of them is a lookup,
// not another pass over the source. A File is not safe for concurrent use.
type File struct {
	src     []byte
	lines   lineIndex
	toks    []token
	closeOf []int // for each opening bracket, the index of the token closing it
	all     []binding
	// children are the bindings directly inside each binding; byLast the
	// bindings by the last name of their path; byName by every name of
	// their path; span, by name, how many bindings those of byName hold,
	// themselves included (what looking inside them costs).
	children [][]int
	byLast   map[string][]int
	byName   map[string][]int
	span     map[string]int
	// passes counts the passes made over the whole source or all its
	// tokens, visits the bindings lookups looked at: what the tests hold
	// to a constant and to a multiple of the bindings.
	passes, visits int
}

// Parse reads src: it lexes it, finds where its lines start and lists its
// bindings, each in one pass, and refuses a src larger than
// safefile.MaxRepoFile. It stops with ctx's error when ctx is done.
func Parse(ctx context.Context, src []byte) (*File, error) {
	if len(src) > safefile.MaxRepoFile {
		return nil, fmt.Errorf("%d bytes, more than the %d hashbot reads of a Nix file", len(src), safefile.MaxRepoFile)
	}
	toks, err := lex(ctx, src)
	if err != nil {
		return nil, err
	}
	f := &File{src: src, toks: toks, lines: newLineIndex(src), closeOf: closers(toks), passes: 3}
	if err := f.scan(ctx); err != nil {
		return nil, err
	}
	f.passes++
	f.index()
	return f, nil
}

// closers pairs each opening bracket with the token closing it (len(toks)
// when none does), of whatever kind, as a count of brackets would.
func closers(toks []token) []int {
	out := make([]int, len(toks))
	var open []int
	for i, t := range toks {
		switch t.kind {
		case tokLBrace, tokLParen, tokLBrack:
			out[i] = len(toks)
			open = append(open, i)
		case tokRBrace, tokRParen, tokRBrack:
			if len(open) > 0 {
				out[open[len(open)-1]] = i
				open = open[:len(open)-1]
			}
		}
	}
	return out
}

// opened is a binding whose value has not ended, with the count of its
// frame when it began.
type opened struct{ b, key int }

// frame holds the bindings whose values are written at one depth of
// brackets (let … in counting as brackets).
type frame struct {
	// c counts the with and assert met at this depth, less the ; met: a
	// binding's value ends at the first ; at its depth with c back at its
	// key (every with x; and assert c; in the value has had its ;).
	c    int
	open []opened // oldest first; their keys never decrease
}

// scan lists the bindings of f's tokens, outermost first, in one pass:
// where each value ends is found as the tokens come, with a frame per
// depth, not by a scan of its own.
func (f *File) scan(ctx context.Context) error {
	toks := f.toks
	frames := []frame{{}}
	depth := 0
	var stack []int // the bindings whose values hold this token, outermost first
	// end ends the newest k bindings of fr at the token j.
	end := func(j int, fr *frame, k int) {
		for _, o := range fr.open[len(fr.open)-k:] {
			f.all[o.b].end = j
			f.all[o.b].size = len(f.all) - o.b - 1
		}
		fr.open = fr.open[:len(fr.open)-k]
		stack = stack[:len(stack)-k]
	}
	skip := -1 // the last token of an inherit: no binding starts before it
	for i, t := range toks {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("reading Nix: %w", err)
			}
		}
		if i > skip {
			switch {
			case t.kind == tokAssign:
				path, ok := attrPathBefore(toks, i)
				if !ok {
					break
				}
				if len(stack) >= maxNesting {
					line, col := f.lines.position(t.pos)
					return &SyntaxError{Line: line, Col: col, Reason: fmt.Sprintf("attributes nested more than %d deep", maxNesting)}
				}
				b := f.newBinding(stack, t.pos, path)
				b.first, b.end = i+1, len(toks)
				stack = append(stack, len(f.all))
				frames[depth].open = append(frames[depth].open, opened{b: len(f.all), key: frames[depth].c})
				f.all = append(f.all, b)
			case t.kind == tokID && t.text == "inherit":
				skip = f.inherit(stack, i)
			}
		}
		// The token as part of the values it is in.
		switch {
		case t.kind == tokLBrace || t.kind == tokLParen || t.kind == tokLBrack || t.kind == tokID && t.text == "let":
			depth++
			if depth == len(frames) {
				frames = append(frames, frame{})
			}
		case t.kind == tokRBrace || t.kind == tokRParen || t.kind == tokRBrack || t.kind == tokID && t.text == "in":
			fr := &frames[depth]
			end(i, fr, len(fr.open))
			depth = max(depth-1, 0)
		case t.kind == tokID && (t.text == "with" || t.text == "assert"):
			frames[depth].c++
		case t.kind == tokSemi:
			fr := &frames[depth]
			k := 0
			for k < len(fr.open) && fr.open[len(fr.open)-1-k].key == fr.c {
				k++
			}
			end(i, fr, k)
			fr.c--
		}
	}
	for d := len(frames) - 1; d >= 0; d-- {
		end(len(toks), &frames[d], len(frames[d].open))
	}
	return nil
}

// inherit lists the names of the `inherit …;` at token i and returns the
// index of its last token.
func (f *File) inherit(stack []int, i int) int {
	toks := f.toks
	j, from := i+1, ""
	if j < len(toks) && toks[j].kind == tokLParen {
		k := f.closeOf[j]
		var parts []string
		for _, x := range toks[j+1 : k] {
			parts = append(parts, x.text)
		}
		from, j = strings.Join(parts, " "), k+1
	}
	for ; j < len(toks) && toks[j].kind != tokSemi; j++ {
		name, ok := attrName(toks[j])
		if !ok {
			break
		}
		b := f.newBinding(stack, toks[j].pos, []string{name})
		b.first, b.end, b.inherited, b.from = j, j, true, from
		f.all = append(f.all, b)
	}
	return j
}

// newBinding is a binding at the offset at, inside the newest of stack.
func (f *File) newBinding(stack []int, at int, path []string) binding {
	b := binding{at: at, path: path, parent: -1}
	if len(stack) > 0 {
		b.parent = stack[len(stack)-1]
	}
	b.line, _ = f.lines.position(at)
	return b
}

// index fills in the bindings' values and the maps that find them.
func (f *File) index() {
	f.children = make([][]int, len(f.all))
	f.byLast, f.byName, f.span = map[string][]int{}, map[string][]int{}, map[string]int{}
	for i := range f.all {
		b := &f.all[i]
		b.value = f.toks[b.first:b.end]
		if b.parent >= 0 {
			f.children[b.parent] = append(f.children[b.parent], i)
		}
		last := b.path[len(b.path)-1]
		f.byLast[last] = append(f.byLast[last], i)
		for _, n := range b.path {
			if l := f.byName[n]; len(l) > 0 && l[len(l)-1] == i {
				continue
			}
			f.byName[n] = append(f.byName[n], i)
			f.span[n] += b.size + 1
		}
	}
}

// chain is the attribute path of binding i: the paths of the bindings it
// is inside, then its own.
func (f *File) chain(i int) []string {
	n := 0
	for j := i; j >= 0; j = f.all[j].parent {
		n += len(f.all[j].path)
	}
	out := make([]string, n)
	for j := i; j >= 0; j = f.all[j].parent {
		p := f.all[j].path
		n -= len(p)
		copy(out[n:], p)
	}
	return out
}

// under says whether names are, in order, among the names of binding i's
// chain before its last.
func (f *File) under(i int, names []string) bool {
	k := len(names)
	p := f.all[i].path
	p = p[:len(p)-1]
	for j := i; k > 0; {
		for m := len(p) - 1; m >= 0 && k > 0; m-- {
			if p[m] == names[k-1] {
				k--
			}
		}
		if k == 0 {
			break
		}
		if j = f.all[j].parent; j < 0 {
			return false
		}
		p = f.all[j].path
	}
	return true
}

// attrPathBefore reads the attribute path ending just before the = at i:
// names, strings and ${…} joined by dots.
func attrPathBefore(toks []token, i int) ([]string, bool) {
	var path []string
	j := i - 1
	for {
		if j < 0 {
			return nil, false
		}
		name, ok := attrName(toks[j])
		if !ok {
			return nil, false
		}
		path = append(path, name)
		if j == 0 || toks[j-1].kind != tokDot {
			break
		}
		j -= 2
	}
	slices.Reverse(path)
	return path, true
}

// attrName is the name a token gives an attribute: an identifier, a plain
// string's content, or ${…} for a dynamic one.
func attrName(t token) (string, bool) {
	switch {
	case t.kind == tokID:
		return t.text, true
	case t.kind == tokString && !t.interp && !t.escapes:
		return t.text[1 : len(t.text)-1], !t.indented
	case t.kind == tokInterp:
		return t.text, true
	}
	return "", false
}
