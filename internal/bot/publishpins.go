package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// PublishPins commits the pins file as it stands in the working tree — put
// there by `hashbot apply` from the per-platform results of a CI matrix —
// on the bot's branch, started from the base branch's commit, pushes it and
// opens or updates the pull request. It computes nothing; it compares the
// pins with the base commit's, with whose hashbot.toml it names the change.
func (b *Bot) PublishPins(ctx context.Context, ro RunOptions) (out *Outcome, err error) {
	out = &Outcome{Started: b.opts.Now()}
	defer func() { out.Finished = b.opts.Now() }()
	release, err := b.lock(ctx, ro, "hashbot run --publish-only")
	if err != nil {
		return out, err
	}
	defer release()
	working, err := b.opts.Config.PinsLayout().Load(pins.ReadTree(b.opts.Config.Dir), "")
	if err != nil {
		return out, err
	}
	newPins := working.Pins
	p := &plan{cleanup: func() {}}
	if p.repo, err = b.repo(ctx); err != nil {
		return out, err
	}
	if err := b.readBase(ctx, p); err != nil {
		p.cleanup()
		return out, err
	}
	defer p.cleanup()
	cfg := p.cfg
	out.Pinned, out.Candidate = p.oldPins.Version(), newPins.Version()
	// The sources are checked at the revs the hashes were computed
	// against, not where they are now: one that moved since is the next
	// run's change.
	sourceRevs := map[string]string{}
	for name, src := range newPins.Sources() {
		if _, configured := cfg.Sources[name]; configured && src.Rev != "" {
			sourceRevs[name] = src.Rev
		}
	}
	lockPath := cfg.FlakeLockPath()
	lock := working.Files()[lockPath]
	for name, src := range cfg.Sources {
		if src.FlakeInput == "" {
			continue
		}
		rev, err := upstream.LockedRevIn(cfg, src, lock)
		if err != nil {
			return out, fmt.Errorf("the working tree's %s: %w", lockPath, err)
		}
		// An input the lock moved is checked at GitHub's head of its
		// branch, which the guard makes the lock's commit; one it did not
		// move stays where it is.
		if base, err := upstream.LockedRevIn(cfg, src, p.oldStored.Files()[lockPath]); err == nil && base == rev {
			sourceRevs[name] = rev
		}
	}
	if err := b.checkUpstream(ctx, p, RunOptions{Version: newPins.Version(), sources: sourceRevs}); err != nil {
		return out, err
	}
	if string(lock) == string(p.oldStored.Files()[lockPath]) {
		lock = nil
	} else if lock != nil {
		// apply wrote the lock the hashes were computed with: its
		// fingerprints are the ones to record.
		prints, err := upstream.FlakeInputFingerprintsIn(cfg, lock)
		if err != nil {
			return out, err
		}
		if p.check.NewInputs == nil {
			p.check.NewInputs = map[string]string{}
		}
		for key, sri := range prints {
			p.check.NewInputs[key] = sri
		}
	}
	for _, name := range sortedKeys(p.check.SourcePins) {
		want := p.check.SourcePins[name]
		if got, _ := newPins.Source(name); got.Rev != want.Rev || got.URL != want.URL || got.Hash == "" {
			return out, fmt.Errorf("refusing to commit %s: sources.%s is %s with hash %s, but [source.%s] puts %s at %s: pin it with `hashbot update --source %s=%s`",
				cfg.Pins, name, orNull(got.URL), orNull(got.Hash), name, want.Rev, want.URL, name, want.Rev)
		}
	}
	// The per-platform results carry hashes only: record the inputs they
	// were computed from, or the next check would find them stale again.
	for _, path := range sortedKeys(p.check.NewInputs) {
		newPins.SetInput(path, p.check.NewInputs[path])
	}
	if files, err := p.oldStored.Render(newPins); err != nil {
		return out, err
	} else if lock == nil && sameFiles(p.oldStored.Files(), files) {
		out.Status = StatusUpToDate
		return out, nil
	}
	if p.branch == "" { // the check found the base up to date: name the change anyway
		_, name := cfg.UpstreamOwnerName()
		p.oldLabel, p.newLabel = out.Pinned, out.Candidate
		if p.branch, err = gitops.BranchName(cfg.Git.BranchPrefix, name, out.Candidate); err != nil {
			return out, err
		}
		p.title = pulls.RenderTitle(name, out.Pinned, out.Candidate)
	}
	out.Branch, out.Title = p.branch, p.title
	if done, err := b.declined(ctx, p, out); err != nil || done {
		return out, err
	}
	return b.finish(ctx, p, out, ro, rowsFromPins(cfg, p.oldPins, newPins), nil, newPins, lock)
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
