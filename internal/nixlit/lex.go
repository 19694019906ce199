package nixlit

import (
	"bytes"
	"context"
	"fmt"
)

// maxNesting bounds how deep ${ … } interpolations, and bindings inside
// the values of bindings, may nest: far deeper than Nix code is written,
// and shallow enough that neither the lexer's recursion nor the attribute
// paths of nested bindings grow with a crafted file.
const maxNesting = 128

// checkEvery is how many bytes (in the lexer) or tokens (in the scan) pass
// between two looks at the context: a cancelled scan stops within
// milliseconds.
const checkEvery = 1 << 14

// kind is a token's kind. Only what finding bindings needs is told apart:
// names, strings, the punctuation of attribute sets, and everything else.
type kind int

const (
	tokOther  kind = iota // numbers, paths, URIs, operators
	tokID                 // identifiers and keywords (let, in, inherit, rec, or …)
	tokString             // "…" or ''…''
	tokInterp             // ${ … } outside a string (a dynamic attribute name)
	tokLBrace             // {
	tokRBrace             // }
	tokLParen             // (
	tokRParen             // )
	tokLBrack             // [
	tokRBrack             // ]
	tokAssign             // = (a binding: == is tokOther)
	tokSemi               // ;
	tokDot                // .
)

// token is one lexeme of a Nix file. For a string, Start and End are its
// content's bytes, inside the quotes.
type token struct {
	kind       kind
	pos, end   int // the whole token's bytes
	text       string
	start, fin int // a string's content
	indented   bool
	interp     bool // a string holding ${…}
	escapes    bool // a string holding an escape (its value is not its bytes)
}

// SyntaxError is Nix source hashbot's scanner cannot read: an unterminated
// string or comment, an unbalanced ${.
type SyntaxError struct {
	Line, Col int
	Reason    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Reason)
}

type lexer struct {
	ctx       context.Context
	src       []byte
	text      string // src, once: tokens' texts are slices of it, not copies
	i         int
	toks      []token
	nextCheck int // the offset at which to look at ctx again
}

// lex splits src into tokens, skipping whitespace and comments, in one
// pass. It reads any bytes without panicking; what is not Nix becomes
// tokOther or a *SyntaxError. It stops with ctx's error when ctx is done.
func lex(ctx context.Context, src []byte) ([]token, error) {
	l := &lexer{ctx: ctx, src: src, text: string(src)}
	if err := l.run(false, 0); err != nil {
		return nil, err
	}
	return l.toks, nil
}

// fail is a *SyntaxError at offset at. Counting the lines before it is a
// pass over the source, made once: the lexing stops there.
func (l *lexer) fail(at int, reason string) error {
	at = min(at, len(l.src))
	line := bytes.Count(l.src[:at], []byte{'\n'}) + 1
	col := at - (bytes.LastIndexByte(l.src[:at], '\n') + 1) + 1
	return &SyntaxError{Line: line, Col: col, Reason: reason}
}

// run lexes until the end of input or, inInterp, the } closing an
// interpolation (which it consumes). nest is how many interpolations it
// is inside.
func (l *lexer) run(inInterp bool, nest int) error {
	depth := 0
	for {
		if l.i >= l.nextCheck {
			if err := l.ctx.Err(); err != nil {
				return fmt.Errorf("reading Nix: %w", err)
			}
			l.nextCheck = l.i + checkEvery
		}
		if err := l.skipSpace(); err != nil {
			return err
		}
		if l.i >= len(l.src) {
			if inInterp {
				return l.fail(l.i, "unterminated ${ … }")
			}
			return nil
		}
		start := l.i
		c := l.src[l.i]
		switch {
		case c == '"':
			if err := l.doubleQuoted(nest); err != nil {
				return err
			}
		case c == '\'' && l.peek(1) == '\'':
			if err := l.indented(nest); err != nil {
				return err
			}
		case c == '$' && l.peek(1) == '{':
			l.i += 2
			if err := l.nested(start, nest); err != nil {
				return err
			}
			l.emit(tokInterp, start)
		case c == '{':
			depth++
			l.i++
			l.emit(tokLBrace, start)
		case c == '}':
			if inInterp && depth == 0 {
				l.i++
				return nil
			}
			depth--
			l.i++
			l.emit(tokRBrace, start)
		case c == '(' || c == ')' || c == '[' || c == ']' || c == ';':
			l.i++
			l.emit(punctuation(c), start)
		case c == '=':
			if l.peek(1) == '=' {
				l.i += 2
				l.emit(tokOther, start)
			} else {
				l.i++
				l.emit(tokAssign, start)
			}
		case c == '<' || c == '>' || c == '!':
			l.i++
			if l.peek(0) == '=' {
				l.i++
			} else if c == '<' {
				l.searchPath()
			}
			l.emit(tokOther, start)
		case isPathChar(c) && l.pathAhead():
			if err := l.path(nest); err != nil {
				return err
			}
		case isIDStart(c):
			for l.i < len(l.src) && isIDChar(l.src[l.i]) {
				l.i++
			}
			if l.peek(0) == ':' && isURIChar(l.peek(1)) && l.uriScheme(start) {
				for l.i++; l.i < len(l.src) && isURIChar(l.src[l.i]); l.i++ {
				}
				l.emit(tokOther, start)
				break
			}
			l.emit(tokID, start)
		case c == '.' && !isDigit(l.peek(1)):
			l.i++
			l.emit(tokDot, start)
		default:
			l.i++
			for isDigit(c) && l.i < len(l.src) && (isDigit(l.src[l.i]) || l.src[l.i] == '.' || l.src[l.i] == 'e') {
				l.i++
			}
			l.emit(tokOther, start)
		}
	}
}

