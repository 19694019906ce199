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
// on the bot's branch, pushes it and opens or updates the pull request. It
// computes nothing; it compares the pins with the base branch's.
func (b *Bot) PublishPins(ctx context.Context, ro RunOptions) (out *Outcome, err error) {
	cfg := b.opts.Config
	out = &Outcome{Started: b.opts.Now()}
	defer func() { out.Finished = b.opts.Now() }()
	release, err := b.lock(ctx, ro, "hashbot run --publish-only")
	if err != nil {
		return out, err
	}
	defer release()
	newPins, err := pins.Read(cfg.PinsPath())
	if err != nil {
		return out, err
	}
	repo, err := b.openRepo(ctx)
	if err != nil {
		return out, err
	}
	base := cfg.PullRequest.Base
	if base == "" {
		if base, err = repo.DefaultBranch(ctx); err != nil {
			return out, err
		}
	}
	tip, err := repo.FetchBranch(ctx, base)
	if err != nil {
		return out, err
	}
	if tip == nil {
		return out, fmt.Errorf("base branch %s is not on the remote", base)
	}
	oldContent, err := tip.File(cfg.Pins)
	if err != nil {
		return out, err
	}
	oldPins, err := pins.Parse(oldContent, base+":"+cfg.Pins)
	if err != nil {
		return out, err
	}
	out.Pinned, out.Candidate = oldPins.Version(), newPins.Version()
	check, err := b.opts.Checker.Check(ctx, cfg, oldPins, upstream.CheckOptions{Version: newPins.Version()})
	if err != nil {
		return out, fmt.Errorf("checking upstream %s: %w", cfg.Upstream.Repo, err)
	}
	// The per-platform results carry hashes only: record the inputs they
	// were computed from, or the next check would find them stale again.
	for _, path := range sortedKeys(check.NewInputs) {
		newPins.SetInput(path, check.NewInputs[path])
	}
	newBytes := newPins.Marshal()
	if string(oldContent) == string(newBytes) {
		out.Status = StatusUpToDate
		return out, nil
	}
	if err := pins.GuardChange(oldContent, newBytes); err != nil {
		return out, fmt.Errorf("refusing to commit %s: %w", cfg.Pins, err)
	}
	_, name := cfg.UpstreamOwnerName()
	if out.Branch, err = gitops.BranchName(cfg.Git.BranchPrefix, name, out.Candidate); err != nil {
		return out, err
	}
	rows := rowsFromPins(cfg, oldPins, newPins)
	out.Title = pulls.RenderTitle(name, out.Pinned, out.Candidate)
	out.Body = pulls.RenderBody(bodyData(cfg, check, rows, nil, false))
	out.Diff = unifiedDiff(cfg.Pins, oldContent, newBytes)
	if ro.DryRun {
		out.Status = StatusDryRun
		return out, nil
	}
	if err := b.publish(ctx, repo, out, check, commitBodyFromRows(rows), newBytes); err != nil {
		return out, err
	}
	out.Status = StatusUpdated
	return out, nil
}

// lockPoll is how often a run that waits for the lock tries again.
const lockPoll = time.Second

func commitBodyFromRows(rows []pulls.HashRow) string {
	var s string
	for _, r := range rows {
		s += fmt.Sprintf("- %s (%s): %s -> %s\n", r.FOD, systemLabel(r.System, r.System != ""), orNull(r.Old), orNull(r.New))
	}
	return s
}

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
