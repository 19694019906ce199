package pulls

import (
	"context"
	"errors"
)

// FindOpen returns the open pull request whose head is Owner:branch, or nil
// when there is none. It only reads: a run that finds its pull request
// already up to date makes no API write.
func (m *Manager) FindOpen(ctx context.Context, branch string) (*Outcome, error) {
	if branch == "" {
		return nil, errors.New("finding a pull request: empty branch")
	}
	pr, err := m.findOpen(ctx, branch)
	if err != nil || pr == nil {
		return nil, err
	}
	return &Outcome{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}, nil
}

// Declined returns the newest pull request whose head is Owner:branch that
// a maintainer closed without merging, or nil. Dependabot and Renovate
// read that as "not this version": hashbot opens no new pull request for
// the branch (a newer version has a branch of its own), and a reopened
// one is open again, so it is updated as before.
func (m *Manager) Declined(ctx context.Context, branch string) (*Outcome, error) {
	if branch == "" {
		return nil, errors.New("finding a declined pull request: empty branch")
	}
	prs, err := m.byHead(ctx, "closed", branch)
	if err != nil {
		return nil, err
	}
	for _, pr := range prs {
		if pr.MergedAt == nil {
			return &Outcome{Number: pr.GetNumber(), URL: pr.GetHTMLURL()}, nil
		}
	}
	return nil, nil
}
