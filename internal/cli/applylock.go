package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// proveResultsLock checks the flake.lock a results file carries (old is
// the working tree's) before apply writes it: it moves only the flake
// inputs followed as sources, each in its own node and its own
// repository, to the commit GitHub gives for the branch it follows now
// (pins.GuardFlakeLock), and Nix fetches each moved input's locked
// reference and finds the narHash the lock says (fod.Engine.VerifyLocked).
// It returns those commits, by input, for pins.Stored.ExpectLocked.
func proveResultsLock(ctx context.Context, f *factory, cfg *config.Config, old, lock []byte) (map[string]string, error) {
	refuse := func(err error) error {
		return fmt.Errorf("refusing to write %s: the results' flake_lock: %w", cfg.FlakeLockPath(), err)
	}
	checker, err := f.sourcePinner()
	if err != nil {
		return nil, err
	}
	heads, err := checker.FlakeInputHeads(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pins.GuardFlakeLock(cfg.FlakeLockPath(), old, lock, heads); err != nil {
		return nil, refuse(err)
	}
	moved, err := pins.MovedInputs(old, lock, slices.Sorted(maps.Keys(heads)))
	if err != nil {
		return nil, refuse(err)
	}
	if len(moved) == 0 {
		return heads, nil
	}
	engine, err := f.engine()
	if err != nil {
		return nil, err
	}
	for _, in := range slices.Sorted(maps.Keys(moved)) {
		if err := engine.VerifyLocked(ctx, moved[in]); err != nil {
			return nil, refuse(fmt.Errorf("the input %s: %w", in, err))
		}
	}
	return heads, nil
}
