package ghfake

import (
	"sort"
	"strings"
	"time"
)

// PullRequest is a pull request as the server keeps it. Pull requests and
// issues share numbers on GitHub; here only pull requests take them.
type PullRequest struct {
	Number int
	// State is "open" or "closed".
	State string
	Draft bool
	// Head is the head branch's name; HeadOwner the owner of the repository
	// it lives in (default: the repository's owner, a same-repo branch).
	Head      string
	HeadOwner string
	// HeadSHA is the head commit ("" answers a made-up one); User the
	// login of who opened it ("" is hashbot[bot]).
	HeadSHA string
	User    string
	Base    string
	Title   string
	Body    string
	Labels  []string
	// Comments are the bodies of the comments added, oldest first.
	Comments []string
	Created  time.Time
	Updated  time.Time
	Closed   time.Time // zero while open
	// Merged marks a closed pull request as merged (merged_at is Closed).
	Merged bool
	// AutoMerge is the merge method auto-merge is enabled with ("squash",
	// "merge", "rebase"); "" when off.
	AutoMerge string
}

// ClosePullRequest closes pull request n of repoName, as merged or not, as
// a maintainer would; false when there is none.
func (s *Server) ClosePullRequest(repoName string, n int, merged bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.repo(repoName).pull(n)
	if p == nil {
		return false
	}
	now := time.Now().UTC().Truncate(time.Second)
	p.State, p.Closed, p.Merged, p.Updated = "closed", now, merged, now
	return true
}

// ReopenPullRequest reopens pull request n of repoName; false when there is
// none or it was merged (GitHub cannot reopen a merged pull request).
func (s *Server) ReopenPullRequest(repoName string, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.repo(repoName).pull(n)
	if p == nil || p.Merged {
		return false
	}
	p.State, p.Closed, p.Updated = "open", time.Time{}, time.Now().UTC().Truncate(time.Second)
	return true
}

func (p *PullRequest) clone() PullRequest {
	c := *p
	c.Labels = append([]string(nil), p.Labels...)
	c.Comments = append([]string(nil), p.Comments...)
	return c
}

// AddPullRequest seeds a pull request in repoName (an older bot PR, say) and
// returns its number. A zero Number takes the next free one; an empty State
// is "open", an empty Base the default branch, an empty HeadOwner the
// repository's owner.
func (s *Server) AddPullRequest(repoName string, pr PullRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoName)
	c := pr.clone()
	r.addPull(&c)
	return c.Number
}

// addPull fills pr's defaults and keeps it; s.mu is held.
func (r *repo) addPull(pr *PullRequest) {
	if pr.Number == 0 {
		r.nextNumber++
		pr.Number = r.nextNumber
	}
	r.nextNumber = max(r.nextNumber, pr.Number)
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.Base == "" {
		pr.Base = r.defaultBranch
	}
	if pr.HeadOwner == "" {
		pr.HeadOwner = r.owner()
	}
	now := time.Now().UTC().Truncate(time.Second)
	if pr.Created.IsZero() {
		pr.Created = now
	}
	if pr.Updated.IsZero() {
		pr.Updated = pr.Created
	}
	r.pulls = append(r.pulls, pr)
}

func (r *repo) owner() string {
	owner, _, _ := strings.Cut(r.name, "/")
	return owner
}

func (r *repo) pull(n int) *PullRequest {
	for _, p := range r.pulls {
		if p.Number == n {
			return p
		}
	}
	return nil
}

// PullRequests returns repoName's pull requests, lowest number first.
func (s *Server) PullRequests(repoName string) []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(repoName)]
	if !ok {
		return nil
	}
	out := make([]PullRequest, 0, len(r.pulls))
	for _, p := range r.pulls {
		out = append(out, p.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// PullRequest returns pull request n of repoName.
func (s *Server) PullRequest(repoName string, n int) (PullRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(repoName)]
	if !ok {
		return PullRequest{}, false
	}
	p := r.pull(n)
	if p == nil {
		return PullRequest{}, false
	}
	return p.clone(), true
}

// Repos returns the names ("owner/name") of the repositories the server
// knows, sorted.
func (s *Server) Repos() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.repos))
	for _, r := range s.repos {
		out = append(out, r.name)
	}
	sort.Strings(out)
	return out
}

// SetPullHead moves pull request n of repoName to the head commit sha, as
// a push to its branch does (GitHub's synchronize); false when there is
// none.
func (s *Server) SetPullHead(repoName string, n int, sha string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.repo(repoName).pull(n)
	if p == nil {
		return false
	}
	p.HeadSHA = sha
	p.Updated = time.Now().UTC().Truncate(time.Second)
	return true
}
