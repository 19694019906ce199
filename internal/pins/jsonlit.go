package pins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/nixlit"
)

// locateJSON finds the string literal at attrPath ("hash", "hashes.vendor")
// in a JSON file, such as nixpkgs' source.json, or, for a per-system hash,
// the object of string literals keyed by system there. A string with
// escapes is refused: its bytes are not its value. So is a file with a key
// twice in one object, wherever it is (parseValue, as for the pins).
func locateJSON(data []byte, attrPath string) (*nixlit.Binding, error) {
	if _, err := parseValue(data, "$"); err != nil {
		return nil, fmt.Errorf("reading JSON: %w", err)
	}
	want := strings.Split(attrPath, ".")
	dec := json.NewDecoder(bytes.NewReader(data))
	// find walks to the value at want, consuming the document up to it.
	var find func(depth int) (found bool, err error)
	find = func(depth int) (bool, error) {
		tok, err := dec.Token()
		if err != nil {
			return false, err
		}
		if tok != json.Delim('{') {
			return false, nil
		}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return false, err
			}
			if key == want[depth] {
				if depth == len(want)-1 {
					return true, nil
				}
				if found, err := find(depth + 1); found || err != nil {
					return found, err
				}
				continue
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return false, err
			}
		}
		_, err = dec.Token() // }
		return false, err
	}
	found, err := find(0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading JSON: %w", err)
	}
	if !found {
		return nil, &nixlit.RefusalError{Path: attrPath, Why: "is not in this file"}
	}
	return boundValue(dec, data, 0, attrPath, func(at int) int { return lineOf(data, at) })
}

// boundValue reads the value dec is at, a key's, as locateJSON finds it:
// a plain string literal, or an object of them keyed by system. dec reads
// data from base on; line gives the line of an offset in data.
func boundValue(dec *json.Decoder, data []byte, base int, attrPath string, line func(at int) int) (*nixlit.Binding, error) {
	refuse := func(at int, why string) error {
		return &nixlit.RefusalError{Path: attrPath, Line: line(at), Why: why}
	}
	str := func(tok json.Token) (*nixlit.Literal, error) {
		end := base + int(dec.InputOffset())
		s, ok := tok.(string)
		if !ok {
			return nil, refuse(end, fmt.Sprintf("is %v, not a string", tok))
		}
		start := end - len(s) - 1
		if start < 1 || data[start-1] != '"' || string(data[start:end-1]) != s {
			return nil, refuse(end, "is a string with escapes, not a plain literal")
		}
		return &nixlit.Literal{Start: start, End: end - 1, Value: s, Line: line(start)}, nil
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("reading JSON: %w", err)
	}
	b := &nixlit.Binding{Path: attrPath}
	if tok != json.Delim('{') {
		if b.Literal, err = str(tok); err != nil {
			return nil, err
		}
		b.Line = b.Literal.Line
		return b, nil
	}
	b.Line = line(base + int(dec.InputOffset()))
	b.ByKey = map[string]*nixlit.Literal{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("reading JSON: %w", err)
		}
		val, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("reading JSON: %w", err)
		}
		k, _ := key.(string)
		l, err := str(val)
		if err != nil {
			return nil, err
		}
		b.Keys = append(b.Keys, k)
		b.ByKey[k] = l
	}
	return b, nil
}

// lineOf is the 1-based line of offset in data.
func lineOf(data []byte, offset int) int {
	return bytes.Count(data[:min(offset, len(data))], []byte{'\n'}) + 1
}

// JSONLiterals lists the string values of a JSON file whose key satisfies
// want, and the objects of string values keyed by system under such a key,
// as nixlit.Bindings does for Nix: the places `hashbot init` tries. Path
// is the dotted key path; a key with a dot in it is passed over. It reads
// data in one pass (a wanted key's value once more, to tell a literal or
// a set of them from an object to look inside), and stops with ctx's
// error when ctx is done.
func JSONLiterals(ctx context.Context, data []byte, want func(name string) bool) ([]nixlit.Found, error) {
	if !json.Valid(data) {
		return nil, errors.New("reading JSON: not a JSON document")
	}
	w := &jsonWalker{ctx: ctx, data: data, want: want, lines: newLineIndex(data)}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("reading JSON: %w", err)
	}
	if tok == json.Delim('{') {
		if err := w.object(dec, nil, 0); err != nil {
			return nil, err
		}
	}
	return w.out, nil
}

// maxJSONDepth bounds how deep JSONLiterals looks: the objects below it
// are passed over, so that a crafted file costs no more than a pass each.
const maxJSONDepth = 64

// jsonWalker is JSONLiterals' pass over a document.
type jsonWalker struct {
	ctx   context.Context
	data  []byte
	want  func(name string) bool
	lines lineIndex
	out   []nixlit.Found
	keys  int // keys read, for looking at ctx now and then
}

// object reads the members of the object whose { dec has just read, at
// the key path chain, and the object's }.
func (w *jsonWalker) object(dec *json.Decoder, chain []string, depth int) error {
	for dec.More() {
		if w.keys++; w.keys%4096 == 0 {
			if err := w.ctx.Err(); err != nil {
				return fmt.Errorf("reading JSON: %w", err)
			}
		}
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("reading JSON: %w", err)
		}
		key, _ := tok.(string)
		path := append(chain[:len(chain):len(chain)], key)
		if w.want(key) && !slices.ContainsFunc(path, func(k string) bool { return strings.Contains(k, ".") }) {
			at := int(dec.InputOffset()) // after the key: then blanks, a colon, the value
			for at < len(w.data) && (w.data[at] == ':' || w.data[at] == ' ' || w.data[at] == '\t' || w.data[at] == '\n' || w.data[at] == '\r') {
				at++
			}
			sub := json.NewDecoder(bytes.NewReader(w.data[at:]))
			if b, err := boundValue(sub, w.data, at, strings.Join(path, "."), w.lines.line); err == nil {
				w.out = append(w.out, nixlit.Found{Chain: path, Binding: b})
				if err := skipJSON(dec); err != nil {
					return err
				}
				continue
			}
		}
		if tok, err = dec.Token(); err != nil {
			return fmt.Errorf("reading JSON: %w", err)
		}
		switch {
		case tok == json.Delim('{') && depth < maxJSONDepth:
			err = w.object(dec, path, depth+1)
		case tok == json.Delim('{') || tok == json.Delim('['):
			err = skipRest(dec)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return fmt.Errorf("reading JSON: %w", err)
	}
	return nil
}

// skipJSON reads the value dec is at.
func skipJSON(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("reading JSON: %w", err)
	}
	if tok == json.Delim('{') || tok == json.Delim('[') {
		return skipRest(dec)
	}
	return nil
}

// skipRest reads the rest of the object or array whose opening dec has
// just read.
func skipRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("reading JSON: %w", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// lineIndex is where each line of a document starts, for the line of an
// offset without counting the lines before it again.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	x := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			x = append(x, i+1)
		}
	}
	return x
}

// line is the 1-based line of offset.
func (x lineIndex) line(offset int) int {
	return sort.Search(len(x), func(k int) bool { return x[k] > offset })
}
