package upstream

import (
	"encoding/json"
	"fmt"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// flakeLock is the part of a flake.lock hashbot reads: the root's inputs
// and each node's locked reference.
type flakeLock struct {
	Root  string `json:"root"`
	Nodes map[string]struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
		Locked json.RawMessage            `json:"locked"`
	} `json:"nodes"`
}

// flakeInputChanges fingerprints the locked reference of every flake input
// an FOD names (flake-inputs), records them in newInputs and says in local
// why each changed: a nixpkgs the lock moved makes the FODs it builds
// stale.
func flakeInputChanges(cfg *config.Config, p *pins.Pins, newInputs, local map[string]string) error {
	var lock *flakeLock
	for _, name := range cfg.FODNames() {
		for _, in := range cfg.FODs[name].FlakeInputs {
			key := config.FlakeInputKey(in)
			if newInputs[key] != "" {
				continue
			}
			if lock == nil {
				var err error
				if lock, err = readFlakeLock(cfg); err != nil {
					return err
				}
			}
			locked, err := lock.locked(in)
			if err != nil {
				return fmt.Errorf("%s: [fod.%s] flake-inputs %q: %w", cfg.FlakeLockPath(), name, in, err)
			}
			sri := pins.SRI(locked)
			newInputs[key] = sri
			what := "the flake input " + in
			if why := recordedChange(p, key, sri, what+" has no recorded revision in "+cfg.Pins, what+" moved"); why != "" {
				local[key] = why
			}
		}
	}
	return nil
}

func readFlakeLock(cfg *config.Config) (*flakeLock, error) {
	data, err := pins.ReadTree(cfg.Dir)(cfg.FlakeLockPath())
	if err != nil {
		return nil, fmt.Errorf("reading the flake's lock (flake-inputs in %s): %w", config.FileName, err)
	}
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
