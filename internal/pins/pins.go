package pins

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Pins is a parsed pins file. The zero value is not usable; use Read or Parse.
type Pins struct {
	name string
	root *value
}

// ShapeError says that a hash entry in the pins does not have the shape
// hashbot.toml gives it (an object keyed by system, or a single string).
type ShapeError struct {
	File, FOD, Want string
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("%s: hashes.%s must be %s", e.File, e.FOD, e.Want)
}

// Parse parses pins from data; name is used in error messages.
func Parse(data []byte, name string) (*Pins, error) {
	if !json.Valid(data) {
		var probe any
		err := json.Unmarshal(data, &probe)
		return nil, fmt.Errorf("reading pins %s: not valid JSON: %w", name, err)
	}
	root, err := parseValue(data, "$")
	if err != nil {
		return nil, fmt.Errorf("reading pins %s: %w", name, err)
	}
	if root.kind != '{' {
		return nil, fmt.Errorf("reading pins %s: the top level must be a JSON object", name)
	}
	if h := root.get("hashes"); h != nil && h.kind != '{' {
		return nil, fmt.Errorf("reading pins %s: \"hashes\" must be an object", name)
	}
	if in := root.get("inputs"); in != nil && in.kind != '{' && !in.isNull() {
		return nil, fmt.Errorf("reading pins %s: \"inputs\" must be an object", name)
	}
	if src := root.get("sources"); src != nil && src.kind != '{' && !src.isNull() {
		return nil, fmt.Errorf("reading pins %s: \"sources\" must be an object", name)
	}
	return &Pins{name: name, root: root}, nil
}

// Name is the file name the pins were read from, for messages.
func (p *Pins) Name() string { return p.name }

// Clone returns an independent copy.
func (p *Pins) Clone() *Pins { return &Pins{name: p.name, root: p.root.clone()} }

// Version is the pinned upstream version, "" when absent.
func (p *Pins) Version() string { s, _ := p.topString("version"); return s }

// SetVersion sets the pinned upstream version.
func (p *Pins) SetVersion(v string) { p.root.set("version", stringValue(v)) }

// DeleteVersion removes the version (kept in the Nix code instead).
func (p *Pins) DeleteVersion() { p.root.remove("version") }

// Rev is the pinned upstream commit (branch mode), "" when absent.
func (p *Pins) Rev() string { s, _ := p.topString("rev"); return s }

// SetRev sets the pinned upstream commit.
func (p *Pins) SetRev(rev string) { p.root.set("rev", stringValue(rev)) }

func (p *Pins) topString(key string) (string, bool) {
	v := p.root.get(key)
	if v == nil {
		return "", false
	}
	return v.str()
}

// HasFOD says whether hashes.<fod> is present, even as null.
func (p *Pins) HasFOD(fod string) bool { return p.root.get("hashes").get(fod) != nil }

// CheckShape returns a *ShapeError when hashes.<fod> is missing or is not the
// shape the configuration expects. null is accepted in both shapes.
func (p *Pins) CheckShape(fod string, perSystem bool) error {
	v := p.root.get("hashes").get(fod)
	want := "a hash string or null"
	if perSystem {
		want = "an object keyed by system (or null)"
	}
	switch {
	case v == nil:
		return &ShapeError{File: p.name, FOD: fod, Want: want + ", and is missing"}
	case v.isNull():
		return nil
	case perSystem && v.kind == '{':
		for _, sys := range v.keys {
			if c := v.fields[sys]; !c.isNull() {
				if _, ok := c.str(); !ok {
					return &ShapeError{File: p.name, FOD: fod + "." + sys, Want: "a hash string or null"}
				}
			}
		}
		return nil
	case !perSystem:
		if _, ok := v.str(); ok {
			return nil
		}
	}
	return &ShapeError{File: p.name, FOD: fod, Want: want}
}

// Hash returns the pinned hash of fod for system ("" for a system-independent
// FOD). ok is false when the hash is null, missing or not a string.
func (p *Pins) Hash(fod, system string) (hash string, ok bool) {
	v := p.root.get("hashes").get(fod)
	if system != "" {
		v = v.get(system)
	}
	if v == nil {
		return "", false
	}
	s, ok := v.str()
	if !ok || s == "" {
		return "", false
	}
	return s, true
}

// HashPath names the pins entry of fod for system ("" for a
// system-independent FOD) in messages: "hashes.webui-deps.aarch64-linux".
func HashPath(fod, system string) string {
	if system == "" {
		return "hashes." + fod
	}
	return "hashes." + fod + "." + system
}

