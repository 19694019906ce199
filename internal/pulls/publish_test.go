package pulls

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"
)

const (
	testOwner  = "hashbot-nix"
	testRepo   = "authentik-nix"
	testBranch = "hashbot/authentik-2026.2.2"
)

func newTestManager(t *testing.T, c *github.Client, mod func(*Options)) *Manager {
	t.Helper()
	opts := Options{Client: c, Owner: testOwner, Repo: testRepo}
	if mod != nil {
		mod(&opts)
	}
	m, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func testRequest() Request {
	return Request{
		Branch:       testBranch,
		Title:        "authentik: 2026.2.1 -> 2026.2.2",
		Body:         "body for 2026.2.2",
		UpstreamName: "authentik",
		Version:      "2026.2.2",
	}
}

// ownPR is an open pull request from a branch of the managed repository.
func ownPR(n int, ref string, labels ...string) *fakePR {
	return &fakePR{Number: n, State: "open", HeadRef: ref, HeadRepo: testOwner + "/" + testRepo, Base: "main",
		Title: "old title", Body: "old body", Labels: labels}
}

func headQuery(branch string) url.Values {
	return url.Values{"state": {"open"}, "head": {testOwner + ":" + branch}, "per_page": {"100"}}
}

var openQuery = url.Values{"state": {"open"}, "per_page": {"100"}}

const pullsPath = "/repos/" + testOwner + "/" + testRepo + "/pulls"

func TestPublishFirstRunCreatesAndLabels(t *testing.T) {
	tests := []struct {
		name     string
		opts     func(*Options)
		wantReqs []recorded
	}{
		{
			name: "default base looked up, default labels",
			wantReqs: []recorded{
				{Method: "GET", Path: "/repos/" + testOwner + "/" + testRepo},
				{Method: "GET", Path: pullsPath, Query: headQuery(testBranch)},
				{Method: "POST", Path: pullsPath, Body: map[string]any{
					"title": "authentik: 2026.2.1 -> 2026.2.2", "head": testBranch, "base": "main", "body": "body for 2026.2.2",
				}},
				{Method: "POST", Path: "/repos/" + testOwner + "/" + testRepo + "/issues/1/labels", Body: []any{"dependencies", "nix"}},
				{Method: "GET", Path: pullsPath, Query: openQuery},
			},
		},
		{
			name: "configured base, draft, own labels",
			opts: func(o *Options) { o.Base = "release"; o.Draft = true; o.Labels = []string{"bot"} },
			wantReqs: []recorded{
				{Method: "GET", Path: pullsPath, Query: headQuery(testBranch)},
				{Method: "POST", Path: pullsPath, Body: map[string]any{
					"title": "authentik: 2026.2.1 -> 2026.2.2", "head": testBranch, "base": "release", "body": "body for 2026.2.2", "draft": true,
				}},
				{Method: "POST", Path: "/repos/" + testOwner + "/" + testRepo + "/issues/1/labels", Body: []any{"bot"}},
				{Method: "GET", Path: pullsPath, Query: openQuery},
			},
		},
		{
			name: "no labels when configured empty",
			opts: func(o *Options) { o.Base = "main"; o.Labels = []string{} },
			wantReqs: []recorded{
				{Method: "GET", Path: pullsPath, Query: headQuery(testBranch)},
				{Method: "POST", Path: pullsPath, Body: map[string]any{
					"title": "authentik: 2026.2.1 -> 2026.2.2", "head": testBranch, "base": "main", "body": "body for 2026.2.2",
				}},
				{Method: "GET", Path: pullsPath, Query: openQuery},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakeGitHub(t)
			m := newTestManager(t, c, tt.opts)
			out, err := m.Publish(t.Context(), testRequest())
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			want := &Outcome{Number: 1, URL: "https://github.com/hashbot-nix/authentik-nix/pull/1", Created: true}
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantReqs, f.all()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishExistingBranchUpdates(t *testing.T) {
	tests := []struct {
		name       string
		existing   *fakePR
		req        func(*Request)
		wantWrites []recorded
	}{
		{
			name:     "new body edits title and body, adds missing label",
			existing: ownPR(7, testBranch, "nix"),
			wantWrites: []recorded{
				{Method: "PATCH", Path: pullsPath + "/7", Body: map[string]any{"title": "authentik: 2026.2.1 -> 2026.2.2", "body": "body for 2026.2.2"}},
				{Method: "POST", Path: "/repos/" + testOwner + "/" + testRepo + "/issues/7/labels", Body: []any{"dependencies"}},
			},
		},
		{
			name: "same title, body and labels writes nothing",
			existing: func() *fakePR {
				p := ownPR(7, testBranch, "Dependencies", "nix")
				p.Title, p.Body = "authentik: 2026.2.1 -> 2026.2.2", "body for 2026.2.2"
				return p
			}(),
			wantWrites: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakeGitHub(t, tt.existing)
			m := newTestManager(t, c, func(o *Options) { o.Base = "main" })
			out, err := m.Publish(t.Context(), testRequest())
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			want := &Outcome{Number: 7, URL: "https://github.com/hashbot-nix/authentik-nix/pull/7"}
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWrites, f.writes()); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			if got := f.pr(7); got.Body != "body for 2026.2.2" {
				t.Errorf("PR #7 body = %q after publish", got.Body)
			}
		})
	}
}

func TestPublishSecondRunEditsInsteadOfCreating(t *testing.T) {
	f, c := newFakeGitHub(t)
	m := newTestManager(t, c, nil)
	if _, err := m.Publish(t.Context(), testRequest()); err != nil {
		t.Fatalf("first Publish: %v", err)
	}
	req := testRequest()
	req.Body = "body, second run"
	out, err := m.Publish(t.Context(), req)
	if err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	if out.Created || out.Number != 1 {
		t.Errorf("second Publish = %+v, want an update of #1", out)
	}
	var creates, repoGets int
	for _, r := range f.all() {
		if r.Method == "POST" && r.Path == pullsPath {
			creates++
		}
		if r.Path == "/repos/"+testOwner+"/"+testRepo {
			repoGets++
		}
	}
	if creates != 1 || repoGets != 1 {
		t.Errorf("creates = %d, default-branch lookups = %d; want 1 and 1", creates, repoGets)
	}
	if got := f.pr(1); got.Body != "body, second run" || !cmp.Equal(got.Labels, []string{"dependencies", "nix"}) {
		t.Errorf("PR #1 = %+v, want the second body and both labels", got)
	}
}

func TestPublishSupersedesOlderHashbotPRs(t *testing.T) {
	fork := ownPR(6, "hashbot/authentik-2025.12.4")
	fork.HeadRepo = "someone/authentik-nix"
	f, c := newFakeGitHub(t,
		ownPR(3, "hashbot/authentik-2026.2.1"),
		ownPR(4, "hashbot/authentik-2026.3.0"),         // newer: kept
		ownPR(5, "renovate/django-5.x"),                // not hashbot: kept
		fork,                                           // a fork's branch: kept
		ownPR(8, "hashbot/authentik-server-2026.1.0"),  // another upstream: kept
		ownPR(9, "hashbot/authentik-2026.2.2-rc1"),     // pre-release of this version: closed
		ownPR(10, "hashbot/authentik-2026.2.2"),        // this branch: updated
		ownPR(11, "hashbot/authentik-not-a-version"),   // unparsable: kept
		ownPR(12, "hashbot/authentik-2026.2.10"),       // newer by number: kept
		ownPR(13, "hashbot/authentik-2026.2.2+build1"), // same version: kept
	)
	f.pageSize = 3 // four pages of open pull requests
	m := newTestManager(t, c, func(o *Options) { o.Base = "main" })

	out, err := m.Publish(t.Context(), testRequest())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if diff := cmp.Diff([]int{3, 9}, out.Superseded); diff != "" {
		t.Errorf("superseded (-want +got):\n%s", diff)
	}
	issues := "/repos/" + testOwner + "/" + testRepo + "/issues/"
	wantWrites := []recorded{
		{Method: "PATCH", Path: pullsPath + "/10", Body: map[string]any{"title": "authentik: 2026.2.1 -> 2026.2.2", "body": "body for 2026.2.2"}},
		{Method: "POST", Path: issues + "10/labels", Body: []any{"dependencies", "nix"}},
		{Method: "POST", Path: issues + "3/comments", Body: map[string]any{"body": "Superseded by #10."}},
		{Method: "PATCH", Path: pullsPath + "/3", Body: map[string]any{"state": "closed"}},
		{Method: "POST", Path: issues + "9/comments", Body: map[string]any{"body": "Superseded by #10."}},
		{Method: "PATCH", Path: pullsPath + "/9", Body: map[string]any{"state": "closed"}},
	}
	if diff := cmp.Diff(wantWrites, f.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	for _, n := range []int{4, 5, 6, 8, 11, 12, 13} {
		if s := f.pr(n).State; s != "open" {
			t.Errorf("PR #%d state = %s, want open", n, s)
		}
	}
}

// TestPublishSupersedesAnOlderSourcesMove publishes a move of nixpkgs for
// the pinned version: an open PR for an earlier nixpkgs move of the same
// version is closed, one without sources in its name is not.
func TestPublishSupersedesAnOlderSourcesMove(t *testing.T) {
	f, c := newFakeGitHub(t,
		ownPR(3, "hashbot/authentik-2026.2.2+nixpkgs.5f4a1c2d9e8b"), // an earlier nixpkgs move: closed
		ownPR(4, "hashbot/authentik-2026.2.2"),                      // the version's own: kept
	)
	m := newTestManager(t, c, func(o *Options) { o.Base = "main" })
	req := testRequest()
	req.Branch, req.Version = "hashbot/authentik-2026.2.2+nixpkgs.a0b1c2d3e4f5", "2026.2.2+nixpkgs.a0b1c2d3e4f5"
	out, err := m.Publish(t.Context(), req)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if diff := cmp.Diff([]int{3}, out.Superseded); diff != "" {
		t.Errorf("superseded (-want +got):\n%s", diff)
	}
	if s := f.pr(4).State; s != "open" {
		t.Errorf("PR #4 state = %s, want open", s)
	}
}

func TestPublishResolvesDuplicate422(t *testing.T) {
	f, c := newFakeGitHub(t, ownPR(12, testBranch))
	f.missHeadLists = 1 // the first lookup misses it, as when another run just opened it
	m := newTestManager(t, c, func(o *Options) { o.Base = "main" })

	out, err := m.Publish(t.Context(), testRequest())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	want := &Outcome{Number: 12, URL: "https://github.com/hashbot-nix/authentik-nix/pull/12"}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
	wantReqs := []recorded{
		{Method: "GET", Path: pullsPath, Query: headQuery(testBranch)},
		{Method: "POST", Path: pullsPath, Body: map[string]any{
			"title": "authentik: 2026.2.1 -> 2026.2.2", "head": testBranch, "base": "main", "body": "body for 2026.2.2",
		}},
		{Method: "GET", Path: pullsPath, Query: headQuery(testBranch)},
		{Method: "PATCH", Path: pullsPath + "/12", Body: map[string]any{"title": "authentik: 2026.2.1 -> 2026.2.2", "body": "body for 2026.2.2"}},
		{Method: "POST", Path: "/repos/" + testOwner + "/" + testRepo + "/issues/12/labels", Body: []any{"dependencies", "nix"}},
		{Method: "GET", Path: pullsPath, Query: openQuery},
	}
	if diff := cmp.Diff(wantReqs, f.all()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestPublishFailsWithGitHubsMessage(t *testing.T) {
	tests := []struct {
		name     string
		fault    string
		answer   fault
		existing []*fakePR
		wantIn   []string
		wantOut  bool
	}{
		{
			name:   "403 without rate-limit headers on create",
			fault:  "POST " + pullsPath,
			answer: fault{status: 403, body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"403"}`},
			wantIn: []string{"creating pull request hashbot/authentik-2026.2.2 -> main", "403 Resource not accessible by integration"},
		},
		{
			name:   "422 that is not a duplicate",
			fault:  "POST " + pullsPath,
			answer: fault{status: 422, body: `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and hashbot/authentik-2026.2.2"}],"documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"422"}`},
			wantIn: []string{"No commits between main and hashbot/authentik-2026.2.2"},
		},
		{
			name:   "404 on the lookup",
			fault:  "GET " + pullsPath,
			answer: fault{status: 404, body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/pulls/pulls#list-pull-requests","status":"404"}`},
			wantIn: []string{"finding the open pull request for hashbot/authentik-2026.2.2", "404 Not Found"},
		},
		{
			name:     "closing a superseded pull request fails after publishing",
			fault:    "PATCH " + pullsPath + "/3",
			answer:   fault{status: 403, body: `{"message":"Must have admin rights to Repository.","documentation_url":"https://docs.github.com/rest","status":"403"}`},
			existing: []*fakePR{ownPR(3, "hashbot/authentik-2026.2.1")},
			wantIn:   []string{"closing superseded pull request #3", "Must have admin rights to Repository."},
			wantOut:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakeGitHub(t, tt.existing...)
			f.faults[tt.fault] = tt.answer
			m := newTestManager(t, c, func(o *Options) { o.Base = "main" })
			out, err := m.Publish(t.Context(), testRequest())
			if err == nil {
				t.Fatalf("Publish succeeded: %+v", out)
			}
			t.Logf("error: %v", err)
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			var er *github.ErrorResponse
			if !errors.As(err, &er) {
				t.Errorf("error %v does not wrap *github.ErrorResponse", err)
			}
			if (out != nil) != tt.wantOut {
				t.Errorf("outcome = %+v, want one: %v", out, tt.wantOut)
			}
		})
	}
}

func TestPublishRejectsBadRequests(t *testing.T) {
	tests := []struct {
		name string
		req  Request
	}{
		{"empty branch", Request{Title: "t"}},
		{"branch with space", Request{Branch: "hashbot/a b", Title: "t"}},
		{"branch starting with dash", Request{Branch: "-x", Title: "t"}},
		{"empty title", Request{Branch: testBranch, Title: "  "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakeGitHub(t)
			m := newTestManager(t, c, nil)
			if _, err := m.Publish(t.Context(), tt.req); err == nil {
				t.Error("Publish succeeded")
			}
			if n := len(f.all()); n != 0 {
				t.Errorf("%d requests made, want none", n)
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	c := github.NewClient(http.DefaultClient)
	tests := []struct {
		name string
		opts Options
	}{
		{"no client", Options{Owner: "o", Repo: "r"}},
		{"no owner", Options{Client: c, Repo: "r"}},
		{"repo with slash", Options{Client: c, Owner: "o", Repo: "r/x"}},
		{"empty label", Options{Client: c, Owner: "o", Repo: "r", Labels: []string{"nix", " "}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.opts); err == nil {
				t.Error("New succeeded")
			}
		})
	}
}
