package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// PublishPins commits the pins as they stand in the working tree — put
// there by `hashbot apply` from the per-platform results of a CI matrix,
// computed on the working tree's commit — on the bot's branch, started
// from that commit, pushes it and opens or updates the pull request. It
// computes nothing; it is Run's pipeline with the applied pins in place
// of the engine. The commit must still be on the base branch (a base
// force-pushed since is refused); when the base branch moved on since, the
// change is published onto the commit the hashes were computed on, never
// onto a newer base whose recipes they were not computed from.
func (b *Bot) PublishPins(ctx context.Context, ro RunOptions) (*Outcome, error) {
	repo, err := b.repo(ctx)
	if err != nil {
		return &Outcome{Started: b.opts.Now(), Finished: b.opts.Now()}, err
	}
	if ro.on, err = repo.Head(); err != nil {
		return &Outcome{Started: b.opts.Now(), Finished: b.opts.Now()}, err
	}
	return b.pipeline(ctx, ro, "hashbot run --publish-only", &appliedStep{dir: b.opts.Config.Dir})
}

// appliedStep takes the hashes `hashbot apply` wrote in the working tree.
type appliedStep struct {
	// dir is the working tree apply wrote the pins in.
	dir string
	// working are the pins of the working tree, read with the base's
	// layout.
	working *pins.Stored
}

func (*appliedStep) publishesAnyway() bool { return true }

// prepare reads the applied pins and asks the check for their version,
// with the sources at the revs the hashes were computed against, not
// where they are now: one that moved since is the next run's change.
func (s *appliedStep) prepare(_ context.Context, p *plan, ro *RunOptions) error {
	cfg := p.cfg
	working, err := cfg.PinsLayout().Load(pins.ReadTree(s.dir), "")
	if err != nil {
		return err
	}
	s.working = working
	newPins := working.Pins
	ro.Version = newPins.Version()
	ro.sources = map[string]string{}
	for name, src := range newPins.Sources() {
		if _, configured := cfg.Sources[name]; configured && src.Rev != "" {
			ro.sources[name] = src.Rev
		}
	}
	lock := working.Files()[cfg.FlakeLockPath()]
	for name, src := range cfg.Sources {
		if src.FlakeInput == "" {
			continue
		}
		rev, err := upstream.LockedRevIn(cfg, src, lock)
		if err != nil {
			return fmt.Errorf("the working tree's %s: %w", cfg.FlakeLockPath(), err)
		}
		// An input the lock moved is checked at GitHub's head of its
		// branch, which the guard makes the lock's commit; one it did not
		// move stays where it is.
		if base, err := upstream.LockedRevIn(cfg, src, p.oldStored.Files()[cfg.FlakeLockPath()]); err == nil && base == rev {
			ro.sources[name] = rev
		}
	}
	return nil
}

// produce records the inputs the applied hashes were computed from, or
// the next check would find them stale again, and says up to date when
// the applied pins change nothing.
func (s *appliedStep) produce(_ context.Context, p *plan, ro RunOptions, out *Outcome) (*change, error) {
	cfg, newPins := p.cfg, s.working.Pins
	lockPath := cfg.FlakeLockPath()
	lock := s.working.Files()[lockPath]
	newInputs := map[string]string{}
	for path, sri := range p.check.NewInputs {
		newInputs[path] = sri
	}
	if string(lock) == string(p.oldStored.Files()[lockPath]) {
		lock = nil
	} else if lock != nil {
		// apply wrote the lock the hashes were computed with: its
		// fingerprints are the ones to record.
		prints, err := upstream.FlakeInputFingerprintsIn(cfg, lock)
		if err != nil {
			return nil, err
		}
		for key, sri := range prints {
			newInputs[key] = sri
		}
	}
	for _, name := range sortedKeys(p.check.SourcePins) {
		want := p.check.SourcePins[name]
		if got, _ := newPins.Source(name); got.Rev != want.Rev || got.URL != want.URL || got.Hash == "" {
			return nil, fmt.Errorf("refusing to commit %s: sources.%s is %s with hash %s, but [source.%s] puts %s at %s: pin it with `hashbot update --source %s=%s`",
				cfg.Pins, name, orNull(got.URL), orNull(got.Hash), name, want.Rev, want.URL, name, want.Rev)
		}
	}
	for _, path := range sortedKeys(newInputs) {
		newPins.SetInput(path, newInputs[path])
	}
	files, err := p.oldStored.Render(newPins)
	if err != nil {
		return nil, err
	}
	if lock == nil && sameFiles(p.oldStored.Files(), files) {
		out.Status = StatusUpToDate
		return nil, nil
	}
	return &change{pins: newPins, rows: rowsFromPins(cfg, p.oldPins, newPins), flakeLock: lock, checks: ro.Checks}, nil
}

// lockPoll is how often a run that waits for the lock tries again.
const lockPoll = time.Second

// lock takes the run lock when the bot locks runs; release is never nil.
func (b *Bot) lock(ctx context.Context, ro RunOptions, fallback string) (release func(), err error) {
	if !b.opts.LockRuns {
		return func() {}, nil
	}
	cmd := ro.Command
	if cmd == "" {
		cmd = fallback
	}
	var l *runlock.Lock
	if ro.WaitForLock {
		l, err = runlock.Wait(ctx, b.opts.Config.Dir, cmd, lockPoll)
	} else {
		l, err = runlock.Acquire(b.opts.Config.Dir, cmd)
	}
	if err != nil {
		return nil, err
	}
	return func() { l.Release() }, nil
}
