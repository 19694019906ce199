// Package nixlit finds and replaces the string literals that Nix code binds
// to an attribute: the `vendorHash = "sha256-…";` of a package.nix, the
// per-system `outputHash = { x86_64-linux = "…"; … }.${system}` of an FOD,
// the `version = "2026.2.2";` of a release. It reads Nix's lexical syntax
// (strings, indented strings, interpolations, comments, paths), so that a
// hash in a comment or inside another string is never taken for one, and
// it changes nothing but a literal's content bytes: indentation, comments
// and quotes stay as they were.
//
// A file is read once (Parse): lexed, its lines indexed and its bindings
// listed, each in one pass, so that finding every binding of a generated
// yarn.nix of thousands of entries takes milliseconds, not a rescan per
// binding. Interpolations or bindings nested deeper than 128, and files
// larger than safefile.MaxRepoFile, are refused.
//
// It does not evaluate Nix. Which literal a derivation takes its hash from
// is Nix's to prove: hashbot writes a placeholder into the literal in a
// scratch copy and checks that the derivation took it.
package nixlit

import (
	"fmt"
	"slices"
	"strings"
)

// Literal is a plain string literal: "…" without escapes or ${…}, whose
// value is its bytes.
type Literal struct {
	// Start and End are the offsets of its content, inside the quotes.
	Start, End int
	// Value is its content.
	Value string
	// Line and Col are where its opening quote is (1-based).
	Line, Col int
}

// Binding is where an attribute's value is written.
type Binding struct {
	// Path is the attribute path it was found by ("src.hash").
	Path string
	// Line is the line of the binding found.
	Line int
	// Literal is the value of `name = "…";`; nil for a set.
	Literal *Literal
	// Keys are the keys of `name = { key = "…"; … }…`, in file order, and
	// ByKey their literals (a per-system hash).
	Keys  []string
	ByKey map[string]*Literal
	// Via lists the variables followed to the literal (`vendorHash = h;`
	// then `h = "…";`: ["h"]).
	Via []string
}

// Literals are the binding's literals, in file order.
func (b *Binding) Literals() []*Literal {
	if b.Literal != nil {
		return []*Literal{b.Literal}
	}
	out := make([]*Literal, 0, len(b.Keys))
	for _, k := range b.Keys {
		out = append(out, b.ByKey[k])
	}
	return out
}

// RefusalError says why an attribute's value is not a literal hashbot can
// write: a library placeholder, an interpolation, a variable bound in
// another file, two bindings of the same name.
type RefusalError struct {
	// Path is the attribute path looked for.
	Path string
	// Line is the line of the binding refused (0: none was found).
	Line int
	// Why is the reason, a clause.
	Why string
}

func (e *RefusalError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s %s", e.Path, e.Why)
	}
	return fmt.Sprintf("line %d: %s %s", e.Line, e.Path, e.Why)
}

// Locate finds the literal, or per-key literals, that f binds to
// attrPath: "vendorHash", or "src.hash" for the hash inside the value of
// src. The path's last name must be the binding's own; the names before it
// must be, in order, among the bindings it is written inside. line, when
// not 0, picks the binding on that line. A variable (`vendorHash = h;`,
// `inherit vendorHash;`) is followed to its one binding in the file.
func (f *File) Locate(attrPath string, line int) (*Binding, error) {
	return f.locate(strings.Split(attrPath, "."), line)
}

func (f *File) locate(want []string, line int) (*Binding, error) {
	attrPath := strings.Join(want, ".")
	found := f.lookup(want, line)
	if len(found) == 0 {
		why := "is not bound in this file"
		if line != 0 {
			why = fmt.Sprintf("is not bound on line %d", line)
		}
		return nil, &RefusalError{Path: attrPath, Why: why}
	}
	// Several bindings may lead to one literal (`inherit version;` in a
	// set, of the let binding `version = "…";`): that literal is the one.
	var lines []string
	for _, i := range found {
		lines = append(lines, fmt.Sprint(f.all[i].line))
	}
	ambiguous := &RefusalError{Path: attrPath, Line: f.all[found[0]].line, Why: fmt.Sprintf(
		"is bound %d times in this file (lines %s): name the one you mean with the attribute it is inside (\"src.hash\")",
		len(found), strings.Join(lines, ", "))}
	var out *Binding
	for _, i := range found {
		got := &Binding{Path: attrPath, Line: f.all[i].line}
		if err := f.resolve(i, attrPath, got, 0); err != nil {
			if len(found) == 1 {
				return nil, err
			}
			return nil, ambiguous
		}
		switch {
		case out == nil:
			out = got
		case !sameLiterals(out, got):
			return nil, ambiguous
		case len(got.Via) < len(out.Via):
			out = got // the binding of the literal itself, not one leading to it
		}
	}
	return out, nil
}

