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
