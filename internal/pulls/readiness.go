package pulls

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// Verdict is what the [check] said of a change, which decides the pull
// request's state: a draft with the needs-work label, ready, or
// auto-merged.
type Verdict string

// The verdicts of a check.
const (
	// VerdictNone: no check, or one not tried on every system: the pull
	// request's state is left as it is.
	VerdictNone Verdict = ""
	// VerdictBuilt: every check attribute built on every system.
	VerdictBuilt Verdict = "built"
	// VerdictFailed: a check attribute failed on some system.
	VerdictFailed Verdict = "failed"
)

// VerdictOf is the verdict of the check rows: failed when one failed,
// built when there are some and every one built.
func VerdictOf(rows []CheckRow) Verdict {
	if len(rows) == 0 {
		return VerdictNone
	}
	if slices.ContainsFunc(rows, func(r CheckRow) bool { return r.Status == CheckFailed }) {
		return VerdictFailed
	}
	if slices.ContainsFunc(rows, func(r CheckRow) bool { return r.Status != CheckBuilt }) {
		return VerdictNone
	}
	return VerdictBuilt
}

// The GraphQL mutations that change a pull request's readiness (GitHub's
// REST API has none of them).
const (
	markReadyMutation = `mutation($id: ID!) {
  markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft } }
}`
	convertToDraftMutation = `mutation($id: ID!) {
  convertPullRequestToDraft(input: {pullRequestId: $id}) { pullRequest { isDraft } }
}`
	enableAutoMergeMutation = `mutation($id: ID!, $method: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) { pullRequest { autoMergeRequest { mergeMethod } } }
}`
	disableAutoMergeMutation = `mutation($id: ID!) {
  disablePullRequestAutoMerge(input: {pullRequestId: $id}) { pullRequest { number } }
}`
)

// settleReadiness puts pr in the state the verdict asks for. A failed
// check makes it a draft with the needs-work label and turns auto-merge
// off; a check that built everywhere takes the label off, marks a pull
// request hashbot made a draft for it ready, and, with auto-merge
// configured, enables it on a pull request that is not a draft. What
// fails is a warning in out: the pull request exists, and the body says
// the truth.
func (m *Manager) settleReadiness(ctx context.Context, pr *github.PullRequest, v Verdict, out *Outcome) {
	log := zerolog.Ctx(ctx).With().Int(logfield.PR, pr.GetNumber()).Logger()
	warn := func(err error) {
		log.Warn().Err(err).Msg("pull request state not changed")
		out.Warnings = append(out.Warnings, err.Error())
	}
	draft := pr.GetDraft()
	switch v {
	case VerdictFailed:
		if pr.GetAutoMerge() != nil {
			if err := m.mutate(ctx, pr, "turning auto-merge off", disableAutoMergeMutation, nil); err != nil {
				warn(err)
			}
		}
		if !draft {
			if err := m.mutate(ctx, pr, "converting to a draft", convertToDraftMutation, nil); err != nil {
				warn(err)
			} else {
				draft = true
			}
		}
	case VerdictBuilt:
		if !m.hasLabel(pr, m.needsWork) {
			break
		}
		if _, err := m.gh.Issues.RemoveLabelForIssue(ctx, m.owner, m.repo, pr.GetNumber(), m.needsWork); err != nil {
			warn(fmt.Errorf("removing label %s from pull request #%d: %w", m.needsWork, pr.GetNumber(), err))
		}
		if draft && !m.draft {
			if err := m.mutate(ctx, pr, "marking ready for review", markReadyMutation, nil); err != nil {
				warn(err)
			} else {
				draft, out.MarkedReady = false, true
				log.Info().Msg("the check built: marked ready for review")
			}
		}
	}
	out.Draft = draft
	if v != VerdictBuilt || draft || m.autoMerge == "" {
		return
	}
	if am := pr.GetAutoMerge(); am != nil && strings.EqualFold(am.GetMergeMethod(), m.autoMerge) {
		out.AutoMerge = m.autoMerge
		return
	}
	if err := m.mutate(ctx, pr, "enabling auto-merge", enableAutoMergeMutation, map[string]any{"method": strings.ToUpper(m.autoMerge)}); err != nil {
		warn(err)
		return
	}
	out.AutoMerge = m.autoMerge
	log.Info().Str("method", m.autoMerge).Msg("auto-merge enabled")
}

// mutate sends one of the readiness mutations for pr.
func (m *Manager) mutate(ctx context.Context, pr *github.PullRequest, what, mutation string, vars map[string]any) error {
	if pr.GetNodeID() == "" {
		return fmt.Errorf("%s pull request #%d: GitHub gave no node id for it", what, pr.GetNumber())
	}
	all := map[string]any{"id": pr.GetNodeID()}
	for k, v := range vars {
		all[k] = v
	}
	if err := ghclient.GraphQL(ctx, m.gh, mutation, all, nil); err != nil {
		return fmt.Errorf("%s pull request #%d: %w", what, pr.GetNumber(), err)
	}
	return nil
}

// hasLabel says whether pr carries label.
func (m *Manager) hasLabel(pr *github.PullRequest, label string) bool {
	return slices.ContainsFunc(pr.Labels, func(have *github.Label) bool { return strings.EqualFold(have.GetName(), label) })
}
