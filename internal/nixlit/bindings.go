package nixlit

import (
	"context"
	"fmt"
	"strings"
)

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

// Bindings lists the bindings of f whose value is a plain string
// literal, or a set of them, and whose own name satisfies want: the
// places a hash or a version may be written, for `hashbot init` to try.
// Each suffix of an attribute path is looked up once, however many
// bindings share it.
func (f *File) Bindings(ctx context.Context, want func(name string) bool) ([]Found, error) {
	paths := &suffixes{f: f, ids: map[suffixKey]int{}, found: map[int]located{}}
	var out []Found
	for i := range f.all {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("listing bindings: %w", err)
			}
		}
		b := &f.all[i]
		name := b.path[len(b.path)-1]
		if b.inherited || !want(name) || len(b.value) == 0 {
			continue
		}
		got := &Binding{Line: b.line}
		if len(b.value) == 1 && b.value[0].kind == tokString {
			lit, why := f.literal(b.value[0])
			if why != "" {
				continue
			}
			got.Literal = lit
		} else if b.value[0].kind == tokLBrace {
			if err := f.keyed(i, name, got); err != nil {
				continue
			}
		} else {
			continue
		}
		chain := f.chain(i)
		for k := range chain {
			chain[k] = strings.Clone(chain[k]) // not slices of the whole source
		}
		got.Path = paths.shortest(chain, got)
		out = append(out, Found{Chain: chain, Binding: got})
	}
	return out, nil
}

// suffixes finds the shortest suffix of a chain that Locate resolves to a
// binding's literals, looking each suffix up once: the 1,000 `sha512`s of
// a generated yarn.nix share the three suffixes of their chains.
type suffixes struct {
	f     *File
	ids   map[suffixKey]int // a suffix's id, by its first name and the id of the rest
	found map[int]located   // by suffix id
}

// suffixKey names a suffix of a chain: its first name, then the id of the
// suffix after it (-1 for none).
type suffixKey struct {
	name string
	rest int
}

// located is what Locate answered for a suffix.
type located struct {
	b   *Binding
	err error
}

// shortest is the shortest suffix of chain that Locate resolves to b's
// literals, or "".
func (s *suffixes) shortest(chain []string, b *Binding) string {
	rest := -1
	for i := len(chain) - 1; i >= 0; i-- {
		if !isIdentifier(chain[i]) {
			return ""
		}
		key := suffixKey{name: chain[i], rest: rest}
		id, ok := s.ids[key]
		if !ok {
			id = len(s.ids)
			s.ids[key] = id
		}
		rest = id
		r, ok := s.found[id]
		if !ok {
			r.b, r.err = s.f.locate(chain[i:], 0)
			s.found[id] = r
		}
		if r.err == nil && sameLiterals(r.b, b) {
			return strings.Join(chain[i:], ".")
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
