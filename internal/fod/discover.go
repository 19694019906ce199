package fod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/nixlit"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/safefile"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// DiscoverRequest says where to look for fixed-output derivations.
type DiscoverRequest struct {
	// Dir is the repository's root.
	Dir string
	// Entry is the entry file (a function of { system, ... } or a set), or
	// Flake the flake's directory ("."); one of them.
	Entry, Flake string
	// Attrs are the attribute paths to look at ("app", "server.goModules",
	// a flake's "packages.{system}.gopkgs"); none means every package of the
	// flake, or every attribute of the entry's result and of the sets in it.
	Attrs []string
}

// Discovered is a fixed-output derivation Discover found, and where its
// hash is written.
type Discovered struct {
	// Name is a name for it in hashbot.toml ([fod.<name>]).
	Name string
	// Attr is its attribute path, with {system} in a flake's.
	Attr string
	// Systems are the keys of the per-system set its hash is in; none for
	// a system-independent FOD.
	Systems []string
	// HashFile and HashAttr are the file and attribute of its hash literal;
	// empty when it was not found in one (Problem says why).
	HashFile, HashAttr string
	// Line is the literal's line in HashFile.
	Line int
	// Problem says why the hash is not one hashbot can keep.
	Problem string
}

// Discovery is what Discover found.
type Discovery struct {
	// System is the system the attributes were evaluated for.
	System string
	// FODs are the fixed-output derivations, by attribute path.
	FODs []Discovered
	// Version is where a version literal is written, when there is
	// exactly one; Versions lists every candidate when there are more.
	Version  *pins.InlineValue
	Versions []string
}

// discoverExpr lists, for each attribute asked for, the FOD it is or the
// FODs among its usual sub-attributes (a package's src, goModules, …),
// with the hash each evaluates its outputHash to.
const discoverExpr = `let
  spec = builtins.fromJSON (builtins.readFile ./spec.json);
  root = if spec.flake != "" then builtins.getFlake spec.flake else import (/. + spec.entry);
  top = if spec.flake == "" && builtins.isFunction root then root { system = spec.system; } else root;
` + nixWalk + `  isDrv = v: builtins.isAttrs v && v ? drvPath;
  hashOf = v:
    let r = builtins.tryEval (if isDrv v && v ? outputHash then v.outputHash else null); in
    if r.success then r.value else null;
  sub = v: s:
    let r = builtins.tryEval (if isDrv v && v ? ${s} then hashOf (builtins.getAttr s v) else null); in
    if r.success then r.value else null;
  look = depth: path: v:
    let h = hashOf v; in
    if h != null then [ { inherit path; hash = h; } ]
    else if isDrv v then
      builtins.concatMap (s: let c = sub v s; in if c != null then [ { path = path ++ [ s ]; hash = c; } ] else [ ]) spec.subs
    else if depth > 0 && builtins.isAttrs v then
      builtins.concatMap (n:
        let c = builtins.tryEval (builtins.getAttr n v); in
        if c.success then look (depth - 1) (path ++ [ n ]) c.value else [ ]) (builtins.attrNames v)
    else [ ];
  named =
    if spec.attrs != [ ] then spec.attrs
    else if spec.flake != "" then map (n: [ "packages" spec.system n ]) (builtins.attrNames (top.packages.${spec.system} or { }))
    else map (n: [ n ]) (builtins.attrNames top);
  one = path:
    let r = walk top path; in
    if r ? missing then [ { inherit path; missing = r.missing; } ]
    else look (if spec.attrs != [ ] then 0 else 1) path r.value;
in builtins.concatMap one named
`

// discoverSubs are the attributes of a package that are its FODs, by the
// names nixpkgs' builders give them.
var discoverSubs = []string{"src", "goModules", "npmDeps", "pnpmDeps", "cargoDeps", "yarnOfflineCache", "offlineCache", "vendor", "mavenDeps"}

type discoverSpec struct {
	Entry  string     `json:"entry"`
	Flake  string     `json:"flake"`
	System string     `json:"system"`
	Attrs  [][]string `json:"attrs"`
	Subs   []string   `json:"subs"`
}

type discoverAnswer struct {
	Path    []string `json:"path"`
	Hash    string   `json:"hash"`
	Missing string   `json:"missing"`
}

// candidate is a literal that may hold an FOD's hash, with the probe hash
// written into it in the scratch copy.
type candidate struct {
	file, attr, key string
	line            int
	keys            []string
}

