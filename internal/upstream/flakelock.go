package upstream

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// flakeLock is the part of a flake.lock hashbot reads: the root's inputs
// and each node's locked reference.
type flakeLock struct {
	Root  string `json:"root"`
	Nodes map[string]struct {
		Inputs   map[string]json.RawMessage `json:"inputs"`
		Locked   json.RawMessage            `json:"locked"`
		Original json.RawMessage            `json:"original"`
	} `json:"nodes"`
}

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
	return flakeInputFingerprints(cfg, func() (*flakeLock, error) { return readFlakeLock(cfg) })
}

// FlakeInputFingerprintsIn is FlakeInputFingerprints of the flake.lock
// data (one the run has moved).
func FlakeInputFingerprintsIn(cfg *config.Config, data []byte) (map[string]string, error) {
	return flakeInputFingerprints(cfg, func() (*flakeLock, error) { return parseFlakeLock(cfg, data) })
}

// flakeInputFingerprints reads the lock with load, only when an FOD names
// an input.
func flakeInputFingerprints(cfg *config.Config, load func() (*flakeLock, error)) (map[string]string, error) {
	prints := map[string]string{}
	var lock *flakeLock
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
			locked, err := lock.locked(in)
			if err != nil {
				return nil, fmt.Errorf("%s: [fod.%s] flake-inputs %q: %w", cfg.FlakeLockPath(), name, in, err)
			}
			prints[key] = pins.SRI(locked)
		}
	}
	return prints, nil
}

func readFlakeLock(cfg *config.Config) (*flakeLock, error) {
	data, err := pins.ReadTree(cfg.Dir)(cfg.FlakeLockPath())
	if err != nil {
		return nil, fmt.Errorf("reading the flake's lock (flake-inputs in %s): %w", config.FileName, err)
	}
	return parseFlakeLock(cfg, data)
}

func parseFlakeLock(cfg *config.Config, data []byte) (*flakeLock, error) {
	var lock flakeLock
	if err := json.Unmarshal(data, &lock); err != nil || lock.Nodes == nil {
		return nil, fmt.Errorf("reading %s: not a flake.lock (%v)", cfg.FlakeLockPath(), err)
	}
	if lock.Root == "" {
		lock.Root = "root"
	}
	return &lock, nil
}

// locked returns the locked reference of the root's input name, compacted:
// the revision and narHash Nix fetches it at.
func (l *flakeLock) locked(name string) ([]byte, error) {
	raw, ok := l.Nodes[l.Root].Inputs[name]
	if !ok {
		return nil, fmt.Errorf("the flake has no input %q", name)
	}
	var node string
	if err := json.Unmarshal(raw, &node); err != nil {
		return nil, fmt.Errorf("the input %q follows another input: name that one", name)
	}
	n, ok := l.Nodes[node]
	if !ok || len(n.Locked) == 0 {
		return nil, fmt.Errorf("the input %q is not locked", name)
	}
	var v any
	if err := json.Unmarshal(n.Locked, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v) // map keys sorted: the same lock, the same bytes
}

// lockedNode is a flake.lock node's locked and original references, as far
// as hashbot reads them.
type lockedNode struct {
	Type  string `json:"type"`
	Owner string `json:"owner"`
	Repo  string `json:"repo"`
	Ref   string `json:"ref"`
	Rev   string `json:"rev"`
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
	return lock.lockedRev(cfg, src)
}

// LockedRevIn is LockedRev of the flake.lock data (a branch's).
func LockedRevIn(cfg *config.Config, src config.Source, data []byte) (string, error) {
	lock, err := parseFlakeLock(cfg, data)
	if err != nil {
		return "", err
	}
	return lock.lockedRev(cfg, src)
}

func (lock *flakeLock) lockedRev(cfg *config.Config, src config.Source) (string, error) {
	where := fmt.Sprintf("%s: [source.%s] flake-input %q", cfg.FlakeLockPath(), src.Name, src.FlakeInput)
	raw, ok := lock.Nodes[lock.Root].Inputs[src.FlakeInput]
	var node string
	if !ok || json.Unmarshal(raw, &node) != nil {
		return "", fmt.Errorf("%s: not an input of the flake's own (a follows is pinned where it points)", where)
	}
	n := lock.Nodes[node]
	var locked, original lockedNode
	if json.Unmarshal(n.Locked, &locked) != nil || json.Unmarshal(n.Original, &original) != nil || !pins.IsCommit(locked.Rev) {
		return "", fmt.Errorf("%s: locked without a commit (a %q input): a flake-input source is a git or GitHub repository", where, locked.Type)
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