// SetHash sets the hash of fod for system ("" for a system-independent FOD);
// an empty hash writes null. Other systems' hashes are kept.
func (p *Pins) SetHash(fod, system, hash string) {
	hashes := p.root.get("hashes")
	if hashes == nil {
		hashes = newObject()
		p.root.set("hashes", hashes)
	}
	val := &value{raw: nullValue}
	if hash != "" {
		val = stringValue(hash)
	}
	if system == "" {
		hashes.set(fod, val)
		return
	}
	obj := hashes.get(fod)
	if obj == nil || obj.kind != '{' {
		obj = newObject()
		hashes.set(fod, obj)
	}
	obj.setSorted(system, val)
}

// DeleteHash removes hashes.<fod> (an FOD whose hash the Nix code keeps).
// An emptied "hashes" object stays, as {}.
func (p *Pins) DeleteHash(fod string) { p.root.get("hashes").remove(fod) }

// Source is the pin of a source ([source.<name>] in hashbot.toml) under
// "sources": where it is and the hash of its archive there.
type Source struct {
	// Rev is the commit (branch mode) or tag (release mode).
	Rev string
	// Version is the release's version (release mode), "" otherwise.
	Version string
	// URL is the archive at Rev, as the Nix code fetches it.
	URL string
	// Hash is the SRI hash of the unpacked archive (fetchTarball's), ""
	// when null.
	Hash string
}

// Source returns the pin of the source name; ok is false when there is
// none.
func (p *Pins) Source(name string) (s Source, ok bool) {
	v := p.root.get("sources").get(name)
	if v == nil || v.kind != '{' {
		return Source{}, false
	}
	field := func(k string) string {
		f := v.get(k)
		if f == nil {
			return ""
		}
		str, _ := f.str()
		return str
	}
	return Source{Rev: field("rev"), Version: field("version"), URL: field("url"), Hash: field("hash")}, true
}

// SourceNames lists the sources pinned, in file order.
func (p *Pins) SourceNames() []string {
	all := p.root.get("sources")
	if all == nil || all.kind != '{' {
		return nil
	}
	return append([]string(nil), all.keys...)
}

// Sources returns every source pin by name (nil when there is none).
func (p *Pins) Sources() map[string]Source {
	var out map[string]Source
	for _, name := range p.SourceNames() {
		if s, ok := p.Source(name); ok {
			if out == nil {
				out = map[string]Source{}
			}
			out[name] = s
		}
	}
	return out
}

// SetSource sets the pin of the source name, keeping the order of keys it
// had and any keys hashbot does not write.
func (p *Pins) SetSource(name string, s Source) {
	all := p.root.get("sources")
	if all == nil || all.kind != '{' {
		all = newObject()
		p.root.set("sources", all)
	}
	obj := all.get(name)
	if obj == nil || obj.kind != '{' {
		obj = newObject()
		all.set(name, obj)
	}
	obj.set("rev", stringValue(s.Rev))
	if s.Version != "" {
		obj.set("version", stringValue(s.Version))
	}
	obj.set("url", stringValue(s.URL))
	if s.Hash == "" {
		obj.set("hash", &value{raw: nullValue})
	} else {
		obj.set("hash", stringValue(s.Hash))
	}
}

// Input returns the recorded SRI hash of an input file.
func (p *Pins) Input(path string) (hash string, ok bool) {
	v := p.root.get("inputs").get(path)
	if v == nil {
		return "", false
	}
	return v.str()
}

// InputPaths lists the inputs recorded, in file order.
func (p *Pins) InputPaths() []string {
	in := p.root.get("inputs")
	if in == nil || in.kind != '{' {
		return nil
	}
	return append([]string(nil), in.keys...)
}

// SetInput records the SRI hash of an input file.
func (p *Pins) SetInput(path, hash string) {
	in := p.root.get("inputs")
	if in == nil || in.kind != '{' {
		in = newObject()
		p.root.set("inputs", in)
	}
	in.set(path, stringValue(hash))
}

// Marshal renders the pins with two-space indentation, keys in their order,
// and a trailing newline.
func (p *Pins) Marshal() []byte {
	var b strings.Builder
	p.root.write(&b, "")
	b.WriteByte('\n')
	return []byte(b.String())
}

// SRI returns the SRI sha256 hash of data ("sha256-<base64>").
func SRI(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// RecipeSRI returns the SRI sha256 hash of the file rel of the working
// tree at dir as a recipe: a Nix file of the layout holding hash or version
// literals is hashed with their content left out (MaskLiterals), so that
// writing a new hash there does not make its FODs stale.
func (l Layout) RecipeSRI(dir, rel string) (string, error) {
	data, err := ReadTree(dir)(rel)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", rel, err)
	}
	if data, err = l.MaskLiterals(rel, data); err != nil {
		return "", fmt.Errorf("hashing %s: %w", rel, err)
	}
	return SRI(data), nil
}
