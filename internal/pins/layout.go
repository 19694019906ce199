package pins

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/nixlit"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// Layout says where a repository keeps its pins: the JSON pins file, and,
// for the FODs whose hash is written in the Nix code itself (nixpkgs'
// `vendorHash = "…";`, or a source.json the Nix code reads), the file and
// attribute of each literal, and maybe the version's. The JSON file keeps everything else hashbot
// records (input fingerprints, sources, and the version unless inline).
type Layout struct {
	// JSON is the pins file, relative to the repository, '/'-separated.
	JSON string
	// Inline are the FODs whose hash is a literal in a Nix file.
	Inline []InlineHash
	// Version, when set, is where the version literal is; nil keeps the
	// version in the JSON file.
	Version *InlineValue
	// FlakeLock, when set, is the flake.lock in which the flake inputs
	// LockedInputs are pinned: sources that Nix moves (nix flake update),
	// so that a run commits the lock Nix wrote beside the hashes computed
	// with it. Render leaves it alone; Guard takes a new lock
	// (GuardFlakeLock), moving only the inputs a check named a commit for
	// (Stored.ExpectLocked).
	FlakeLock    string
	LockedInputs []string
}

// InlineHash is an FOD whose hash is a string literal in a Nix file: bound
// to Attr, or, per system, to Attr's set keyed by system.
type InlineHash struct {
	FOD string
	InlineValue
	// Systems are the FOD's systems; none for a system-independent FOD.
	Systems []string
}

// InlineValue is a string literal bound to Attr ("vendorHash",
// "src.hash") in File (relative to the repository, '/'-separated).
type InlineValue struct {
	File, Attr string
}

