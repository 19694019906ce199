package upstream

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// treeInputs are the FODs' inputs that need the upstream tree rather than
// named files: input patterns, and the Go modules whose imports count.
type treeInputs struct {
	patterns []string
	goDirs   []string
}

func collectTreeInputs(cfg *config.Config) treeInputs {
	var t treeInputs
	for _, name := range cfg.FODNames() {
		f := cfg.FODs[name]
		for _, in := range f.Inputs {
			if config.IsPattern(in) && !slices.Contains(t.patterns, in) {
				t.patterns = append(t.patterns, in)
			}
		}
		if f.GoImports.IsSet() && !slices.Contains(t.goDirs, f.GoImports.Dir) {
			t.goDirs = append(t.goDirs, f.GoImports.Dir)
		}
	}
	return t
}

func (t treeInputs) empty() bool { return len(t.patterns) == 0 && len(t.goDirs) == 0 }

// treeChanges reads the upstream tree at the candidate for the inputs that
// need it, records what it finds in res.NewInputs (each file a pattern
// matches, and each Go module's import fingerprint), and returns why each
// FOD is stale by them, the changed files for the summaries, and the
// candidate's tree (nil when it was not read). The tree
// is read only when the ref moved or nothing is recorded yet; the pinned
// ref's tree only to say what a change was when no record tells.
func (c *Checker) treeChanges(ctx context.Context, cfg *config.Config, p *pins.Pins, res *Result) (map[string][]string, map[string]*change, *tree, error) {
	ti := collectTreeInputs(cfg)
	if ti.empty() || res.PinnedTag == res.CandidateTag && recordedAll(p, ti) {
		return nil, nil, nil, nil
	}
	owner, name := cfg.UpstreamOwnerName()
	cur, err := c.readTree(ctx, owner, name, res.CandidateTag, ti.patterns)
	if err != nil {
		return nil, nil, nil, err
	}
	var old *tree // the pinned ref's, read once when needed
	oldRead := res.PinnedTag == "" || res.PinnedTag == res.CandidateTag
	oldTree := func() (*tree, error) {
		if oldRead {
			return old, nil
		}
		oldRead = true
		old, err = c.readTree(ctx, owner, name, res.PinnedTag, ti.patterns)
		if errors.Is(err, errNoArchive) {
			zerolog.Ctx(ctx).Warn().Str(logfield.Ref, res.PinnedTag).Err(err).
				Msg("the pinned ref is gone upstream: its tree cannot tell what changed")
			return nil, nil
		}
		return old, err
	}
	reasons := map[string][]string{}
	changed := map[string]*change{}
	for _, pat := range ti.patterns {
		why, files, err := patternChanges(p, pat, cur, oldTree)
		if err != nil {
			return nil, nil, nil, err
		}
		for path, data := range cur.files {
			if ok, _ := pathMatch(pat, path); ok {
				res.NewInputs[path] = pins.SRI(data)
			}
		}
		maps.Copy(changed, files)
		for _, fod := range cfg.FODNames() {
			if slices.Contains(cfg.FODs[fod].Inputs, pat) {
				reasons[fod] = append(reasons[fod], why...)
			}
		}
	}
	for _, dir := range ti.goDirs {
		imports := goImports(cur, dir)
		key := config.GoImportsKey(dir)
		res.NewInputs[key] = pins.SRI([]byte(strings.Join(imports, "\n")))
		why, err := importChanges(p, key, dir, imports, oldTree)
		if err != nil {
			return nil, nil, nil, err
		}
		if why == "" {
			continue
		}
		for _, fod := range cfg.FODNames() {
			if cfg.FODs[fod].GoImports.Dir == dir {
				reasons[fod] = append(reasons[fod], why)
			}
		}
	}
	return reasons, changed, cur, nil
}

// recordedAll says whether the pins record something for every Go module
// and pattern: with the ref unmoved, nothing can have changed.
func recordedAll(p *pins.Pins, ti treeInputs) bool {
	for _, dir := range ti.goDirs {
		if _, ok := p.Input(config.GoImportsKey(dir)); !ok {
			return false
		}
	}
	for _, pat := range ti.patterns {
		if len(recordedFor(p, pat)) == 0 {
			return false
		}
	}
	return true
}

// recordedFor lists the recorded inputs a pattern matches.
func recordedFor(p *pins.Pins, pat string) []string {
	var out []string
	for _, path := range p.InputPaths() {
		if ok, _ := pathMatch(pat, path); ok {
			out = append(out, path)
		}
	}
	return out
}

// patternChanges compares the files pat matches now with those recorded
// (or, with nothing recorded, with the pinned tree's): new, gone and
// changed files.
func patternChanges(p *pins.Pins, pat string, cur *tree, oldTree func() (*tree, error)) ([]string, map[string]*change, error) {
	was := map[string]string{} // path -> SRI before
	for _, path := range recordedFor(p, pat) {
		was[path], _ = p.Input(path)
	}
	var old *tree
	if len(was) == 0 {
		var err error
		if old, err = oldTree(); err != nil {
			return nil, nil, err
		}
		if old == nil {
			return nil, nil, nil // nothing to compare with: the pins were made from this tree
		}
		for path, data := range old.files {
			if ok, _ := pathMatch(pat, path); ok {
				was[path] = pins.SRI(data)
			}
		}
	}
	var why []string
	files := map[string]*change{}
	var paths []string
	for path := range cur.files {
		if ok, _ := pathMatch(pat, path); ok {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	for _, path := range paths {
		before, had := was[path]
		sri := pins.SRI(cur.files[path])
		switch {
		case !had:
			why = append(why, path+" is new")
			files[path] = &change{reason: path + " is new", old: []byte{}, new: cur.files[path], note: "new"}
		case before != sri:
			why = append(why, path+" changed")
			ch := &change{reason: path + " changed", new: cur.files[path], note: "nothing pinned to compare with"}
			if old != nil {
				ch.old, ch.note = old.files[path], ""
			}
			files[path] = ch
		}
	}
	var gone []string
	for path := range was {
		if _, ok := cur.files[path]; !ok {
			gone = append(gone, path+" is gone")
		}
	}
	sort.Strings(gone)
	return append(why, gone...), files, nil
}

// importChanges says how a Go module's imports changed since the record
// (or since the pinned tree, with none): "imports changed: +a, -b".
func importChanges(p *pins.Pins, key, dir string, imports []string, oldTree func() (*tree, error)) (string, error) {
	recorded, ok := p.Input(key)
	if ok && recorded == pins.SRI([]byte(strings.Join(imports, "\n"))) {
		return "", nil
	}
	old, err := oldTree()
	if err != nil {
		return "", err
	}
	if old == nil {
		if ok {
			return fmt.Sprintf("imports of the Go module at %s changed", dir), nil
		}
		return "", nil // nothing recorded, nothing pinned to compare with
	}
	before := goImports(old, dir)
	added, removed := diffSets(before, imports)
	if len(added)+len(removed) == 0 {
		if ok {
			return fmt.Sprintf("imports of the Go module at %s changed", dir), nil
		}
		return "", nil
	}
	var parts []string
	for _, a := range added {
		parts = append(parts, "+"+a)
	}
	for _, r := range removed {
		parts = append(parts, "-"+r)
	}
	if len(parts) > 6 {
		parts = append(parts[:6], fmt.Sprintf("(%d more)", len(parts)-6))
	}
	return "imports changed: " + strings.Join(parts, ", "), nil
}

// diffSets returns what b has that a lacks, and what a has that b lacks.
func diffSets(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}
