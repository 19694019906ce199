package pulls

import (
	"context"
	"errors"

	"github.com/google/go-github/v60/github"
)

// Existing is what GitHub has for one head branch of hashbot's, as looked up
// once by a run: the open pull request and the newest one a maintainer
// closed without merging. A run hands it back to Publish, which then does
// not look again.
type Existing struct {
	// Open is the open pull request whose head is the branch, or nil.
	Open *Outcome
	// Declined is the newest pull request of the branch that was closed
	// without merging, or nil. Dependabot and Renovate read that as "not
	// this version": hashbot opens no new pull request for the branch (a
	// newer version has a branch of its own), and a reopened one is open
	// again, so it is updated as before.
	Declined *Outcome

	branch string
	open   *github.PullRequest
}

// Lookup finds the open and the declined pull request whose head is
// Owner:branch, with one request. It only reads: a run that finds its pull
// request already up to date makes no API write.
func (m *Manager) Lookup(ctx context.Context, branch string) (*Existing, error) {
	if branch == "" {
		return nil, errors.New("finding the pull requests of a branch: empty branch")
	}
	prs, err := m.byHead(ctx, "all", branch)
	if err != nil {
		return nil, err
	}
	e := &Existing{branch: branch}
	for _, pr := range prs { // newest first
		switch {
		case pr.GetState() == "open" && e.open == nil:
			e.open = pr
			e.Open = &Outcome{Number: pr.GetNumber(), URL: pr.GetHTMLURL(), Draft: pr.GetDraft(), NeedsWork: m.hasLabel(pr, m.needsWork)}
		case pr.GetState() == "closed" && pr.MergedAt == nil && e.Declined == nil:
			e.Declined = &Outcome{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}
		}
	}
	return e, nil
}
