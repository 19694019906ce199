package pulls

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// Request is one pull request to publish.
type Request struct {
	// Branch is the full head branch name, already pushed to Owner/Repo,
	// e.g. "hashbot/authentik-2026.2.2".
	Branch string
	// Title and Body are the pull request's title and Markdown body (see
	// RenderTitle and RenderBody).
	Title, Body string
	// UpstreamRepo is the upstream "owner/name" ("goauthentik/authentik");
	// with Version it decides which older hashbot pull requests are
	// superseded: those whose body's marker (RenderBody writes it) names
	// the same upstream at an older version.
	UpstreamRepo string
	// Version is the upstream version this pull request moves to, with the
	// sources it moves as build metadata ("2026.2.2+nixpkgs.1a2b3c4d5e6f");
	// "" skips superseding.
	Version string
	// Existing is what Lookup found for Branch earlier in the run; nil
	// looks it up.
	Existing *Existing
	// Labels are added beside the Manager's (Options.Labels): those this
	// change earns, such as SecurityLabel.
	Labels []string
	// Verdict is the check's (VerdictOf): failed opens a draft with the
	// needs-work label; built marks it ready and may enable auto-merge.
	Verdict Verdict
}

// SecurityLabel is put on a pull request whose change fixes an upstream
// security advisory.
const SecurityLabel = "security"

// Outcome says what Publish did.
type Outcome struct {
	// Number and URL identify the published pull request.
	Number int
	URL    string
	// Created is true when the pull request was opened by this call, false
	// when an open one was updated.
	Created bool
	// Superseded lists the older pull requests this call closed, and
	// SupersededBranches their head branches (the caller deletes them).
	Superseded         []int
	SupersededBranches []string
	// Warnings are what went wrong without stopping the publish (a label
	// the repository refuses, say).
	Warnings []string
	// Draft says whether the pull request is a draft now; MarkedReady
	// that this call marked it ready for review (its check built).
	Draft, MarkedReady bool
	// AutoMerge is the merge method auto-merge is enabled with; "" when
	// it is not.
	AutoMerge string
	// NeedsWork is set (by Lookup) on an open pull request whose last
	// check failed: it carries the needs-work label.
	NeedsWork bool
}

// Publish finds the open pull request whose head is Owner:req.Branch and
// updates its title and body, or creates it (as a draft when Options.Draft
// or when its check failed), then adds the labels, settles its readiness
// by req.Verdict (settleReadiness) and closes older open hashbot pull requests for the
// same upstream with a "Superseded by #N." comment. Writes that would change
// nothing are skipped. A 422 "A pull request already exists" answer to the
// create is resolved by finding and updating that pull request. Labels
// that cannot be added are a warning in the Outcome, not an error: the
// pull request exists by then.
//
// When closing an older pull request fails, Publish returns both the Outcome
// (the new pull request exists) and the error.
func (m *Manager) Publish(ctx context.Context, req Request) (*Outcome, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	log := zerolog.Ctx(ctx).With().Str(logfield.Branch, req.Branch).Logger()
	base, err := m.baseBranch(ctx)
	if err != nil {
		return nil, err
	}
	var pr *github.PullRequest
	if e := req.Existing; e != nil && e.branch == req.Branch {
		pr = e.open
	} else if pr, err = m.findOpen(ctx, req.Branch); err != nil {
		return nil, err
	}
	created := false
	if pr == nil {
		pr, err = m.create(ctx, base, req)
		switch {
		case alreadyExists(err):
			log.Info().Msg("GitHub says a pull request already exists for the branch; updating it")
			if pr, err = m.findOpen(ctx, req.Branch); err != nil {
				return nil, err
			}
			if pr == nil {
				return nil, fmt.Errorf("creating pull request for %s: GitHub says one already exists, but no open pull request has that head", req.Branch)
			}
		case err != nil:
			return nil, err
		default:
			created = true
			log.Info().Int(logfield.PR, pr.GetNumber()).Msg("opened pull request")
		}
	}
	if !created {
		if pr, err = m.update(ctx, pr, req); err != nil {
			return nil, err
		}
	}
	out := &Outcome{Number: pr.GetNumber(), URL: pr.GetHTMLURL(), Created: created}
	labels := append(slices.Clone(m.labels), req.Labels...)
	if req.Verdict == VerdictFailed {
		labels = append(labels, m.needsWork)
	}
	if err := m.addLabels(ctx, pr, labels); err != nil {
		log.Warn().Err(err).Int(logfield.PR, pr.GetNumber()).Msg("labels not added")
		out.Warnings = append(out.Warnings, err.Error())
	}
	m.settleReadiness(ctx, pr, req.Verdict, out)
	err = m.supersede(ctx, req, out)
	return out, err
}