// Discover finds the fixed-output derivations among the attributes asked
// for and where each one's hash is written. It takes every literal of the
// repository's Nix and JSON files bound to a hash's name (hash, sha256,
// outputHash, vendorHash, …) as a candidate, writes a distinct probe hash
// into each in a scratch copy, and asks Nix what each FOD's outputHash
// then is: the probe it took names its literal. Nothing of the repository
// is written.
func (e *Engine) Discover(ctx context.Context, req DiscoverRequest) (*Discovery, error) {
	host, err := e.probeHost(ctx)
	if err != nil {
		return nil, err
	}
	entry := req.Entry
	if req.Flake != "" {
		entry = req.Flake
	}
	files, versions, err := findCandidates(ctx, req.Dir)
	if err != nil {
		return nil, err
	}
	s, err := newScratch(req.Dir, entry, slices.Sorted(maps.Keys(files)), false)
	if err != nil {
		return nil, err
	}
	defer s.remove()
	probes := map[string]candidate{}
	probed := pins.Files{}
	for file, lits := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var edits []nixlit.Edit
		for _, l := range lits {
			probe := pins.Placeholder("hashbot-init", strconv.Itoa(len(probes)))
			probes[probe] = l.cand
			edits = append(edits, nixlit.Edit{Literal: l.lit, Value: probe})
		}
		data, err := safefile.ReadRegular(filepath.Join(req.Dir, filepath.FromSlash(file)), safefile.MaxRepoFile)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
		if probed[file], err = nixlit.Splice(data, edits); err != nil {
			return nil, fmt.Errorf("probing %s: %w", file, err)
		}
	}
	if err := s.writePins(probed); err != nil {
		return nil, err
	}
	answers, err := e.discoverEval(ctx, s, req, host.System)
	if err != nil {
		return nil, err
	}
	d := &Discovery{System: host.System}
	seen := map[string]bool{}
	for _, a := range answers {
		key := strings.Join(a.Path, ".")
		if seen[key] {
			continue
		}
		seen[key] = true
		if a.Missing != "" {
			return nil, &AttrError{Entry: discoverEntryName(req), Problems: []string{
				fmt.Sprintf("%q: no attribute %q (evaluated for %s)", strings.Join(a.Path, "."), a.Missing, host.System)}}
		}
		found := Discovered{Attr: strings.Join(a.Path, ".")}
		if req.Flake != "" && len(a.Path) > 1 && a.Path[1] == host.System {
			found.Attr = strings.Join(append([]string{a.Path[0], config.SystemPlaceholder}, a.Path[2:]...), ".")
		}
		c, ok := probes[a.Hash]
		switch {
		case ok:
			found.HashFile, found.HashAttr, found.Line = c.file, c.attr, c.line
			if c.key != "" {
				found.Systems = c.keys
			}
		case a.Hash == "":
			found.Problem = "its outputHash is empty, and no literal of this repository bound to a hash's name gives it"
		default:
			found.Problem = fmt.Sprintf("its outputHash (%s) is in no literal of this repository bound to a hash's name: "+
				"it is computed, or written in another file or under another name", a.Hash)
		}
		d.FODs = append(d.FODs, found)
	}
	nameFODs(d.FODs)
	switch len(versions) {
	case 0:
	case 1:
		d.Version = &versions[0]
	default:
		for _, v := range versions {
			d.Versions = append(d.Versions, v.File+" ("+v.Attr+")")
		}
	}
	return d, nil
}

func discoverEntryName(req DiscoverRequest) string {
	if req.Flake != "" {
		return filepath.ToSlash(filepath.Join(req.Flake, "flake.nix"))
	}
	return req.Entry
}