// lookup lists, in file order, the bindings whose last name is want's
// and whose chain holds the names before it in order (on line, when not
// 0). It looks only at the bindings of that last name, or, when fewer,
// at those inside the bindings of the rarest other name of want.
func (f *File) lookup(want []string, line int) []int {
	last, before := want[len(want)-1], want[:len(want)-1]
	cands, best := f.byLast[last], len(f.byLast[last])
	var within []int
	for _, n := range before {
		s, ok := f.span[n]
		if !ok {
			return nil
		}
		if s < best {
			best, within = s, f.byName[n]
		}
	}
	var found []int
	check := func(i int) {
		f.visits++
		b := &f.all[i]
		if b.path[len(b.path)-1] == last && (line == 0 || b.line == line) && f.under(i, before) {
			found = append(found, i)
		}
	}
	if within == nil {
		for _, i := range cands {
			check(i)
		}
		return found
	}
	next := 0 // bindings before it were looked at
	for _, a := range within {
		for i := max(a, next); i <= a+f.all[a].size; i++ {
			check(i)
		}
		next = max(next, a+f.all[a].size+1)
	}
	return found
}

// sameLiterals says whether a and b lead to the same literals.
func sameLiterals(a, b *Binding) bool {
	la, lb := a.Literals(), b.Literals()
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		if la[i].Start != lb[i].Start {
			return false
		}
	}
	return true
}

// resolve fills out from b's value, following variables up to a few deep.
func (f *File) resolve(bi int, attrPath string, out *Binding, depth int) error {
	b := &f.all[bi]
	refuse := func(why string) error { return &RefusalError{Path: attrPath, Line: b.line, Why: why} }
	if b.inherited {
		if b.from != "" {
			return refuse(fmt.Sprintf("is inherited from (%s): hashbot writes only a literal it can see", b.from))
		}
		return f.follow(bi, b.path[0], attrPath, out, depth)
	}
	v := b.value
	switch {
	case len(v) == 0:
		return refuse("has no value")
	case len(v) == 1 && v[0].kind == tokString:
		lit, why := f.literal(v[0])
		if why != "" {
			return refuse(why)
		}
		out.Literal = lit
		return nil
	case len(v) == 1 && v[0].kind == tokID:
		return f.follow(bi, v[0].text, attrPath, out, depth)
	case v[0].kind == tokLBrace || len(v) > 1 && v[0].kind == tokID && v[0].text == "rec" && v[1].kind == tokLBrace:
		return f.keyed(bi, attrPath, out)
	}
	text := tokensText(v)
	if isFakeHashExpr(text) {
		return refuse(fmt.Sprintf("is %s, a placeholder, not a string literal: write \"\" there and hashbot fills it in", text))
	}
	return refuse(fmt.Sprintf("is the expression %s, not a string literal", text))
}

