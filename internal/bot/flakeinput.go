package bot

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// moveFlakeInputs has Nix move each flake input the check found moved
// ([source] flake-input) in the plan's tree, before anything is built
// from it (lockFlakeInput), and records the new lock's fingerprints in
// newPins. It returns the new flake.lock, nil when no input moved.
func (b *Bot) moveFlakeInputs(ctx context.Context, p *plan, newPins *pins.Pins) ([]byte, error) {
	cfg := p.cfg
	moved := false
	for _, m := range p.check.Sources {
		if m.FlakeInput != "" {
			moved = true
			if err := lockFlakeInput(ctx, b.opts.Engine, cfg, m.Name, m.To); err != nil {
				return nil, err
			}
		}
	}
	if !moved {
		return nil, nil
	}
	lock, err := pins.ReadTree(cfg.Dir)(cfg.FlakeLockPath())
	if err != nil {
		return nil, err
	}
	prints, err := upstream.FlakeInputFingerprintsIn(cfg, lock)
	if err != nil {
		return nil, err
	}
	for key, sri := range prints {
		newPins.SetInput(key, sri)
	}
	return lock, nil
}

// FlakeInputUpdater moves a flake input to the newest commit of what it
// follows, writing flake.lock, with Nix (fod.Engine).
type FlakeInputUpdater interface {
	UpdateFlakeInput(ctx context.Context, dir, name string) error
}

// lockFlakeInput has Nix move the flake input of the source name ([source]
// flake-input) in the flake under cfg.Dir to the head of its branch,
// which must be rev, the commit the check saw: Nix takes the newest
// commit, and one that is not rev means the branch moved since (the next
// check takes it). A lock already at rev is left alone.
func lockFlakeInput(ctx context.Context, nix FlakeInputUpdater, cfg *config.Config, name, rev string) error {
	src := cfg.Sources[name]
	if got, err := upstream.LockedRev(cfg, src); err != nil || got == rev {
		return err
	}
	if err := nix.UpdateFlakeInput(ctx, filepath.Join(cfg.Dir, filepath.FromSlash(cfg.Flake)), src.FlakeInput); err != nil {
		return fmt.Errorf("source %s: %w", name, err)
	}
	got, err := upstream.LockedRev(cfg, src)
	if err != nil {
		return err
	}
	if got != rev {
		return fmt.Errorf("source %s: Nix locked the flake input %s at %s, not %s: %s's %s moved since it was checked; run again",
			name, src.FlakeInput, got, rev, src.Repo, src.Branch)
	}
	zerolog.Ctx(ctx).Info().Str(logfield.Source, name).Str(logfield.Rev, rev).Msg("flake input moved")
	return nil
}