// discoverEval runs discoverExpr in the scratch copy.
func (e *Engine) discoverEval(ctx context.Context, s *scratch, req DiscoverRequest, system string) ([]discoverAnswer, error) {
	spec := discoverSpec{Entry: s.entry, System: system, Subs: discoverSubs, Attrs: [][]string{}}
	if req.Flake != "" {
		spec.Entry, spec.Flake = "", "path:"+s.entry
	}
	for _, a := range req.Attrs {
		spec.Attrs = append(spec.Attrs, strings.Split(strings.ReplaceAll(a, config.SystemPlaceholder, system), "."))
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	expr := filepath.Join(s.root, "discover.nix")
	if err := os.WriteFile(filepath.Join(s.root, "spec.json"), data, 0o644); err != nil {
		return nil, fmt.Errorf("writing the discovery spec: %w", err)
	}
	if err := os.WriteFile(expr, []byte(discoverExpr), 0o644); err != nil {
		return nil, fmt.Errorf("writing the discovery expression: %w", err)
	}
	args := []string{"--eval", "--strict", "--json", "--read-write-mode", expr}
	if req.Flake != "" {
		args = append(nixcmd.FlakeArgs(), args...)
	}
	out, err := e.opts.Nix.Run(ctx, nixcmd.Command{Name: "nix-instantiate", Args: args, Dir: s.repo})
	name := discoverEntryName(req)
	if err != nil {
		var ee *nixcmd.ExitError
		if errors.As(err, &ee) {
			return nil, &EvalError{Entry: name, Message: shortenEvalError(ee.StderrTail, s.root, s.repo), Err: err}
		}
		return nil, fmt.Errorf("evaluating %s: %w", name, err)
	}
	var answers []discoverAnswer
	if err := json.Unmarshal(out.Stdout, &answers); err != nil {
		return nil, fmt.Errorf("evaluating %s: unexpected nix-instantiate output %.200q", name, out.Stdout)
	}
	return answers, nil
}

// probeLiteral is a literal to write a probe into, and the candidate it is.
type probeLiteral struct {
	lit  *nixlit.Literal
	cand candidate
}

// findCandidates lists the literals bound to a hash's name in the Nix and
// JSON files under dir (not in .git, node_modules or result links), by
// file, and the version literals. A file larger than safefile.MaxRepoFile
// is passed over; each file is read in one pass, and ctx is looked at
// between files and within each.
func findCandidates(ctx context.Context, dir string) (files map[string][]probeLiteral, versions []pins.InlineValue, err error) {
	files = map[string][]probeLiteral{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() && path != dir && (d.Name() == ".git" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		isNix, isJSON := strings.HasSuffix(path, ".nix"), strings.HasSuffix(path, ".json")
		if !d.Type().IsRegular() || !isNix && !isJSON {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		data, err := safefile.ReadRegular(path, safefile.MaxRepoFile)
		if err != nil {
			return nil // too big, or not readable: not a packaging file
		}
		var found, vers []nixlit.Found
		if isNix {
			var f *nixlit.File
			if f, err = nixlit.Parse(ctx, data); err == nil {
				found, err = f.Bindings(ctx, isHashName)
			}
			if err == nil {
				vers, err = f.Bindings(ctx, func(n string) bool { return n == config.DefaultVersionAttr })
			}
		} else {
			found, err = pins.JSONLiterals(ctx, data, isHashName)
			if err == nil {
				vers, err = pins.JSONLiterals(ctx, data, func(n string) bool { return n == config.DefaultVersionAttr })
			}
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			return nil // not Nix hashbot can read, or not JSON: nothing to offer
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Binding.Line < found[j].Binding.Line })
		for _, f := range found {
			b := f.Binding
			if b.Path == "" {
				continue
			}
			base := candidate{file: rel, attr: b.Path, line: b.Line}
			if b.Literal != nil {
				files[rel] = append(files[rel], probeLiteral{lit: b.Literal, cand: base})
				continue
			}
			keys := slices.Clone(b.Keys)
			sort.Strings(keys)
			for _, k := range b.Keys {
				c := base
				c.key, c.keys, c.line = k, keys, b.ByKey[k].Line
				files[rel] = append(files[rel], probeLiteral{lit: b.ByKey[k], cand: c})
			}
		}
		for _, v := range vers {
			if v.Binding.Literal != nil && v.Binding.Path != "" && version.Check("version", v.Binding.Literal.Value) == nil {
				versions = append(versions, pins.InlineValue{File: rel, Attr: v.Binding.Path})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("looking for hash literals in %s: %w", dir, err)
	}
	return files, versions, nil
}

// isHashName says whether a binding's name is one nixpkgs gives a hash.
func isHashName(name string) bool {
	switch name {
	case "hash", "sha256", "sha512", "outputHash":
		return true
	}
	return strings.HasSuffix(name, "Hash") || strings.HasSuffix(name, "Sha256")
}

// nameFODs names each FOD after the last element of its attribute path,
// with the one before it where two would share a name.
func nameFODs(fods []Discovered) {
	last := func(attr string, n int) string {
		parts := strings.Split(attr, ".")
		var keep []string
		for _, p := range parts[max(len(parts)-n, 0):] {
			if p != config.SystemPlaceholder {
				keep = append(keep, p)
			}
		}
		return strings.Join(keep, "-")
	}
	count := map[string]int{}
	for _, f := range fods {
		count[last(f.Attr, 1)]++
	}
	for i := range fods {
		name := last(fods[i].Attr, 1)
		if count[name] > 1 {
			name = last(fods[i].Attr, 2)
		}
		fods[i].Name = name
	}
}
