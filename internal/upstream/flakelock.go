package upstream

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// flakeInputChanges fingerprints the locked reference of every flake input
// an FOD names (flake-inputs), records them in newInputs and says in local
// why each changed: a nixpkgs the lock moved makes the FODs it builds
// stale.
func flakeInputChanges(cfg *config.Config, p *pins.Pins, newInputs, local map[string]string) error {
	prints, err := FlakeInputFingerprints(cfg)
	if err != nil {
		return err
	}
	for key, sri := range prints {
		if newInputs[key] != "" {
			continue
		}
		newInputs[key] = sri
		what := "the flake input " + strings.TrimPrefix(key, config.FlakeInputKey(""))
		if why := recordedChange(p, key, sri, what+" has no recorded revision in "+cfg.Pins, what+" moved"); why != "" {
			local[key] = why
		}
	}
	return nil
}

// FlakeInputFingerprints are the fingerprints, by input key
// (config.FlakeInputKey), of the locked reference of every flake input an
// FOD names (flake-inputs), read from the flake.lock under cfg.Dir: what a
// run records once it has moved the lock itself.
func FlakeInputFingerprints(cfg *config.Config) (map[string]string, error) {
	return flakeInputFingerprints(cfg, func() (*pins.FlakeLock, error) { return readFlakeLock(cfg) })
}

// FlakeInputFingerprintsIn is FlakeInputFingerprints of the flake.lock
// data (one the run has moved).
func FlakeInputFingerprintsIn(cfg *config.Config, data []byte) (map[string]string, error) {
	return flakeInputFingerprints(cfg, func() (*pins.FlakeLock, error) { return parseFlakeLock(cfg, data) })
}

// flakeInputFingerprints reads the lock with load, only when an FOD names
// an input.
func flakeInputFingerprints(cfg *config.Config, load func() (*pins.FlakeLock, error)) (map[string]string, error) {
	prints := map[string]string{}
	var lock *pins.FlakeLock
	for _, name := range cfg.FODNames() {
		for _, in := range cfg.FODs[name].FlakeInputs {
			key := config.FlakeInputKey(in)
			if prints[key] != "" {
				continue
			}
			if lock == nil {
				var err error
				if lock, err = load(); err != nil {
					return nil, err
				}
			}
			locked, err := lock.LockedRef(in)
			if err != nil {
				return nil, fmt.Errorf("%s: [fod.%s] flake-inputs %q: %w", cfg.FlakeLockPath(), name, in, err)
			}
			prints[key] = pins.SRI(locked)
		}
	}
	return prints, nil
}

func readFlakeLock(cfg *config.Config) (*pins.FlakeLock, error) {
	data, err := pins.ReadTree(cfg.Dir)(cfg.FlakeLockPath())
	if err != nil {
		return nil, fmt.Errorf("reading the flake's lock (flake-inputs in %s): %w", config.FileName, err)
	}
	return parseFlakeLock(cfg, data)
}

func parseFlakeLock(cfg *config.Config, data []byte) (*pins.FlakeLock, error) {
	lock, err := pins.ParseFlakeLock(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", cfg.FlakeLockPath(), err)
	}
	return lock, nil
}

// LockedRev is the commit flake.lock locks the source src (a flake input,
// [source] flake-input) at. The input must be the repository and branch
// the source follows, or moving it would pin something else than what
// GitHub was asked about.
func LockedRev(cfg *config.Config, src config.Source) (string, error) {
	lock, err := readFlakeLock(cfg)
	if err != nil {
		return "", err
	}
	return lockedRev(cfg, lock, src)
}

// LockedRevIn is LockedRev of the flake.lock data (a branch's).
func LockedRevIn(cfg *config.Config, src config.Source, data []byte) (string, error) {
	lock, err := parseFlakeLock(cfg, data)
	if err != nil {
		return "", err
	}
	return lockedRev(cfg, lock, src)
}

// lockedRev is the commit the lock locks src's input at: its own node,
// locked in the repository its original names, which must be the source's
// repository and branch.
func lockedRev(cfg *config.Config, lock *pins.FlakeLock, src config.Source) (string, error) {
	where := fmt.Sprintf("%s: [source.%s] flake-input %q", cfg.FlakeLockPath(), src.Name, src.FlakeInput)
	node, err := lock.InputNode(src.FlakeInput)
	if err != nil {
		return "", fmt.Errorf("%s: not an input of the flake's own: %w", where, err)
	}
	n, _ := lock.Node(node)
	locked, original, ok := n.Refs()
	if !ok || !pins.IsCommit(locked.Rev) {
		return "", fmt.Errorf("%s: locked without a commit (a %q input): a flake-input source is a git or GitHub repository", where, locked.Type)
	}
	if !locked.SameRepo(original) {
		return "", fmt.Errorf("%s is locked in %s, but its original is %s", where, locked, original)
	}
	if original.Type == "github" {
		switch {
		case !strings.EqualFold(original.Owner+"/"+original.Repo, src.Repo):
			return "", fmt.Errorf("%s is github:%s/%s, but the source's repo is %s", where, original.Owner, original.Repo, src.Repo)
		case original.Ref != src.Branch:
			return "", fmt.Errorf("%s follows %s, but the source's branch is %s: name the branch in flake.nix (github:%s/%s/%s)",
				where, orNone(original.Ref), src.Branch, original.Owner, original.Repo, src.Branch)
		}
	} else if original.Ref != "" && original.Ref != src.Branch {
		return "", fmt.Errorf("%s follows %s, but the source's branch is %s", where, original.Ref, src.Branch)
	}
	return locked.Rev, nil
}

// LockedRevs are the commits the check moves the flake inputs to, by
// input name ([source] flake-input): what a new flake.lock may lock them
// at (pins.Stored.ExpectLocked). An input the check did not move has
// none.
func (r *Result) LockedRevs() map[string]string {
	revs := map[string]string{}
	for _, m := range r.Sources {
		if m.FlakeInput != "" {
			revs[m.FlakeInput] = m.To
		}
	}
	return revs
}

// FlakeInputHeads asks GitHub where the branch each flake input followed
// as a source ([source] flake-input) is now, by input name: the commits
// a flake.lock from elsewhere (a results file) may lock them at
// (pins.GuardFlakeLock).
func (c *Checker) FlakeInputHeads(ctx context.Context, cfg *config.Config) (map[string]string, error) {
	heads := map[string]string{}
	for _, name := range cfg.SourceNames() {
		src := cfg.Sources[name]
		if src.FlakeInput == "" {
			continue
		}
		owner, repo, _ := strings.Cut(src.Repo, "/")
		sha, err := c.branchHead(ctx, owner, repo, src.Branch)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", name, err)
		}
		heads[src.FlakeInput] = sha
	}
	return heads, nil
}