func (l *lexer) emit(k kind, start int) {
	l.toks = append(l.toks, token{kind: k, pos: start, end: l.i, text: l.text[start:l.i]})
}

func (l *lexer) peek(n int) byte {
	if l.i+n < len(l.src) {
		return l.src[l.i+n]
	}
	return 0
}

// nested lexes an interpolation's body after its ${ (at start), up to and
// including its }, and drops its tokens: they are not bindings of the
// file. nest is how many interpolations the ${ is inside; one nested
// deeper than maxNesting is a *SyntaxError, not a deeper recursion.
func (l *lexer) nested(start, nest int) error {
	if nest >= maxNesting {
		return l.fail(start, fmt.Sprintf("${ … } nested more than %d deep", maxNesting))
	}
	n := len(l.toks)
	err := l.run(true, nest+1)
	l.toks = l.toks[:n]
	return err
}

func (l *lexer) skipSpace() error {
	for l.i < len(l.src) {
		switch c := l.src[l.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.i++
		case c == '#':
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.i++
			}
		case c == '/' && l.peek(1) == '*':
			start := l.i
			l.i += 2
			for {
				if l.i+1 >= len(l.src) {
					return l.fail(start, "unterminated /* comment")
				}
				if l.src[l.i] == '*' && l.src[l.i+1] == '/' {
					l.i += 2
					break
				}
				l.i++
			}
		default:
			return nil
		}
	}
	return nil
}

// doubleQuoted lexes "…": \ escapes the next byte, ${ opens an
// interpolation, $${ is a literal $ and {.
func (l *lexer) doubleQuoted(nest int) error {
	t := token{kind: tokString, pos: l.i}
	l.i++
	t.start = l.i
	for {
		if l.i >= len(l.src) {
			return l.fail(t.pos, "unterminated string")
		}
		switch l.src[l.i] {
		case '"':
			t.fin = l.i
			l.i++
			t.end = l.i
			t.text = l.text[t.pos:t.end]
			l.toks = append(l.toks, t)
			return nil
		case '\\':
			t.escapes = true
			l.i += 2
		case '$':
			switch l.peek(1) {
			case '{':
				t.interp = true
				l.i += 2
				if err := l.nested(l.i-2, nest); err != nil {
					return err
				}
			case '$':
				l.i += 2
			default:
				l.i++
			}
		default:
			l.i++
		}
	}
}

// indented lexes ”…”: ” ends it unless followed by ' (an escaped ”),
// $ (an escaped $) or \ (an escape); ${ opens an interpolation.
func (l *lexer) indented(nest int) error {
	t := token{kind: tokString, pos: l.i, indented: true}
	l.i += 2
	t.start = l.i
	for {
		if l.i >= len(l.src) {
			return l.fail(t.pos, "unterminated indented string")
		}
		switch {
		case l.src[l.i] == '\'' && l.peek(1) == '\'':
			switch l.peek(2) {
			case '\'', '$':
				t.escapes = true
				l.i += 3
			case '\\':
				t.escapes = true
				l.i += 4
			default:
				t.fin = l.i
				l.i += 2
				t.end = l.i
				t.text = l.text[t.pos:min(t.end, len(l.src))]
				l.toks = append(l.toks, t)
				return nil
			}
		case l.src[l.i] == '$' && l.peek(1) == '{':
			t.interp = true
			l.i += 2
			if err := l.nested(l.i-2, nest); err != nil {
				return err
			}
		case l.src[l.i] == '$' && l.peek(1) == '$':
			l.i += 2
		default:
			l.i++
		}
	}
}

// pathAhead says whether a path starts here: path characters, then a /
// followed by a path character or ${ (./a, a/b, ~/x, ../x).
func (l *lexer) pathAhead() bool {
	j := l.i
	if l.src[j] == '~' {
		j++
	} else {
		for j < len(l.src) && isPathChar(l.src[j]) {
			j++
		}
	}
	return j < len(l.src) && l.src[j] == '/' && j+1 < len(l.src) &&
		(isPathChar(l.src[j+1]) || (l.src[j+1] == '$' && j+2 < len(l.src) && l.src[j+2] == '{'))
}

// path lexes a path, with any ${…} in it.
func (l *lexer) path(nest int) error {
	start := l.i
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case isPathChar(c) || c == '/' || c == '~':
			l.i++
		case c == '$' && l.peek(1) == '{':
			l.i += 2
			if err := l.nested(l.i-2, nest); err != nil {
				return err
			}
		default:
			l.emit(tokOther, start)
			return nil
		}
	}
	l.emit(tokOther, start)
	return nil
}

// searchPath lexes the rest of <nixpkgs/lib> after its <, when it is one.
func (l *lexer) searchPath() bool {
	j := l.i
	for j < len(l.src) && (isPathChar(l.src[j]) || l.src[j] == '/') {
		j++
	}
	if j > l.i && j < len(l.src) && l.src[j] == '>' {
		l.i = j + 1
		return true
	}
	return false
}

// uriScheme says whether src[start:l.i] may be a URI's scheme: a letter,
// then letters, digits, + - and .; Nix reads x:y as a URI, not a lambda.
func (l *lexer) uriScheme(start int) bool {
	for _, c := range l.src[start:l.i] {
		if c == '_' || c == '\'' {
			return false
		}
	}
	return true
}
