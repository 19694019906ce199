package pulls

import (
	"context"
	"fmt"
	"strings"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/version"

	"github.com/google/go-github/v60/github"
)

// supersede closes the open hashbot pull requests for req.UpstreamRepo
// whose version is older than req.Version, commenting "Superseded by #n."
// on each, and records them in out, also when a later close fails.
func (m *Manager) supersede(ctx context.Context, req Request, out *Outcome) error {
	if req.UpstreamRepo == "" || req.Version == "" {
		return nil
	}
	if _, ok := version.Parse(strings.TrimPrefix(req.Version, "v")); !ok {
		zerolog.Ctx(ctx).Warn().Str(logfield.Version, req.Version).Msg("version is not comparable; not superseding older pull requests")
		return nil
	}
	open, err := m.listOpen(ctx)
	if err != nil {
		return err
	}
	for _, pr := range open {
		if pr.GetNumber() == out.Number || !m.older(pr, req) {
			continue
		}
		if err := m.closeSuperseded(ctx, pr.GetNumber(), out.Number); err != nil {
			return err
		}
		out.Superseded = append(out.Superseded, pr.GetNumber())
		out.SupersededBranches = append(out.SupersededBranches, pr.GetHead().GetRef())
	}
	return nil
}

// older reports whether pr is a hashbot pull request for the same upstream
// at a version older than req.Version: its head is a branch of this
// repository under hashbot's prefix, and its body's marker names the
// upstream and the version it moves to. Of two pull requests for the same
// version that both carry build metadata (the sources they move,
// "2026.2.2+nixpkgs.1a2b3c4d5e6f"), the older is superseded too: the newer
// run has the sources where they are now.
func (m *Manager) older(pr *github.PullRequest, req Request) bool {
	if !m.ownHead(pr) || !strings.HasPrefix(pr.GetHead().GetRef(), m.prefix) {
		return false
	}
	mark, ok := ParseMarker(pr.GetBody())
	if !ok || !strings.EqualFold(mark.UpstreamRepo, req.UpstreamRepo) {
		return false
	}
	theirs, ours := strings.TrimPrefix(mark.Version, "v"), strings.TrimPrefix(req.Version, "v")
	c, ok := version.Compare(theirs, ours)
	bothMoveSources := strings.Contains(theirs, "+") && strings.Contains(ours, "+")
	return ok && (c < 0 || c == 0 && bothMoveSources && theirs != ours)
}

// listOpen returns every open pull request of the repository, following
// pagination.
func (m *Manager) listOpen(ctx context.Context) ([]*github.PullRequest, error) {
	opts := &github.PullRequestListOptions{State: "open", ListOptions: github.ListOptions{PerPage: 100}}
	var all []*github.PullRequest
	for {
		prs, resp, err := m.gh.PullRequests.List(ctx, m.owner, m.repo, opts)
		if err != nil {
			return nil, fmt.Errorf("listing open pull requests of %s/%s: %w", m.owner, m.repo, err)
		}
		all = append(all, prs...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

func (m *Manager) closeSuperseded(ctx context.Context, old, n int) error {
	comment := &github.IssueComment{Body: github.String(fmt.Sprintf("Superseded by #%d.", n))}
	if _, _, err := m.gh.Issues.CreateComment(ctx, m.owner, m.repo, old, comment); err != nil {
		return fmt.Errorf("commenting on superseded pull request #%d: %w", old, err)
	}
	if _, _, err := m.gh.PullRequests.Edit(ctx, m.owner, m.repo, old, &github.PullRequest{State: github.String("closed")}); err != nil {
		return fmt.Errorf("closing superseded pull request #%d: %w", old, err)
	}
	zerolog.Ctx(ctx).Info().Int(logfield.PR, old).Int(logfield.SupersededBy, n).Msg("closed superseded pull request")
	return nil
}
