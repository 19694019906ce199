package pins

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	refuse := func(at int, why string) error {
		return &nixlit.RefusalError{Path: attrPath, Line: lineOf(data, at), Why: why}
	}
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
	str := func(tok json.Token) (*nixlit.Literal, error) {
		end := int(dec.InputOffset())
		s, ok := tok.(string)
		if !ok {
			return nil, refuse(end, fmt.Sprintf("is %v, not a string", tok))
		}
		start := end - len(s) - 1
		if start < 1 || data[start-1] != '"' || string(data[start:end-1]) != s {
			return nil, refuse(end, "is a string with escapes, not a plain literal")
		}
		return &nixlit.Literal{Start: start, End: end - 1, Value: s, Line: lineOf(data, start)}, nil
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
	b.Line = lineOf(data, int(dec.InputOffset()))
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
// is the dotted key path, or "" when a key has a dot in it.
func JSONLiterals(data []byte, want func(name string) bool) ([]nixlit.Found, error) {
	var root any
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("reading JSON: %w", err)
	}
	var out []nixlit.Found
	var walk func(chain []string, v any)
	walk = func(chain []string, v any) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for key, child := range obj {
			path := append(append([]string(nil), chain...), key)
			if want(key) {
				dotted := strings.Join(path, ".")
				if b, err := locateJSON(data, dotted); err == nil && !strings.Contains(key, ".") {
					b.Path = dotted
					out = append(out, nixlit.Found{Chain: path, Binding: b})
					continue
				}
			}
			walk(path, child)
		}
	}
	walk(nil, root)
	return out, nil
}
