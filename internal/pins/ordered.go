package pins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// value is a JSON value that remembers the order of its object keys, so that
// hashbot can rewrite one hash without reordering a file people read in diffs.
type value struct {
	keys   []string          // object keys in document order
	fields map[string]*value // object members
	items  []*value          // array elements
	raw    []byte            // compact scalar (string, number, true, false, null)
	kind   byte              // '{', '[' or 0 for a scalar
}

func parseValue(raw []byte, path string) (*value, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s: empty value", path)
	}
	switch raw[0] {
	case '{':
		return parseObject(raw, path)
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v := &value{kind: '['}
		for i, e := range elems {
			child, err := parseValue(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			v.items = append(v.items, child)
		}
		return v, nil
	default:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return &value{raw: buf.Bytes()}, nil
	}
}

func parseObject(raw []byte, path string) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v := &value{kind: '{', fields: map[string]*value{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		key, _ := tok.(string)
		var member json.RawMessage
		if err := dec.Decode(&member); err != nil {
			return nil, fmt.Errorf("%s.%s: %w", path, key, err)
		}
		if _, dup := v.fields[key]; dup {
			// Nix's fromJSON takes the last; hashbot would write the first.
			return nil, fmt.Errorf("%s: duplicate key %q: Nix reads the last of them, hashbot the first", path, key)
		}
		child, err := parseValue(member, path+"."+key)
		if err != nil {
			return nil, err
		}
		v.keys = append(v.keys, key)
		v.fields[key] = child
	}
	return v, nil
}

func newObject() *value { return &value{kind: '{', fields: map[string]*value{}} }

func stringValue(s string) *value {
	b, _ := json.Marshal(s) // a string always marshals
	return &value{raw: b}
}

var nullValue = []byte("null")

func (v *value) isNull() bool { return v.kind == 0 && bytes.Equal(v.raw, nullValue) }

// str returns the value as a string when it is one.
func (v *value) str() (string, bool) {
	if v.kind != 0 || len(v.raw) == 0 || v.raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v.raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func (v *value) get(key string) *value {
	if v == nil || v.kind != '{' {
		return nil
	}
	return v.fields[key]
}

// set replaces key's value, or appends key when it is new.
func (v *value) set(key string, child *value) {
	if _, ok := v.fields[key]; !ok {
		v.keys = append(v.keys, key)
	}
	v.fields[key] = child
}

// remove deletes key, keeping the others' order.
func (v *value) remove(key string) {
	if v == nil || v.kind != '{' {
		return
	}
	if _, ok := v.fields[key]; ok {
		delete(v.fields, key)
		v.keys = slices.DeleteFunc(v.keys, func(k string) bool { return k == key })
	}
}

// setSorted replaces key's value where it stands, or inserts a new key
// before the first greater one: systems added by different builders land
// in the same place, and an existing order is never rewritten.
func (v *value) setSorted(key string, child *value) {
	if _, ok := v.fields[key]; !ok {
		i := slices.IndexFunc(v.keys, func(k string) bool { return k > key })
		if i < 0 {
			i = len(v.keys)
		}
		v.keys = slices.Insert(v.keys, i, key)
	}
	v.fields[key] = child
}

func (v *value) clone() *value {
	c := &value{kind: v.kind, keys: append([]string(nil), v.keys...), raw: append([]byte(nil), v.raw...)}
	if v.fields != nil {
		c.fields = make(map[string]*value, len(v.fields))
		for k, f := range v.fields {
			c.fields[k] = f.clone()
		}
	}
	for _, it := range v.items {
		c.items = append(c.items, it.clone())
	}
	return c
}

// write renders v with two-space indentation, like json.MarshalIndent.
func (v *value) write(b *strings.Builder, indent string) {
	switch v.kind {
	case '{':
		if len(v.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range v.keys {
			key, _ := json.Marshal(k)
			b.WriteString(indent + "  ")
			b.Write(key)
			b.WriteString(": ")
			v.fields[k].write(b, indent+"  ")
			if i < len(v.keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case '[':
		if len(v.items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, it := range v.items {
			b.WriteString(indent + "  ")
			it.write(b, indent+"  ")
			if i < len(v.items)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	default:
		b.Write(v.raw)
	}
}
