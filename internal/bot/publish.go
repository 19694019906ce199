package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghcommit"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// ForeignPushError says that the bot's branch holds a commit hashbot did
// not make: someone else's (by its author), or one that changes more than
// hashbot's commits may (Reason). The run stops rather than overwrite it
// or take it for its own.
type ForeignPushError struct {
	Branch, Commit, Author string
	// Reason says what the commit changes that hashbot's never would; ""
	// when the author alone gave it away.
	Reason string
}

func (e *ForeignPushError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("branch %s holds commit %.12s that is not hashbot's (%s): not taking it as hashbot's nor overwriting it; merge or delete the branch and run again",
			e.Branch, e.Commit, e.Reason)
	}
	return fmt.Sprintf("branch %s was pushed to by %s (commit %.12s), not by hashbot: not overwriting it; merge or delete the branch and run again",
		e.Branch, e.Author, e.Commit)
}

// resumeBranch handles a bot branch that already answers this candidate: an
// earlier run computed and pushed it. When it sits on the plan's base, no
// hash is recomputed and nothing is pushed; the pull request is opened only
// if it is missing (a run that crashed after its push). done is true when
// the run has nothing more to do.
func (b *Bot) resumeBranch(ctx context.Context, p *plan, out *Outcome) (done bool, err error) {
	head, branchPins, err := p.answeringBranch()
	if err != nil || head == nil {
		return false, err
	}
	out.Commit = head.Hash.String()
	if open := p.existing.Open; open != nil {
		zerolog.Ctx(ctx).Info().Str(logfield.Branch, out.Branch).Int(logfield.PR, open.Number).Msg("the open pull request is up to date")
		out.PR, out.Status = open, StatusUpToDate
		return true, nil
	}
	// The push happened but the pull request did not: open it from what
	// the branch holds.
	out.Body = pulls.RenderBody(bodyData(p, rowsFromPins(p.cfg, p.oldPins, branchPins), nil, false, branchPins))
	if err := b.openPullRequest(ctx, p, out, pulls.VerdictNone); err != nil {
		return true, err
	}
	out.Status = StatusUpdated
	return true, nil
}

// answeringBranch returns the bot's branch and its pins when an earlier run
// pushed it on the plan's base and its pins answer the plan's check, else
// nils. It decides from what the plan holds.
func (p *plan) answeringBranch() (*gitops.RemoteBranch, *pins.Pins, error) {
	head := p.botHead
	if head == nil || p.existing == nil {
		return nil, nil, nil
	}
	if len(head.Parents) != 1 || head.Parents[0] != p.base {
		return nil, nil, nil // the base moved on: recompute on top of it
	}
	stored := p.botStored
	if stored == nil {
		return nil, nil, nil // not hashbot's pins any more: recompute
	}
	branchPins := stored.Pins
	if !branchAnswers(p.cfg, p.check, p.oldPins, branchPins) {
		return nil, nil, nil
	}
	for _, m := range p.check.Sources {
		if m.FlakeInput == "" {
			continue
		}
		rev, err := upstream.LockedRevIn(p.cfg, p.cfg.Sources[m.Name], stored.Files()[p.cfg.FlakeLockPath()])
		if err != nil || rev != m.To {
			return nil, nil, nil
		}
	}
	return head, branchPins, nil
}

// declined says whether the run stops because its branch had a pull
// request that a maintainer closed without merging (and has not
// reopened): the change is declined, as Dependabot and Renovate take it,
// until a newer one has a branch of its own.
func (p *plan) declined(ctx context.Context, out *Outcome) bool {
	if p.existing == nil || p.existing.Open != nil || p.existing.Declined == nil {
		return false
	}
	pr := p.existing.Declined
	zerolog.Ctx(ctx).Info().Str(logfield.Branch, p.branch).Int(logfield.PR, pr.Number).
		Msg("the pull request for this change was closed without merging: declined, not opened again; a newer version opens a new one")
	out.PR, out.Status = pr, StatusDeclined
	return true
}