// Paths are the files the layout keeps pins in, sorted.
func (l Layout) Paths() []string {
	set := map[string]bool{l.JSON: true}
	for _, h := range l.Inline {
		set[h.File] = true
	}
	if l.Version != nil {
		set[l.Version.File] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// InlineFiles are the Nix files holding literals, sorted.
func (l Layout) InlineFiles() []string {
	var out []string
	for _, p := range l.Paths() {
		if p != l.JSON {
			out = append(out, p)
		}
	}
	return out
}

// Files are the contents of a layout's files, by path.
type Files map[string][]byte

// Paths are the files' paths, sorted.
func (f Files) Paths() []string { return slices.Sorted(maps.Keys(f)) }

// Stored is a layout's pins as loaded from its files: the pins, with every
// inline hash and version in them, and where each literal is.
type Stored struct {
	// Pins are the pins: the JSON file's, plus every inline value.
	Pins   *Pins
	layout Layout
	files  Files
	hashes map[string]*nixlit.Binding // by FOD
	ver    *nixlit.Binding
	// bareJSON is true when the JSON file had no "hashes": one the inline
	// hashes made in memory is not written.
	bareJSON bool
	// lockedRevs are the commits the flake inputs may move to
	// (ExpectLocked).
	lockedRevs map[string]string
}

// ExpectLocked tells Guard the commit each flake input of the layout's
// (LockedInputs) may be moved to in a new flake.lock: the one the check
// of the branch it follows gave, by input name. An input without one must
// not move. It returns s.
func (s *Stored) ExpectLocked(revs map[string]string) *Stored {
	s.lockedRevs = map[string]string{}
	for _, in := range s.layout.LockedInputs {
		if rev, ok := revs[in]; ok {
			s.lockedRevs[in] = rev
		}
	}
	return s
}

// LayoutError is a layout whose files do not hold what it says: an inline
// literal hashbot cannot find or write (naming the file and line and why),
// or a value kept in two places.
type LayoutError struct {
	File   string
	Line   int
	Reason string
}

func (e *LayoutError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// Load reads the layout's files with read (a working tree's, a commit's)
// and returns the pins they hold. name describes where they are read from
// for messages ("" for the working tree, "base 1a2b3c4d5e6f").
func (l Layout) Load(read func(path string) ([]byte, error), name string) (*Stored, error) {
	s := &Stored{layout: l, files: Files{}, hashes: map[string]*nixlit.Binding{}}
	for _, path := range l.Paths() {
		data, err := read(path)
		if err != nil {
			return nil, fmt.Errorf("reading pins: %w", err)
		}
		s.files[path] = data
	}
	if l.FlakeLock != "" {
		data, err := read(l.FlakeLock)
		if err != nil {
			return nil, fmt.Errorf("reading the flake's lock: %w", err)
		}
		s.files[l.FlakeLock] = data
	}
	label := l.JSON
	if name != "" {
		label = fmt.Sprintf("%s (%s)", l.JSON, name)
	}
	p, err := Parse(s.files[l.JSON], label)
	if err != nil {
		return nil, err
	}
	s.bareJSON = p.root.get("hashes") == nil
	files := locator{}
	var errs []error
	for _, h := range l.Inline {
		if p.HasFOD(h.FOD) {
			errs = append(errs, &LayoutError{File: l.JSON, Reason: fmt.Sprintf(
				"hashes.%s is here and in %s (%s): a hash has one home; remove it from %s", h.FOD, h.File, h.Attr, l.JSON)})
			continue
		}
		b, err := files.locate(s.files[h.File], h.InlineValue)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := bindHash(p, h, b); err != nil {
			errs = append(errs, err)
			continue
		}
		s.hashes[h.FOD] = b
	}
	if v := l.Version; v != nil {
		if _, ok := p.topString("version"); ok {
			errs = append(errs, &LayoutError{File: l.JSON, Reason: fmt.Sprintf(
				"\"version\" is here and in %s (%s): the version has one home; remove it from %s", v.File, v.Attr, l.JSON)})
		} else if b, err := files.locate(s.files[v.File], *v); err != nil {
			errs = append(errs, err)
		} else if b.Literal == nil {
			errs = append(errs, &LayoutError{File: v.File, Line: b.Line, Reason: v.Attr + " is a set, not the version's literal"})
		} else {
			if b.Literal.Value != "" {
				p.SetVersion(b.Literal.Value)
			}
			s.ver = b
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.Pins = p
	return s, nil
}

// locator finds inline values in the files of a layout, each Nix file
// read once (nixlit.Parse) however many values are in it. Each file's
// name stands for one content: a locator serves one set of files.
type locator map[string]parsed

// parsed is a Nix file as read by nixlit.Parse, or why it could not be.
type parsed struct {
	f   *nixlit.File
	err error
}

// locate finds v's literal in data, the content of v.File.
func (lc locator) locate(data []byte, v InlineValue) (*nixlit.Binding, error) {
	var b *nixlit.Binding
	var err error
	if strings.HasSuffix(v.File, ".json") {
		b, err = locateJSON(data, v.Attr)
	} else {
		p, ok := lc[v.File]
		if !ok {
			// Parse is bounded (safefile.MaxRepoFile, one pass): no
			// caller of a layout waits on it long enough to cancel.
			p.f, p.err = nixlit.Parse(context.Background(), data)
			lc[v.File] = p
		}
		if err = p.err; err == nil {
			b, err = p.f.Locate(v.Attr, 0)
		}
	}
	var re *nixlit.RefusalError
	var se *nixlit.SyntaxError
	switch {
	case errors.As(err, &re):
		return nil, &LayoutError{File: v.File, Line: re.Line, Reason: fmt.Sprintf("%s %s", re.Path, re.Why)}
	case errors.As(err, &se):
		return nil, &LayoutError{File: v.File, Line: se.Line, Reason: "cannot read the Nix code: " + se.Reason}
	case err != nil:
		return nil, &LayoutError{File: v.File, Reason: err.Error()}
	}
	return b, nil
}

// bindHash puts the hash literal(s) of b into p as h's pinned hash: one
// literal for a system-independent FOD, a key per system for the others.
// An empty or fake literal is a hash not computed yet (null).
func bindHash(p *Pins, h InlineHash, b *nixlit.Binding) error {
	value := func(l *nixlit.Literal) string {
		if l.Value == "" || FakeReason(l.Value) != "" {
			return ""
		}
		return l.Value
	}
	switch {
	case len(h.Systems) == 0 && b.Literal == nil:
		return &LayoutError{File: h.File, Line: b.Line, Reason: fmt.Sprintf(
			"%s is a set keyed by system, but [fod.%s] has no systems", h.Attr, h.FOD)}
	case len(h.Systems) == 0:
		p.SetHash(h.FOD, "", value(b.Literal))
		return nil
	case b.Literal != nil:
		return &LayoutError{File: h.File, Line: b.Line, Reason: fmt.Sprintf(
			"%s is one literal, but [fod.%s] has a hash per system: write { %s = \"\"; … } there", h.Attr, h.FOD, h.Systems[0])}
	}
	for _, sys := range h.Systems {
		l, ok := b.ByKey[sys]
		if !ok {
			return &LayoutError{File: h.File, Line: b.Line, Reason: fmt.Sprintf(
				"%s has no key %s: add %s = \"\"; to the set, and hashbot fills it in", h.Attr, sys, sys)}
		}
		p.SetHash(h.FOD, sys, value(l))
	}
	return nil
}

// Render returns the contents of every file of the layout holding p: the
// JSON file without the inline values, and each Nix file with exactly its
// literals' content replaced. A value p does not have (null) leaves its
// literal as it is.
func (s *Stored) Render(p *Pins) (Files, error) {
	q := p.Clone()
	edits := map[string][]nixlit.Edit{}
	for _, h := range s.layout.Inline {
		b := s.hashes[h.FOD]
		q.DeleteHash(h.FOD)
		if len(h.Systems) == 0 {
			if v, ok := p.Hash(h.FOD, ""); ok {
				edits[h.File] = append(edits[h.File], nixlit.Edit{Literal: b.Literal, Value: v})
			}
			continue
		}
		for _, sys := range h.Systems {
			if v, ok := p.Hash(h.FOD, sys); ok {
				edits[h.File] = append(edits[h.File], nixlit.Edit{Literal: b.ByKey[sys], Value: v})
			}
		}
	}
	if v := s.layout.Version; v != nil {
		q.DeleteVersion()
		if ver := p.Version(); ver != "" {
			edits[v.File] = append(edits[v.File], nixlit.Edit{Literal: s.ver.Literal, Value: ver})
		}
	}
	if h := q.root.get("hashes"); s.bareJSON && h != nil && len(h.keys) == 0 {
		q.root.remove("hashes")
	}
	out := Files{s.layout.JSON: q.Marshal()}
	for _, path := range s.layout.InlineFiles() {
		data, err := nixlit.Splice(s.files[path], edits[path])
		if err != nil {
			return nil, &LayoutError{File: path, Reason: err.Error()}
		}
		out[path] = data
	}
	return out, nil
}

// StoredJSON is p as kept in the JSON pins file at path alone (no inline
// hashes), for callers that hold pins but no loaded layout.
func StoredJSON(path string, p *Pins) *Stored {
	return &Stored{Pins: p, layout: Layout{JSON: path}, files: Files{path: p.Marshal()}, hashes: map[string]*nixlit.Binding{}}
}

// Files are the contents the pins were loaded from.
func (s *Stored) Files() Files { return maps.Clone(s.files) }

// Layout is the layout the pins were loaded with.
func (s *Stored) Layout() Layout { return s.layout }

// Where names the home of fod's hash for system ("" when
// system-independent) in messages: "hashes.src in nix/sources.json", or
// "vendorHash at package.nix:30".
func (s *Stored) Where(fod, system string) string {
	b, ok := s.hashes[fod]
	if !ok {
		return fmt.Sprintf("%s in %s", HashPath(fod, system), s.layout.JSON)
	}
	for _, h := range s.layout.Inline {
		if h.FOD != fod {
			continue
		}
		l, attr := b.Literal, h.Attr
		if system != "" && b.ByKey[system] != nil {
			l, attr = b.ByKey[system], h.Attr+"."+system
		}
		if l != nil {
			return fmt.Sprintf("%s at %s:%d", attr, h.File, l.Line)
		}
	}
	return fod
}

// Guard checks a change of the files from what was loaded to next before
// it is committed or written: the JSON file passes GuardChange, and each
// Nix file changes only inside its hash and version literals, each new
// hash a real SRI hash (CheckHash) and the version one of the version
// grammar, and a new flake.lock passes GuardFlakeLock, moving only the
// inputs ExpectLocked named, each to its commit. It returns a *GuardError
// naming the file and literal, or a *LockError naming the lock's node.
func (s *Stored) Guard(next Files) error {
	for _, path := range next.Paths() {
		if _, ok := s.files[path]; !ok {
			return &GuardError{Path: path, Reason: "a file the pins layout does not hold"}
		}
	}
	if err := GuardChange(s.files[s.layout.JSON], next[s.layout.JSON]); err != nil {
		var ge *GuardError
		if errors.As(err, &ge) {
			ge.Path = s.layout.JSON + " " + ge.Path
		}
		return err
	}
	for _, path := range s.layout.InlineFiles() {
		if err := s.guardNix(path, next[path]); err != nil {
			return err
		}
	}
	if lock, ok := next[s.layout.FlakeLock]; ok && s.layout.FlakeLock != "" {
		return GuardFlakeLock(s.layout.FlakeLock, s.files[s.layout.FlakeLock], lock, s.lockedRevs)
	}
	return nil
}

// guardNix checks one Nix file's change: found again in the new content,
// the same literals, and nothing else changed.
func (s *Stored) guardNix(path string, data []byte) error {
	old := s.files[path]
	if data == nil {
		return &GuardError{Path: path, Reason: "the file is gone"}
	}
	refuse := func(what, reason string) error {
		return &GuardError{Path: path + " " + what, Reason: reason}
	}
	var oldLits, newLits []*nixlit.Literal
	files := locator{}
	check := func(v InlineValue, oldB *nixlit.Binding, isHash bool) error {
		b, err := files.locate(data, v)
		if err != nil {
			return refuse(v.Attr, "the new content hides the literal: "+err.Error())
		}
		oldLits = append(oldLits, oldB.Literals()...)
		newLits = append(newLits, b.Literals()...)
		keys := map[*nixlit.Literal]string{b.Literal: v.Attr}
		for _, k := range b.Keys {
			keys[b.ByKey[k]] = v.Attr + "." + k
		}
		olds := oldB.Literals()
		for i, l := range b.Literals() {
			if i < len(olds) && olds[i].Value == l.Value {
				continue // unchanged: not this change's to judge
			}
			if isHash {
				if err := CheckHash(keys[l], l.Value); err != nil {
					return refuse(keys[l], err.Error())
				}
			} else if err := version.Check(v.Attr, l.Value); err != nil {
				return refuse(v.Attr, err.Error())
			}
		}
		return nil
	}
	for _, h := range s.layout.Inline {
		if h.File == path {
			if err := check(h.InlineValue, s.hashes[h.FOD], true); err != nil {
				return err
			}
		}
	}
	if v := s.layout.Version; v != nil && v.File == path {
		if err := check(*v, s.ver, false); err != nil {
			return err
		}
	}
	sort.Slice(oldLits, func(i, j int) bool { return oldLits[i].Start < oldLits[j].Start })
	sort.Slice(newLits, func(i, j int) bool { return newLits[i].Start < newLits[j].Start })
	oldMask, err1 := nixlit.Mask(old, dedupLiterals(oldLits))
	newMask, err2 := nixlit.Mask(data, dedupLiterals(newLits))
	if err1 != nil || err2 != nil || string(oldMask) != string(newMask) {
		return refuse("", "changed outside its hash and version literals")
	}
	return nil
}

// dedupLiterals drops repeated literals (a version literal that is also
// bound by another name) from sorted lits.
func dedupLiterals(lits []*nixlit.Literal) []*nixlit.Literal {
	out := lits[:0:0]
	for _, l := range lits {
		if len(out) > 0 && out[len(out)-1].Start == l.Start {
			continue
		}
		out = append(out, l)
	}
	return out
}

// MaskLiterals returns a Nix file of the layout with the content of its
// hash and version literals emptied, for fingerprinting the file as a
// recipe: writing a new hash into it does not make its FODs stale. Other
// files are returned as they are.
func (l Layout) MaskLiterals(path string, data []byte) ([]byte, error) {
	var lits []*nixlit.Literal
	files := locator{}
	add := func(v InlineValue) error {
		if v.File != path {
			return nil
		}
		b, err := files.locate(data, v)
		if err != nil {
			return err
		}
		lits = append(lits, b.Literals()...)
		return nil
	}
	for _, h := range l.Inline {
		if err := add(h.InlineValue); err != nil {
			return nil, err
		}
	}
	if l.Version != nil {
		if err := add(*l.Version); err != nil {
			return nil, err
		}
	}
	if len(lits) == 0 {
		return data, nil
	}
	sort.Slice(lits, func(i, j int) bool { return lits[i].Start < lits[j].Start })
	return nixlit.Mask(data, dedupLiterals(lits))
}
