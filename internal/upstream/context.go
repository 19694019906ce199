package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// What Check finds out about a move beyond the hashes: the lock files no
// FOD reads, and the advisories the move fixes. Both are asked only when
// the ref moved, so a poll where nothing did costs no more; and neither
// fails a check: what cannot be read is a warning in Result.Warnings.

// LockFile is a lock file upstream has at the candidate that no FOD reads.
type LockFile struct {
	// Path is the file's path in the upstream repository.
	Path string `json:"path"`
	// New is true when the pinned ref had no such file.
	New bool `json:"new"`
}

// Advisory is a published security advisory of the upstream repository
// whose vulnerable range holds the pinned version and not the candidate.
// Every field is GitHub's answer: untrusted text.
type Advisory struct {
	GHSAID   string `json:"ghsa_id"`
	CVEID    string `json:"cve_id,omitempty"`
	Severity string `json:"severity,omitempty"`
	Summary  string `json:"summary,omitempty"`
	URL      string `json:"url,omitempty"`
}

// unclaimedLocks records in res the lock files of the candidate's tree
// that no FOD reads, each marked new when the pinned tree lacks it. cur
// is the candidate's tree when the inputs had it read already; otherwise
// it is read here (one archive download), and the pinned one only when
// something is unclaimed.
func (c *Checker) unclaimedLocks(ctx context.Context, cfg *config.Config, res *Result, cur *tree) {
	if !res.Moved {
		return
	}
	owner, name := cfg.UpstreamOwnerName()
	var err error
	if cur == nil {
		if cur, err = c.readTree(ctx, owner, name, res.CandidateTag, nil); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("upstream's lock files at %s not listed: %v", res.CandidateTag, err))
			return
		}
	}
	paths := cfg.UnclaimedLocks(cur.locks)
	if len(paths) == 0 {
		return
	}
	var old map[string]bool
	if res.PinnedTag != "" && res.PinnedTag != res.CandidateTag {
		prev, err := c.readTree(ctx, owner, name, res.PinnedTag, nil)
		if err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Str(logfield.Ref, res.PinnedTag).Msg("the pinned tree cannot tell which lock files are new")
		} else {
			old = map[string]bool{}
			for _, p := range prev.locks {
				old[p] = true
			}
		}
	}
	for _, p := range paths {
		res.UnclaimedLocks = append(res.UnclaimedLocks, LockFile{Path: p, New: old != nil && !old[p]})
	}
}

// maxAdvisoryPages bounds the pages of advisories read (100 each).
const maxAdvisoryPages = 10

// fixedAdvisories records in res the published advisories of upstream
// that the move from the pinned to the candidate version fixes. It asks
// only in release mode, for a move between two versions. A forbidden or
// missing endpoint (advisories off, a token without access) or any other
// failure is a warning: the advisories are context, not the change.
func (c *Checker) fixedAdvisories(ctx context.Context, cfg *config.Config, res *Result) {
	pv, okP := version.Parse(res.Pinned)
	cv, okC := version.Parse(res.Candidate)
	if !res.Moved || res.Rev != "" || !okP || !okC {
		return
	}
	owner, name := cfg.UpstreamOwnerName()
	opts := &github.ListRepositorySecurityAdvisoriesOptions{State: "published", ListCursorOptions: github.ListCursorOptions{PerPage: 100}}
	for range maxAdvisoryPages {
		page, resp, err := c.gh.SecurityAdvisories.ListRepositorySecurityAdvisories(ctx, owner, name, opts)
		if err != nil {
			res.Warnings = append(res.Warnings, advisoriesWarning(owner+"/"+name, err))
			res.Advisories = nil
			return
		}
		for _, a := range page {
			if a.WithdrawnAt == nil && fixes(ctx, a, pv, cv) {
				res.Advisories = append(res.Advisories, Advisory{GHSAID: a.GetGHSAID(), CVEID: a.GetCVEID(),
					Severity: a.GetSeverity(), Summary: a.GetSummary(), URL: a.GetHTMLURL()})
			}
		}
		if resp.After == "" || resp.After == opts.After {
			return
		}
		opts.After = resp.After
	}
}

// fixes says whether one of a's vulnerable ranges holds pinned and not
// candidate. A range hashbot cannot order is passed over, never guessed.
func fixes(ctx context.Context, a *github.SecurityAdvisory, pinned, candidate version.Version) bool {
	for _, v := range a.Vulnerabilities {
		r, err := version.ParseRange(v.GetVulnerableVersionRange())
		if err != nil {
			zerolog.Ctx(ctx).Debug().Err(err).Str("advisory", a.GetGHSAID()).Msg("vulnerable range passed over")
			continue
		}
		if r.Contains(pinned) && !r.Contains(candidate) {
			return true
		}
	}
	return false
}

// advisoriesWarning says why the advisories of repo were not read.
func advisoriesWarning(repo string, err error) string {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		switch er.Response.StatusCode {
		case http.StatusForbidden, http.StatusNotFound:
			return fmt.Sprintf("the security advisories of %s are not readable (%s): no advisory is listed", repo, er.Response.Status)
		}
	}
	return fmt.Sprintf("reading the security advisories of %s: %v: no advisory is listed", repo, err)
}