// branchAnswers says whether the pins on a bot branch already answer the
// check made against the base's pins: the candidate pinned, the inputs the
// check saw recorded, and a hash Nix could have computed (not null, not a
// fake) for every FOD and system. It decides from what the plan holds,
// without asking upstream again.
func branchAnswers(cfg *config.Config, check *upstream.Result, base, branch *pins.Pins) bool {
	want := nextPins(base, check)
	if want.Version() != branch.Version() || want.Rev() != branch.Rev() {
		return false
	}
	lockMoved := false
	for _, m := range check.Sources {
		lockMoved = lockMoved || m.FlakeInput != ""
	}
	for path, sri := range check.NewInputs {
		if lockMoved && strings.HasPrefix(path, config.FlakeInputKey("")) {
			continue // recorded from the lock the run moved (answeringBranch checks it)
		}
		if got, _ := branch.Input(path); got != sri {
			return false
		}
	}
	for _, m := range check.Sources {
		if m.FlakeInput != "" {
			continue
		}
		got, _ := branch.Source(m.Name)
		if got.Rev != m.To || got.URL != m.URL || pins.CheckHash("sources."+m.Name+".hash", got.Hash) != nil {
			return false
		}
	}
	for _, name := range cfg.FODNames() {
		for _, sys := range cfg.FODs[name].PinSystems() {
			h, ok := branch.Hash(name, sys)
			if !ok || pins.CheckHash(pins.HashPath(name, sys), h) != nil {
				return false
			}
		}
	}
	return true
}

// publish commits the new pins on the bot's branch (files, which finish
// guarded: one guard per commit), started from the
// plan's base commit, pushes it with a lease on what the run saw (or, with
// [git] sign = "github", has GitHub make the commit, which it signs), and
// opens or updates the pull request. Nothing is pushed unless the base is
// still on the base branch, and the pull request is only touched once the
// commit is on the remote.
func (b *Bot) publish(ctx context.Context, p *plan, out *Outcome, body string, files pins.Files, verdict pulls.Verdict) error {
	cfg := p.cfg
	var seen gitops.Hash
	if p.botHead != nil {
		seen = p.botHead.Hash
	}
	if err := p.repo.CheckBaseStill(ctx, p.baseBranch, p.base); err != nil {
		return err
	}
	_, name := cfg.UpstreamOwnerName()
	if cfg.Git.Sign == config.SignByGitHub {
		if err := b.commitThroughGitHub(ctx, p, out, seen, body, files); err != nil {
			return err
		}
	} else {
		if err := p.repo.SetBranch(out.Branch, p.base); err != nil {
			return err
		}
		author, err := gitops.ParseAuthor(cfg.Git.Author)
		if err != nil {
			return err
		}
		commit, err := p.repo.CommitPins(ctx, gitops.PinsCommit{
			Branch: out.Branch, Files: files, Name: name, Author: author,
			OldVersion: p.oldLabel, NewVersion: p.newLabel, Body: body,
		})
		if err != nil {
			return err
		}
		out.Commit = commit.String()
		if err := p.repo.Push(ctx, out.Branch, seen); err != nil {
			return err
		}
	}
	zerolog.Ctx(ctx).Info().Str(logfield.Branch, out.Branch).Str(logfield.Commit, out.Commit).Msg("pushed")
	return b.openPullRequest(ctx, p, out, verdict)
}

// openPullRequest opens or updates the pull request of out.Branch with
// the plan's publisher and what the plan found for it, in the state the
// check's verdict asks for, then deletes the branches of the ones it
// superseded.
func (b *Bot) openPullRequest(ctx context.Context, p *plan, out *Outcome, verdict pulls.Verdict) error {
	pr, err := p.pub.Publish(ctx, pulls.Request{
		Branch: out.Branch, Title: out.Title, Body: out.Body, UpstreamRepo: p.cfg.Upstream.Repo, Version: p.newLabel,
		Existing: p.existing, Labels: extraLabels(p.check), Verdict: verdict,
	})
	out.PR = pr
	b.deleteSuperseded(ctx, p, pr)
	if err != nil {
		return fmt.Errorf("publishing the pull request for %s: %w", out.Branch, err)
	}
	return nil
}