// follow resolves the variable name (the value of b) to its one binding.
func (f *File) follow(bi int, name, attrPath string, out *Binding, depth int) error {
	b := &f.all[bi]
	refuse := func(why string) error { return &RefusalError{Path: attrPath, Line: b.line, Why: why} }
	if depth >= 4 || slices.Contains(out.Via, name) {
		return refuse(fmt.Sprintf("leads through too many variables (%s)", strings.Join(append(out.Via, name), " → ")))
	}
	var defs []int
	for _, d := range f.byLast[name] {
		f.visits++
		if len(f.all[d].path) == 1 && f.all[d].at != b.at {
			defs = append(defs, d)
		}
	}
	switch len(defs) {
	case 0:
		if isFakeHashExpr(name) {
			return refuse(fmt.Sprintf("is %s, a placeholder, not a string literal: write \"\" there and hashbot fills it in", name))
		}
		return refuse(fmt.Sprintf("is the variable %s, which this file does not bind (a function argument, or another file's): "+
			"point hashbot at the file holding its literal", name))
	case 1:
	default:
		var lines []string
		for _, d := range defs {
			lines = append(lines, fmt.Sprint(f.all[d].line))
		}
		return refuse(fmt.Sprintf("is the variable %s, bound %d times in this file (lines %s): hashbot cannot tell which",
			name, len(defs), strings.Join(lines, ", ")))
	}
	out.Via = append(out.Via, strings.Clone(name)) // not a slice of the whole source
	return f.resolve(defs[0], attrPath, out, depth+1)
}

// keyed fills out from `{ key = "…"; … }`: every binding directly inside
// must be a one-name key bound to a plain literal.
func (f *File) keyed(bi int, attrPath string, out *Binding) error {
	b := &f.all[bi]
	refuse := func(line int, why string) error { return &RefusalError{Path: attrPath, Line: line, Why: why} }
	open := 0
	if b.value[0].kind == tokID {
		open = 1
	}
	closeAt := min(f.closeOf[b.first+open]-b.first, len(b.value))
	if closeAt+1 < len(b.value) && (b.value[closeAt+1].text == ":" || b.value[closeAt+1].text == "@") {
		return refuse(b.line, "is a function, not a set of literals")
	}
	first, last := b.value[open].pos, b.value[min(closeAt, len(b.value)-1)].end
	out.ByKey = map[string]*Literal{}
	for _, ki := range f.children[bi] {
		f.visits++
		k := &f.all[ki]
		if k.inherited || len(k.value) == 0 || k.value[0].pos <= first || k.value[0].pos >= last {
			continue
		}
		if len(k.path) != 1 {
			return refuse(k.line, fmt.Sprintf("has the key %s, not one name", strings.Join(k.path, ".")))
		}
		if len(k.value) != 1 || k.value[0].kind != tokString {
			return refuse(k.line, fmt.Sprintf("has %s = %s, not a string literal", k.path[0], tokensText(k.value)))
		}
		lit, why := f.literal(k.value[0])
		if why != "" {
			return refuse(k.line, fmt.Sprintf("has %s, which %s", k.path[0], why))
		}
		if _, dup := out.ByKey[k.path[0]]; dup {
			return refuse(k.line, fmt.Sprintf("has the key %s twice", k.path[0]))
		}
		key := strings.Clone(k.path[0]) // not a slice of the whole source
		out.Keys = append(out.Keys, key)
		out.ByKey[key] = lit
	}
	if len(out.Keys) == 0 {
		return refuse(b.line, "is a set without string literals")
	}
	return nil
}

// literal turns a string token into a Literal, or says why it is not one
// hashbot may rewrite.
func (f *File) literal(t token) (*Literal, string) {
	switch {
	case t.interp:
		return nil, "is a string with an interpolation (${…}), not a plain literal"
	case t.indented:
		return nil, "is an indented string (''…''): write it as \"…\""
	case t.escapes:
		return nil, "is a string with escapes, not a plain literal"
	}
	line, col := f.lines.position(t.pos)
	return &Literal{Start: t.start, End: t.fin, Value: string(f.src[t.start:t.fin]), Line: line, Col: col}, ""
}

// isFakeHashExpr recognises the placeholders of nixpkgs' lib.
func isFakeHashExpr(text string) bool {
	for _, p := range []string{"fakeHash", "fakeSha256", "fakeSha512"} {
		if text == p || strings.HasSuffix(text, "."+p) {
			return true
		}
	}
	return false
}

// tokensText is a short rendering of tokens for messages.
func tokensText(ts []token) string {
	var parts []string
	n := 0
	for _, t := range ts {
		if n > 60 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, t.text)
		n += len(t.text)
	}
	s := strings.Join(parts, " ")
	s = strings.ReplaceAll(s, " . ", ".")
	return s
}
