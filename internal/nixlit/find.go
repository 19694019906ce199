// Package nixlit finds and replaces the string literals that Nix code binds
// to an attribute: the `vendorHash = "sha256-…";` of a package.nix, the
// per-system `outputHash = { x86_64-linux = "…"; … }.${system}` of an FOD,
// the `version = "2026.2.2";` of a release. It reads Nix's lexical syntax
// (strings, indented strings, interpolations, comments, paths), so that a
// hash in a comment or inside another string is never taken for one, and
// it changes nothing but a literal's content bytes: indentation, comments
// and quotes stay as they were.
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

// binding is one `path = value;` or one name of `inherit …;`.
type binding struct {
	at        int      // offset of its = (or of its name in an inherit)
	path      []string // its own attribute path
	chain     []string // the paths of the bindings it is inside, then its own
	line      int
	value     []token // the tokens of its value, up to its ;
	inherited bool    // from `inherit`: its value is the variable of its name
	from      string  // inherit (from) …: the set it is taken from
}

// scan lexes src and lists its bindings, outermost first.
func scan(src []byte) ([]binding, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	type open struct {
		end   int // index of the token that ends its value
		chain []string
	}
	var stack []open
	var out []binding
	parent := func(i int) []string {
		for len(stack) > 0 && stack[len(stack)-1].end < i {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1].chain
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tokAssign:
			path, ok := attrPathBefore(toks, i)
			if !ok {
				continue
			}
			end := valueEnd(toks, i+1)
			chain := append(slices.Clone(parent(i)), path...)
			line, _ := position(src, toks[i].pos)
			out = append(out, binding{at: toks[i].pos, path: path, chain: chain, line: line, value: toks[i+1 : end]})
			stack = append(stack, open{end: end, chain: chain})
		case t.kind == tokID && t.text == "inherit":
			chain := parent(i)
			j, from := i+1, ""
			if j < len(toks) && toks[j].kind == tokLParen {
				k := matching(toks, j)
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
				line, _ := position(src, toks[j].pos)
				out = append(out, binding{at: toks[j].pos, path: []string{name}, chain: append(slices.Clone(chain), name),
					line: line, inherited: true, from: from})
			}
			i = j
		}
	}
	return out, nil
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

