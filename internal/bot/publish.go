package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// ForeignPushError says that someone other than hashbot pushed to the bot's
// branch: the run stops rather than overwrite their work.
type ForeignPushError struct {
	Branch, Commit, Author string
}

func (e *ForeignPushError) Error() string {
	return fmt.Sprintf("branch %s was pushed to by %s (commit %.12s), not by hashbot: not overwriting it; merge or delete the branch and run again",
		e.Branch, e.Author, e.Commit)
}

func (b *Bot) openRepo(ctx context.Context) (*gitops.Repo, error) {
	cfg := b.opts.Config
	return gitops.Open(ctx, cfg.Dir, gitops.Options{
		RemoteName: cfg.Git.Remote, Token: b.opts.Git.Token, TokenHost: b.opts.Git.TokenHost,
		Author: cfg.Git.Author, Base: cfg.PullRequest.Base,
	})
}

// resumeBranch handles a bot branch that already answers this candidate: an
// earlier run computed and pushed it. When it sits on the current base, no
// hash is recomputed and nothing is pushed; the pull request is opened only
// if it is missing (a run that crashed after its push). done is true when
// the run has nothing more to do.
func (b *Bot) resumeBranch(ctx context.Context, repo *gitops.Repo, out *Outcome, oldPins *pins.Pins, check *upstream.Result) (done bool, err error) {
	cfg := b.opts.Config
	head, err := b.botBranch(ctx, repo, out.Branch)
	if err != nil || head == nil {
		return false, err
	}
	baseHead, err := repo.FetchBase(ctx, cfg.PullRequest.Base)
	if err != nil {
		return false, err
	}
	if len(head.Parents) != 1 || head.Parents[0] != baseHead {
		return false, nil // the base moved on: recompute on top of it
	}
	content, err := head.File(cfg.Pins)
	if err != nil {
		return false, err
	}
	branchPins, err := pins.Parse(content, out.Branch+":"+cfg.Pins)
	if err != nil {
		return false, nil // not hashbot's pins any more: recompute
	}
	again, err := b.opts.Checker.Check(ctx, cfg, branchPins, upstream.CheckOptions{Version: check.Candidate})
	if err != nil {
		return false, fmt.Errorf("checking branch %s against upstream: %w", out.Branch, err)
	}
	if !again.UpToDate {
		return false, nil
	}
	out.Commit = head.Hash.String()
	pr, err := b.opts.Publisher.FindOpen(ctx, out.Branch)
	if err != nil {
		return false, err
	}
	if pr != nil {
		b.opts.Log.Info().Str("branch", out.Branch).Int("pr", pr.Number).Msg("the open pull request is up to date")
		out.PR, out.Status = pr, StatusUpToDate
		return true, nil
	}
	// The push happened but the pull request did not: open it from what
	// the branch holds.
	_, name := cfg.UpstreamOwnerName()
	oldLabel, newLabel := refLabels(check)
	out.Title = pulls.RenderTitle(name, oldLabel, newLabel)
	out.Body = pulls.RenderBody(bodyData(cfg, check, rowsFromPins(cfg, oldPins, branchPins), nil, false))
	pr, err = b.opts.Publisher.Publish(ctx, pulls.Request{
		Branch: out.Branch, Title: out.Title, Body: out.Body, UpstreamName: name, Version: check.Candidate,
	})
	out.PR = pr
	if err != nil {
		return true, fmt.Errorf("publishing the pull request for %s: %w", out.Branch, err)
	}
	out.Status = StatusUpdated
	return true, nil
}

// publish commits the new pins on the bot's branch, pushes it with a lease
// on what the run saw, and opens or updates the pull request. The pull
// request is only touched once the push has succeeded.
func (b *Bot) publish(ctx context.Context, repo *gitops.Repo, out *Outcome, check *upstream.Result, body string, content []byte) error {
	cfg := b.opts.Config
	var seen gitops.Hash
	head, err := b.botBranch(ctx, repo, out.Branch)
	if err != nil {
		return err
	}
	if head != nil {
		seen = head.Hash
	}
	if _, err := repo.ResetBranch(ctx, out.Branch, cfg.PullRequest.Base); err != nil {
		return err
	}
	_, name := cfg.UpstreamOwnerName()
	oldLabel, newLabel := refLabels(check)
	commit, err := repo.CommitPins(ctx, gitops.PinsCommit{
		Branch: out.Branch, Path: cfg.Pins, Content: content, Name: name,
		OldVersion: oldLabel, NewVersion: newLabel, Body: body, Guard: pins.GuardChange,
	})
	if err != nil {
		return err
	}
	out.Commit = commit.String()
	if err := repo.Push(ctx, out.Branch, seen); err != nil {
		return err
	}
	b.opts.Log.Info().Str("branch", out.Branch).Str("commit", out.Commit).Msg("pushed")
	pr, err := b.opts.Publisher.Publish(ctx, pulls.Request{
		Branch: out.Branch, Title: out.Title, Body: out.Body, UpstreamName: name, Version: check.Candidate,
	})
	out.PR = pr
	if err != nil {
		return fmt.Errorf("publishing the pull request for %s: %w", out.Branch, err)
	}
	return nil
}

// botBranch fetches the bot's branch from the remote: nil when it does not
// exist, a *ForeignPushError when its tip is someone else's commit.
func (b *Bot) botBranch(ctx context.Context, repo *gitops.Repo, branch string) (*gitops.RemoteBranch, error) {
	head, err := repo.FetchBranch(ctx, branch)
	if err != nil || head == nil {
		return nil, err
	}
	author, err := gitops.ParseAuthor(b.opts.Config.Git.Author)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(head.AuthorEmail, author.Email) {
		return nil, &ForeignPushError{Branch: branch, Commit: head.Hash.String(), Author: head.AuthorEmail}
	}
	return head, nil
}

// commitBody lists each changed hash, one per line, for the commit message.
func commitBody(r *fod.Report) string {
	var b strings.Builder
	for _, t := range r.Results {
		if t.Status != fod.StatusChanged {
			continue
		}
		fmt.Fprintf(&b, "- %s (%s): %s -> %s\n", t.FOD, systemLabel(t.System, t.PerSystem), orNull(t.Old), t.New)
	}
	return strings.TrimRight(b.String(), "\n")
}

func systemLabel(system string, perSystem bool) string {
	if !perSystem || system == "" {
		return "all systems"
	}
	return system
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}