// deleteSuperseded deletes the branches of the pull requests the publish
// closed as superseded, each only while its tip is still hashbot's commit
// (a lease on it): a branch someone else pushed to is theirs to delete.
// The pull requests are closed already, so a failure is a warning.
func (b *Bot) deleteSuperseded(ctx context.Context, p *plan, pr *pulls.Outcome) {
	if pr == nil {
		return
	}
	for _, branch := range pr.SupersededBranches {
		log := zerolog.Ctx(ctx).With().Str(logfield.Branch, branch).Logger()
		head, _, err := b.ownBranch(ctx, p, branch)
		if err == nil && head != nil {
			err = p.repo.DeleteRemoteBranch(ctx, branch, head.Hash)
		}
		switch {
		case err != nil:
			log.Warn().Err(err).Msg("the superseded pull request's branch was not deleted")
		case head != nil:
			log.Info().Msg("deleted the superseded pull request's branch")
		}
	}
}

// commitThroughGitHub has GitHub make the pins commit on the bot's branch
// ([git] sign = "github") of the files finish guarded.
func (b *Bot) commitThroughGitHub(ctx context.Context, p *plan, out *Outcome, seen gitops.Hash, body string, files pins.Files) error {
	if p.committer == nil {
		return errors.New(`[git] sign = "github": no GitHub API committer (is this a dry run?)`)
	}
	// GitHub's commit takes the files that change: one given as it is
	// would be committed as it is, but says nothing.
	old := p.oldStored.Files()
	changed := map[string][]byte{}
	for path, data := range files {
		if string(old[path]) != string(data) {
			changed[path] = data
		}
	}
	_, name := p.cfg.UpstreamOwnerName()
	headline, rest, _ := strings.Cut(gitops.CommitMessage(name, p.oldLabel, p.newLabel, body), "\n")
	req := ghcommit.Request{Branch: out.Branch, Base: p.base.String(), Files: changed,
		Headline: headline, Body: strings.TrimSpace(rest)}
	if !seen.IsZero() {
		req.Seen = seen.String()
	}
	commit, err := p.committer.Commit(ctx, req)
	if err != nil {
		return err
	}
	out.Commit = commit
	return nil
}

// commitBody lists each changed hash, one per line, for the commit message.
func commitBody(rows []pulls.HashRow) string {
	var b strings.Builder
	for _, r := range rows {
		if r.Status != string(fod.StatusChanged) {
			continue
		}
		fmt.Fprintf(&b, "- %s (%s): %s -> %s\n", r.FOD, config.SystemLabel(r.System), orNull(r.Old), r.New)
	}
	return strings.TrimRight(b.String(), "\n")
}

// finish shows (a dry run) or publishes the change a run made: the pull
// request body from its rows, the pins diff, then the commit and the pull
// request.
func (b *Bot) finish(ctx context.Context, p *plan, out *Outcome, ro RunOptions, ch *change) (*Outcome, error) {
	files, err := p.oldStored.Render(ch.pins)
	if err != nil {
		return out, err
	}
	if ch.flakeLock != nil {
		files[p.cfg.FlakeLockPath()] = ch.flakeLock // Nix moved a source in it
	}
	if err := p.oldStored.Guard(files); err != nil {
		return out, fmt.Errorf("refusing to commit %s: %w", strings.Join(files.Paths(), ", "), err)
	}
	data := bodyData(p, ch.rows, ch.report, ro.Verify && ch.report != nil, ch.pins)
	data.Checks = checkRows(ch.checks)
	out.Body = pulls.RenderBody(data)
	out.Diff = filesDiff(p.oldStored.Files(), files)
	out.Checks = ch.checks
	if ro.DryRun {
		out.Status = StatusDryRun
		return out, nil
	}
	if err := b.publish(ctx, p, out, commitBody(ch.rows), files, pulls.VerdictOf(data.Checks)); err != nil {
		return out, err
	}
	out.Status = StatusUpdated
	return out, nil
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}