// valueEnd is the index of the ; ending the value that starts at i: the
// first at its own depth, where let … in counts as brackets and the ; of a
// `with x;` or `assert c;` inside the value is skipped.
func valueEnd(toks []token, i int) int {
	depth := 0
	pending := map[int]int{}
	for j := i; j < len(toks); j++ {
		switch t := toks[j]; {
		case t.kind == tokLBrace || t.kind == tokLParen || t.kind == tokLBrack || t.kind == tokID && t.text == "let":
			depth++
		case t.kind == tokRBrace || t.kind == tokRParen || t.kind == tokRBrack || t.kind == tokID && t.text == "in":
			depth--
			if depth < 0 {
				return j
			}
		case t.kind == tokID && (t.text == "with" || t.text == "assert"):
			pending[depth]++
		case t.kind == tokSemi:
			if pending[depth] > 0 {
				pending[depth]--
				continue
			}
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

// matching is the index of the bracket closing the one at i.
func matching(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch toks[j].kind {
		case tokLBrace, tokLParen, tokLBrack:
			depth++
		case tokRBrace, tokRParen, tokRBrack:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

// Locate finds the literal, or per-key literals, that src binds to
// attrPath: "vendorHash", or "src.hash" for the hash inside the value of
// src. The path's last name must be the binding's own; the names before it
// must be, in order, among the bindings it is written inside. line, when
// not 0, picks the binding on that line. A variable (`vendorHash = h;`,
// `inherit vendorHash;`) is followed to its one binding in src.
func Locate(src []byte, attrPath string, line int) (*Binding, error) {
	all, err := scan(src)
	if err != nil {
		return nil, err
	}
	want := strings.Split(attrPath, ".")
	var found []binding
	for _, b := range all {
		if b.path[len(b.path)-1] == want[len(want)-1] && isSubsequence(want[:len(want)-1], b.chain[:len(b.chain)-1]) &&
			(line == 0 || b.line == line) {
			found = append(found, b)
		}
	}
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
	for _, b := range found {
		lines = append(lines, fmt.Sprint(b.line))
	}
	ambiguous := &RefusalError{Path: attrPath, Line: found[0].line, Why: fmt.Sprintf(
		"is bound %d times in this file (lines %s): name the one you mean with the attribute it is inside (\"src.hash\")",
		len(found), strings.Join(lines, ", "))}
	var out *Binding
	for _, b := range found {
		got := &Binding{Path: attrPath, Line: b.line}
		if err := resolve(src, all, b, attrPath, got, 0); err != nil {
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

func isSubsequence(want, have []string) bool {
	for _, w := range want {
		i := slices.Index(have, w)
		if i < 0 {
			return false
		}
		have = have[i+1:]
	}
	return true
}

// resolve fills out from b's value, following variables up to a few deep.
func resolve(src []byte, all []binding, b binding, attrPath string, out *Binding, depth int) error {
	refuse := func(why string) error { return &RefusalError{Path: attrPath, Line: b.line, Why: why} }
	if b.inherited {
		if b.from != "" {
			return refuse(fmt.Sprintf("is inherited from (%s): hashbot writes only a literal it can see", b.from))
		}
		return follow(src, all, b, b.path[0], attrPath, out, depth)
	}
	v := b.value
	switch {
	case len(v) == 0:
		return refuse("has no value")
	case len(v) == 1 && v[0].kind == tokString:
		lit, why := literal(src, v[0])
		if why != "" {
			return refuse(why)
		}
		out.Literal = lit
		return nil
	case len(v) == 1 && v[0].kind == tokID:
		return follow(src, all, b, v[0].text, attrPath, out, depth)
	case v[0].kind == tokLBrace || len(v) > 1 && v[0].kind == tokID && v[0].text == "rec" && v[1].kind == tokLBrace:
		return keyed(src, all, b, attrPath, out)
	}
	text := tokensText(v)
	if isFakeHashExpr(text) {
		return refuse(fmt.Sprintf("is %s, a placeholder, not a string literal: write \"\" there and hashbot fills it in", text))
	}
	return refuse(fmt.Sprintf("is the expression %s, not a string literal", text))
}

// follow resolves the variable name (the value of b) to its one binding.
func follow(src []byte, all []binding, b binding, name, attrPath string, out *Binding, depth int) error {
	refuse := func(why string) error { return &RefusalError{Path: attrPath, Line: b.line, Why: why} }
	if depth >= 4 || slices.Contains(out.Via, name) {
		return refuse(fmt.Sprintf("leads through too many variables (%s)", strings.Join(append(out.Via, name), " → ")))
	}
	var defs []binding
	for _, d := range all {
		if len(d.path) == 1 && d.path[0] == name && d.at != b.at {
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
			lines = append(lines, fmt.Sprint(d.line))
		}
		return refuse(fmt.Sprintf("is the variable %s, bound %d times in this file (lines %s): hashbot cannot tell which",
			name, len(defs), strings.Join(lines, ", ")))
	}
	out.Via = append(out.Via, name)
	return resolve(src, all, defs[0], attrPath, out, depth+1)
}

// keyed fills out from `{ key = "…"; … }`: every binding directly inside
// must be a one-name key bound to a plain literal.
func keyed(src []byte, all []binding, b binding, attrPath string, out *Binding) error {
	refuse := func(line int, why string) error { return &RefusalError{Path: attrPath, Line: line, Why: why} }
	open := 0
	if b.value[0].kind == tokID {
		open = 1
	}
	closeAt := matching(b.value, open)
	if closeAt+1 < len(b.value) && (b.value[closeAt+1].text == ":" || b.value[closeAt+1].text == "@") {
		return refuse(b.line, "is a function, not a set of literals")
	}
	first, last := b.value[open].pos, b.value[min(closeAt, len(b.value)-1)].end
	out.ByKey = map[string]*Literal{}
	for _, k := range all {
		if k.inherited || len(k.value) == 0 || k.value[0].pos <= first || k.value[0].pos >= last || len(k.chain) != len(b.chain)+len(k.path) {
			continue
		}
		if len(k.path) != 1 {
			return refuse(k.line, fmt.Sprintf("has the key %s, not one name", strings.Join(k.path, ".")))
		}
		if len(k.value) != 1 || k.value[0].kind != tokString {
			return refuse(k.line, fmt.Sprintf("has %s = %s, not a string literal", k.path[0], tokensText(k.value)))
		}
		lit, why := literal(src, k.value[0])
		if why != "" {
			return refuse(k.line, fmt.Sprintf("has %s, which %s", k.path[0], why))
		}
		if _, dup := out.ByKey[k.path[0]]; dup {
			return refuse(k.line, fmt.Sprintf("has the key %s twice", k.path[0]))
		}
		out.Keys = append(out.Keys, k.path[0])
		out.ByKey[k.path[0]] = lit
	}
	if len(out.Keys) == 0 {
		return refuse(b.line, "is a set without string literals")
	}
	return nil
}

// literal turns a string token into a Literal, or says why it is not one
// hashbot may rewrite.
func literal(src []byte, t token) (*Literal, string) {
	switch {
	case t.interp:
		return nil, "is a string with an interpolation (${…}), not a plain literal"
	case t.indented:
		return nil, "is an indented string (''…''): write it as \"…\""
	case t.escapes:
		return nil, "is a string with escapes, not a plain literal"
	}
	line, col := position(src, t.pos)
	return &Literal{Start: t.start, End: t.fin, Value: string(src[t.start:t.fin]), Line: line, Col: col}, ""
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

// Found is a binding of a literal, or of a set of literals keyed by
// name, as Bindings lists them.
type Found struct {
	// Chain is the attribute path of the binding: the names of the
	// bindings it is written inside, then its own.
	Chain []string
	// Binding is where its literals are; Path is the shortest suffix of
	// Chain that Locate finds them by, or "" when none does (a name
	// that is not an identifier, a binding Locate cannot tell apart).
	Binding *Binding
}

// Bindings lists the bindings of src whose value is a plain string
// literal, or a set of them, and whose own name satisfies want: the
// places a hash or a version may be written, for `hashbot init` to try.
func Bindings(src []byte, want func(name string) bool) ([]Found, error) {
	all, err := scan(src)
	if err != nil {
		return nil, err
	}
	var out []Found
	for _, b := range all {
		name := b.path[len(b.path)-1]
		if b.inherited || !want(name) || len(b.value) == 0 {
			continue
		}
		got := &Binding{Line: b.line}
		if len(b.value) == 1 && b.value[0].kind == tokString {
			lit, why := literal(src, b.value[0])
			if why != "" {
				continue
			}
			got.Literal = lit
		} else if b.value[0].kind == tokLBrace {
			if err := keyed(src, all, b, name, got); err != nil {
				continue
			}
		} else {
			continue
		}
		got.Path = shortestPath(src, b.chain, got)
		out = append(out, Found{Chain: b.chain, Binding: got})
	}
	return out, nil
}

// shortestPath is the shortest suffix of chain that Locate resolves to
// b's literals, or "".
func shortestPath(src []byte, chain []string, b *Binding) string {
	for i := len(chain) - 1; i >= 0; i-- {
		parts := chain[i:]
		ok := true
		for _, p := range parts {
			if !isIdentifier(p) {
				ok = false
			}
		}
		if !ok {
			return ""
		}
		path := strings.Join(parts, ".")
		if got, err := Locate(src, path, 0); err == nil && sameLiterals(got, b) {
			return path
		}
	}
	return ""
}

func isIdentifier(s string) bool {
	if s == "" || !isIDStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIDChar(s[i]) {
			return false
		}
	}
	return true
}