func (r Request) validate() error {
	if err := gitops.CheckBranchName(r.Branch); err != nil {
		return fmt.Errorf("publishing pull request: head branch: %w", err)
	}
	if strings.TrimSpace(r.Title) == "" {
		return fmt.Errorf("publishing pull request for %s: empty title", r.Branch)
	}
	return nil
}

// findOpen returns the open pull request whose head is owner:branch in this
// repository, or nil.
func (m *Manager) findOpen(ctx context.Context, branch string) (*github.PullRequest, error) {
	prs, err := m.byHead(ctx, "open", branch)
	if err != nil || len(prs) == 0 {
		return nil, err
	}
	return prs[0], nil
}

// byHead lists the pull requests in state whose head is owner:branch in
// this repository, newest first. The answer is checked, not trusted:
// GitHub ignores a head filter it cannot parse and lists every pull
// request.
func (m *Manager) byHead(ctx context.Context, state, branch string) ([]*github.PullRequest, error) {
	opts := &github.PullRequestListOptions{
		State:       state,
		Head:        m.owner + ":" + branch,
		ListOptions: github.ListOptions{PerPage: 100},
	}
	prs, _, err := m.gh.PullRequests.List(ctx, m.owner, m.repo, opts)
	if err != nil {
		return nil, fmt.Errorf("finding the %s pull requests for %s: %w", state, branch, err)
	}
	var out []*github.PullRequest
	for _, pr := range prs {
		if pr.GetHead().GetRef() == branch && m.ownHead(pr) {
			out = append(out, pr)
		}
	}
	return out, nil
}

// ownHead reports whether pr's head branch lives in the managed repository
// rather than in a fork.
func (m *Manager) ownHead(pr *github.PullRequest) bool {
	return strings.EqualFold(pr.GetHead().GetRepo().GetFullName(), m.owner+"/"+m.repo)
}

func (m *Manager) create(ctx context.Context, base string, req Request) (*github.PullRequest, error) {
	np := &github.NewPullRequest{
		Title: github.String(req.Title),
		Head:  github.String(req.Branch),
		Base:  github.String(base),
		Body:  github.String(req.Body),
	}
	if m.draft || req.Verdict == VerdictFailed {
		np.Draft = github.Bool(true)
	}
	pr, _, err := m.gh.PullRequests.Create(ctx, m.owner, m.repo, np)
	if err != nil {
		return nil, fmt.Errorf("creating pull request %s -> %s: %w", req.Branch, base, err)
	}
	return pr, nil
}

// update sets pr's title and body when either differs.
func (m *Manager) update(ctx context.Context, pr *github.PullRequest, req Request) (*github.PullRequest, error) {
	if pr.GetTitle() == req.Title && pr.GetBody() == req.Body {
		zerolog.Ctx(ctx).Debug().Int(logfield.PR, pr.GetNumber()).Msg("pull request already up to date")
		return pr, nil
	}
	edit := &github.PullRequest{Title: github.String(req.Title), Body: github.String(req.Body)}
	updated, _, err := m.gh.PullRequests.Edit(ctx, m.owner, m.repo, pr.GetNumber(), edit)
	if err != nil {
		return nil, fmt.Errorf("updating pull request #%d: %w", pr.GetNumber(), err)
	}
	zerolog.Ctx(ctx).Info().Int(logfield.PR, pr.GetNumber()).Msg("updated pull request")
	return updated, nil
}

// addLabels adds those of labels pr does not have yet, each once.
func (m *Manager) addLabels(ctx context.Context, pr *github.PullRequest, labels []string) error {
	var missing []string
	for _, l := range labels {
		if strings.TrimSpace(l) == "" || slices.ContainsFunc(missing, func(have string) bool { return strings.EqualFold(have, l) }) {
			continue
		}
		if !m.hasLabel(pr, l) {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, _, err := m.gh.Issues.AddLabelsToIssue(ctx, m.owner, m.repo, pr.GetNumber(), missing); err != nil {
		return fmt.Errorf("adding labels %s to pull request #%d: %w", strings.Join(missing, ", "), pr.GetNumber(), err)
	}
	return nil
}

// alreadyExists reports whether err is GitHub's 422 answer to creating a
// pull request whose head already has an open one.
func alreadyExists(err error) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	const text = "a pull request already exists"
	if strings.Contains(strings.ToLower(er.Message), text) {
		return true
	}
	for _, e := range er.Errors {
		if strings.Contains(strings.ToLower(e.Message), text) {
			return true
		}
	}
	return false
}
