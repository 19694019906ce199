package upstream

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// LocalFingerprints fingerprints, in the tree at cfg.Dir, every input of
// this repository an FOD names, keyed as the pins' inputs are: each
// local-inputs file as a recipe (hash literals left out, pins.Layout
// RecipeSRI), each local-go-imports module's imports
// (config.LocalGoImportsKey), each flake-inputs input's locked reference
// (config.FlakeInputKey). An input the tree does not have (a file not
// there yet, an input flake.lock does not lock) is "": two trees compared
// with LocalStale differ there if one has it. It reads the tree as data,
// and evaluates nothing: a pull request's tree is read so before a write
// token is near it.
func LocalFingerprints(cfg *config.Config) (map[string]string, error) {
	prints := map[string]string{}
	_, paths := inputPaths(cfg)
	layout := cfg.PinsLayout()
	for _, p := range paths {
		sri, err := layout.RecipeSRI(cfg.Dir, p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			prints[p] = ""
		case err != nil:
			return nil, fmt.Errorf("hashing local input %s (local-inputs in %s): %w", p, config.FileName, err)
		default:
			prints[p] = sri
		}
	}
	var t *tree
	for _, name := range cfg.FODNames() {
		dir := cfg.FODs[name].LocalGoImports.Dir
		key := config.LocalGoImportsKey(dir)
		if _, done := prints[key]; dir == "" || done {
			continue
		}
		if t == nil {
			var err error
			if t, err = localTree(cfg.Dir); err != nil {
				return nil, fmt.Errorf("reading this repository's Go files (local-go-imports in %s): %w", config.FileName, err)
			}
		}
		prints[key] = pins.SRI([]byte(strings.Join(goImports(t, dir), "\n")))
	}
	return prints, flakePrints(cfg, prints)
}

// flakePrints adds the flake inputs' fingerprints to prints: "" for an
// input the lock does not lock, or for every one without a lock.
func flakePrints(cfg *config.Config, prints map[string]string) error {
	var lock *pins.FlakeLock
	for _, name := range cfg.FODNames() {
		for _, in := range cfg.FODs[name].FlakeInputs {
			key := config.FlakeInputKey(in)
			if _, done := prints[key]; done {
				continue
			}
			if lock == nil {
				data, err := pins.ReadTree(cfg.Dir)(cfg.FlakeLockPath())
				if errors.Is(err, fs.ErrNotExist) {
					prints[key] = ""
					continue
				}
				if err != nil {
					return fmt.Errorf("reading the flake's lock (flake-inputs in %s): %w", config.FileName, err)
				}
				if lock, err = parseFlakeLock(cfg, data); err != nil {
					return err
				}
			}
			locked, err := lock.LockedRef(in)
			if err != nil {
				prints[key] = "" // not locked here: new, or gone
				continue
			}
			prints[key] = pins.SRI(locked)
		}
	}
	return nil
}

// LocalStale compares the fingerprints of two trees (LocalFingerprints of
// a pull request's merge base, or of hashbot's last commit on it, and of
// its head) and says why each FOD whose inputs differ is stale; FODs
// that are not are absent.
func LocalStale(cfg *config.Config, before, after map[string]string) map[string][]string {
	stale := map[string][]string{}
	differs := func(key string) bool { return before[key] != after[key] }
	for _, name := range cfg.FODNames() {
		f := cfg.FODs[name]
		var why []string
		for _, in := range f.LocalInputs {
			if differs(in) {
				why = append(why, in+" changed")
			}
		}
		if dir := f.LocalGoImports.Dir; dir != "" && differs(config.LocalGoImportsKey(dir)) {
			why = append(why, "the imports of the Go module at "+dir+" changed")
		}
		for _, in := range f.FlakeInputs {
			if differs(config.FlakeInputKey(in)) {
				why = append(why, "the flake input "+in+" moved")
			}
		}
		if len(why) > 0 {
			stale[name] = why
		}
	}
	return stale
}
