package pulls_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pulls"
)

const (
	testOwner    = "hashbot-nix"
	testRepo     = "authentik-nix"
	testFullName = testOwner + "/" + testRepo
	testBranch   = "hashbot/authentik-2026.2.2"
	upstreamRepo = "goauthentik/authentik"
	pullsPath    = "/repos/" + testFullName + "/pulls"
	issuesPath   = "/repos/" + testFullName + "/issues/"
)

// newServer is the project's stand-in GitHub with the packaging repository
// (default branch main) and the given pull requests.
func newServer(t *testing.T, prs ...ghfake.PullRequest) *ghfake.Server {
	t.Helper()
	srv := ghfake.New(t)
	srv.AddRepo(testFullName, "main")
	for _, pr := range prs {
		srv.AddPullRequest(testFullName, pr)
	}
	return srv
}

func newManager(t *testing.T, srv *ghfake.Server, mod func(*pulls.Options)) *pulls.Manager {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken("test-token")
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = base
	// config's defaults, as the CLI passes them.
	opts := pulls.Options{Client: c, Owner: testOwner, Repo: testRepo, BranchPrefix: "hashbot/", Labels: []string{"dependencies", "nix"}}
	if mod != nil {
		mod(&opts)
	}
	m, err := pulls.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// bodyFor is a pull request body as hashbot writes it for upstream at
// version (its marker is what superseding reads).
func bodyFor(upstream, version string) string {
	return pulls.RenderBody(pulls.BodyData{UpstreamRepo: upstream, NewVersion: version})
}

func testRequest() pulls.Request {
	return pulls.Request{
		Branch:       testBranch,
		Title:        "authentik: 2026.2.1 -> 2026.2.2",
		Body:         bodyFor(upstreamRepo, "2026.2.2"),
		UpstreamRepo: upstreamRepo,
		Version:      "2026.2.2",
	}
}

// botPR is an open hashbot pull request for upstream at version, from a
// branch of the managed repository.
func botPR(n int, branch, version string, labels ...string) ghfake.PullRequest {
	return ghfake.PullRequest{Number: n, Head: branch, Base: "main", Title: "old title",
		Body: bodyFor(upstreamRepo, version), Labels: labels}
}

// write is a request that changed something, as the tests compare them.
type write struct {
	Method, Path string
	Body         any
}

func writes(t *testing.T, srv *ghfake.Server) []write {
	t.Helper()
	var out []write
	for _, r := range srv.Writes() {
		w := write{Method: r.Method, Path: r.Path}
		if len(r.Body) > 0 {
			if err := json.Unmarshal(r.Body, &w.Body); err != nil {
				t.Fatalf("%s %s: body is not JSON: %s", r.Method, r.Path, r.Body)
			}
		}
		out = append(out, w)
	}
	return out
}

var ignoreTimes = cmpopts.IgnoreFields(ghfake.PullRequest{}, "Created", "Updated", "Closed")

func TestPublishFirstRunCreatesAndLabels(t *testing.T) {
	tests := []struct {
		name        string
		opts        func(*pulls.Options)
		extra       []string // the request's own labels
		wantBase    string
		wantDraft   bool
		wantLabels  []string
		wantRepoGet bool
	}{
		{name: "default base looked up, default labels", wantBase: "main", wantLabels: []string{"dependencies", "nix"}, wantRepoGet: true},
		{name: "configured base, draft, own labels", opts: func(o *pulls.Options) { o.Base = "release"; o.Draft = true; o.Labels = []string{"bot"} },
			wantBase: "release", wantDraft: true, wantLabels: []string{"bot"}},
		{name: "no labels when configured empty", opts: func(o *pulls.Options) { o.Base = "main"; o.Labels = []string{} }, wantBase: "main"},
		{name: "the request's labels beside the configured ones, once each", opts: func(o *pulls.Options) { o.Base = "main" },
			extra: []string{pulls.SecurityLabel, "NIX"}, wantBase: "main", wantLabels: []string{"dependencies", "nix", "security"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			r := testRequest()
			r.Labels = tt.extra
			out, err := newManager(t, srv, tt.opts).Publish(t.Context(), r)
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			want := &pulls.Outcome{Number: 1, URL: strings.TrimSuffix(srv.URL, "/") + "/" + testFullName + "/pull/1", Created: true, Draft: tt.wantDraft}
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			req := testRequest()
			wantPRs := []ghfake.PullRequest{{Number: 1, State: "open", Draft: tt.wantDraft, Head: testBranch, HeadOwner: testOwner,
				Base: tt.wantBase, Title: req.Title, Body: req.Body, Labels: tt.wantLabels}}
			if diff := cmp.Diff(wantPRs, srv.PullRequests(testFullName), ignoreTimes, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("pull requests (-want +got):\n%s", diff)
			}
			repoGets := 0
			for _, r := range srv.Requests() {
				if r.Path == "/repos/"+testFullName {
					repoGets++
				}
			}
			if (repoGets == 1) != tt.wantRepoGet || repoGets > 1 {
				t.Errorf("%d default-branch lookups, want one only when no base is configured", repoGets)
			}
		})
	}
}

func TestPublishExistingBranchUpdates(t *testing.T) {
	req := testRequest()
	tests := []struct {
		name       string
		existing   ghfake.PullRequest
		wantWrites []write
	}{
		{
			name:     "new body edits title and body, adds the missing label",
			existing: botPR(7, testBranch, "2026.2.2", "nix"),
			wantWrites: []write{
				{Method: "PATCH", Path: pullsPath + "/7", Body: map[string]any{"title": req.Title, "body": req.Body}},
				{Method: "POST", Path: issuesPath + "7/labels", Body: []any{"dependencies"}},
			},
		},
		{
			name: "same title, body and labels writes nothing",
			existing: func() ghfake.PullRequest {
				p := botPR(7, testBranch, "2026.2.2", "Dependencies", "nix")
				p.Title, p.Body = req.Title, req.Body
				return p
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.existing)
			out, err := newManager(t, srv, func(o *pulls.Options) { o.Base = "main" }).Publish(t.Context(), req)
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if out.Created || out.Number != 7 {
				t.Errorf("outcome %+v, want #7 updated", out)
			}
			if diff := cmp.Diff(tt.wantWrites, writes(t, srv)); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			if got, _ := srv.PullRequest(testFullName, 7); got.Body != req.Body {
				t.Errorf("PR #7 body = %q after publish", got.Body)
			}
		})
	}
}

func TestPublishSecondRunEditsInsteadOfCreating(t *testing.T) {
	srv := newServer(t)
	m := newManager(t, srv, nil)
	if _, err := m.Publish(t.Context(), testRequest()); err != nil {
		t.Fatalf("first Publish: %v", err)
	}
	req := testRequest()
	req.Body = bodyFor(upstreamRepo, "2026.2.2") + "second run\n"
	out, err := m.Publish(t.Context(), req)
	if err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	if out.Created || out.Number != 1 {
		t.Errorf("second Publish = %+v, want an update of #1", out)
	}
	if prs := srv.PullRequests(testFullName); len(prs) != 1 || prs[0].Body != req.Body || !cmp.Equal(prs[0].Labels, []string{"dependencies", "nix"}) {
		t.Errorf("pull requests = %+v, want #1 only, with the second body and both labels", prs)
	}
}

// TestPublishSupersedesOlderHashbotPRs: the open pull requests hashbot
// opened (its branch prefix, its marker) for the same upstream at an older
// version are closed with a comment, across pages; every other one is
// left alone.
func TestPublishSupersedesOlderHashbotPRs(t *testing.T) {
	prs := []ghfake.PullRequest{
		botPR(3, "hashbot/authentik-2026.2.1", "2026.2.1"),
		botPR(4, "hashbot/authentik-2026.3.0", "2026.3.0"),                                // newer: kept
		{Number: 5, Head: "renovate/django-5.x", Body: bodyFor(upstreamRepo, "2026.1.0")}, // not hashbot's branch: kept
		func() ghfake.PullRequest {
			p := botPR(6, "hashbot/authentik-2025.12.4", "2025.12.4")
			p.HeadOwner = "someone"
			return p
		}(), // a fork: kept
		{Number: 8, Head: "hashbot/authentik-server-2026.1.0", Body: bodyFor("goauthentik/server", "2026.1.0")}, // another upstream: kept
		botPR(9, "hashbot/authentik-2026.2.2-rc1", "2026.2.2-rc1"),                                              // pre-release of this version: closed
		botPR(10, testBranch, "2026.2.2"),                                                                       // this branch: updated
		botPR(11, "hashbot/authentik-2026.1.0", "not-a-version"),                                                // unparsable marker: kept
		botPR(12, "hashbot/authentik-2026.2.10", "2026.2.10"),                                                   // newer by number: kept
		botPR(13, "hashbot/authentik-2026.2.2+build1", "2026.2.2+build1"),                                       // same version: kept
		{Number: 14, Head: "hashbot/authentik-2026.1.0", Body: "rewritten by hand"},                             // no marker: kept
	}
	// Enough others that the open list takes two pages of 100.
	for n := 100; n < 200; n++ {
		prs = append(prs, ghfake.PullRequest{Number: n, Head: fmt.Sprintf("feature-%d", n)})
	}
	srv := newServer(t, prs...)
	out, err := newManager(t, srv, func(o *pulls.Options) { o.Base = "main" }).Publish(t.Context(), testRequest())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if diff := cmp.Diff([]int{9, 3}, out.Superseded); diff != "" {
		t.Errorf("superseded (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"hashbot/authentik-2026.2.2-rc1", "hashbot/authentik-2026.2.1"}, out.SupersededBranches); diff != "" {
		t.Errorf("superseded branches (-want +got):\n%s", diff)
	}
	for _, pr := range srv.PullRequests(testFullName) {
		closed := pr.Number == 3 || pr.Number == 9
		if (pr.State == "closed") != closed {
			t.Errorf("PR #%d is %s; want closed: %v", pr.Number, pr.State, closed)
		}
		if closed && !cmp.Equal(pr.Comments, []string{"Superseded by #10."}) {
			t.Errorf("PR #%d comments %q, want the superseded note", pr.Number, pr.Comments)
		}
	}
}

// TestPublishSupersedesAnOlderSourcesMove publishes a move of nixpkgs for
// the pinned version: an open PR for an earlier nixpkgs move of the same
// version is closed, the version's own is not.
func TestPublishSupersedesAnOlderSourcesMove(t *testing.T) {
	srv := newServer(t,
		botPR(3, "hashbot/authentik-2026.2.2+nixpkgs.5f4a1c2d9e8b", "2026.2.2+nixpkgs.5f4a1c2d9e8b"),
		botPR(4, testBranch, "2026.2.2"),
	)
	req := testRequest()
	req.Branch, req.Version = "hashbot/authentik-2026.2.2+nixpkgs.a0b1c2d3e4f5", "2026.2.2+nixpkgs.a0b1c2d3e4f5"
	req.Body = bodyFor(upstreamRepo, req.Version)
	out, err := newManager(t, srv, func(o *pulls.Options) { o.Base = "main" }).Publish(t.Context(), req)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if diff := cmp.Diff([]int{3}, out.Superseded); diff != "" {
		t.Errorf("superseded (-want +got):\n%s", diff)
	}
	if pr, _ := srv.PullRequest(testFullName, 4); pr.State != "open" {
		t.Errorf("PR #4 state = %s, want open", pr.State)
	}
}

// TestPublishResolvesDuplicate422: a create that GitHub refuses because
// another run just opened the pull request updates that one.
func TestPublishResolvesDuplicate422(t *testing.T) {
	srv := newServer(t, botPR(12, testBranch, "2026.2.2"))
	missed := false
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && r.URL.Path == pullsPath && r.URL.Query().Get("head") != "" && !missed {
			missed = true // the first lookup misses it, as when another run just opened it
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "[]")
			return true
		}
		return false
	})
	out, err := newManager(t, srv, func(o *pulls.Options) { o.Base = "main" }).Publish(t.Context(), testRequest())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if out.Created || out.Number != 12 {
		t.Errorf("outcome %+v, want #12 updated", out)
	}
	if prs := srv.PullRequests(testFullName); len(prs) != 1 || prs[0].Title != testRequest().Title {
		t.Errorf("pull requests %+v, want #12 alone, updated", prs)
	}
}

// fault answers method path with GitHub's error status and body.
func fault(srv *ghfake.Server, method, path string, status int, body string) {
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != method || r.URL.Path != path {
			return false
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return true
	})
}

func TestPublishFailsWithGitHubsMessage(t *testing.T) {
	tests := []struct {
		name         string
		method, path string
		status       int
		body         string
		existing     []ghfake.PullRequest
		wantIn       []string
		wantOutcome  bool
	}{
		{
			name: "403 without rate-limit headers on create", method: "POST", path: pullsPath, status: 403,
			body:   `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"403"}`,
			wantIn: []string{"creating pull request hashbot/authentik-2026.2.2 -> main", "403 Resource not accessible by integration"},
		},
		{
			name: "422 that is not a duplicate", method: "POST", path: pullsPath, status: 422,
			body:   `{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and hashbot/authentik-2026.2.2"}],"documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"422"}`,
			wantIn: []string{"No commits between main and hashbot/authentik-2026.2.2"},
		},
		{
			name: "404 on the lookup", method: "GET", path: pullsPath, status: 404,
			body:   `{"message":"Not Found","documentation_url":"https://docs.github.com/rest/pulls/pulls#list-pull-requests","status":"404"}`,
			wantIn: []string{"finding the open pull requests for hashbot/authentik-2026.2.2", "404 Not Found"},
		},
		{
			name: "closing a superseded pull request fails after publishing", method: "PATCH", path: pullsPath + "/3", status: 403,
			body:        `{"message":"Must have admin rights to Repository.","documentation_url":"https://docs.github.com/rest","status":"403"}`,
			existing:    []ghfake.PullRequest{botPR(3, "hashbot/authentik-2026.2.1", "2026.2.1")},
			wantIn:      []string{"closing superseded pull request #3", "Must have admin rights to Repository."},
			wantOutcome: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.existing...)
			fault(srv, tt.method, tt.path, tt.status, tt.body)
			out, err := newManager(t, srv, func(o *pulls.Options) { o.Base = "main" }).Publish(t.Context(), testRequest())
			if err == nil {
				t.Fatalf("Publish succeeded: %+v", out)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			var er *github.ErrorResponse
			if !errors.As(err, &er) {
				t.Errorf("error %v does not wrap *github.ErrorResponse", err)
			}
			if (out != nil) != tt.wantOutcome {
				t.Errorf("outcome = %+v, want one: %v", out, tt.wantOutcome)
			}
		})
	}
}

// TestPublishWarnsWhenALabelIsRefused: the pull request exists by the time
// labels are added, so a label the repository refuses is a warning.
func TestPublishWarnsWhenALabelIsRefused(t *testing.T) {
	srv := newServer(t)
	fault(srv, "POST", issuesPath+"1/labels", 403,
		`{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/labels#add-labels-to-an-issue","status":"403"}`)
	out, err := newManager(t, srv, func(o *pulls.Options) { o.Base = "main" }).Publish(t.Context(), testRequest())
	if err != nil {
		t.Fatalf("Publish = %v, want the pull request published with a warning", err)
	}
	if !out.Created || len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "adding labels dependencies, nix to pull request #1") {
		t.Errorf("outcome %+v, want #1 created and one warning about the labels", out)
	}
}

func TestPublishRejectsBadRequests(t *testing.T) {
	tests := []struct {
		name string
		req  pulls.Request
	}{
		{"empty branch", pulls.Request{Title: "t"}},
		{"branch with space", pulls.Request{Branch: "hashbot/a b", Title: "t"}},
		{"branch starting with dash", pulls.Request{Branch: "-x", Title: "t"}},
		{"empty title", pulls.Request{Branch: testBranch, Title: "  "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			if _, err := newManager(t, srv, nil).Publish(t.Context(), tt.req); err == nil {
				t.Error("Publish succeeded")
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests made, want none", n)
			}
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	c := github.NewClient(http.DefaultClient)
	tests := []struct {
		name string
		opts pulls.Options
	}{
		{"no client", pulls.Options{Owner: "o", Repo: "r"}},
		{"no owner", pulls.Options{Client: c, Repo: "r"}},
		{"repo with slash", pulls.Options{Client: c, Owner: "o", Repo: "r/x"}},
		{"empty label", pulls.Options{Client: c, Owner: "o", Repo: "r", BranchPrefix: "hashbot/", Labels: []string{"nix", " "}}},
		{"no branch prefix", pulls.Options{Client: c, Owner: "o", Repo: "r"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pulls.New(tt.opts); err == nil {
				t.Error("New succeeded")
			}
		})
	}
}

func TestLookupFindsTheOpenPullRequestAndOnlyReads(t *testing.T) {
	tests := []struct {
		name string
		prs  []ghfake.PullRequest
		want int // 0: none
	}{
		{"open pull request for the branch", []ghfake.PullRequest{botPR(7, testBranch, "2026.2.2")}, 7},
		{"none for the branch", []ghfake.PullRequest{botPR(3, "hashbot/authentik-2026.2.1", "2026.2.1")}, 0},
		{"a closed one does not count", []ghfake.PullRequest{{Number: 4, State: "closed", Head: testBranch}}, 0},
		{"a fork's branch of that name does not count", []ghfake.PullRequest{{Number: 5, Head: testBranch, HeadOwner: "someone"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.prs...)
			got, err := newManager(t, srv, func(o *pulls.Options) { o.Base = "main" }).Lookup(t.Context(), testBranch)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Open == nil) != (tt.want == 0) || got.Open != nil && got.Open.Number != tt.want {
				t.Errorf("Lookup's open = %+v, want #%d", got.Open, tt.want)
			}
			if w := srv.Writes(); len(w) != 0 {
				t.Errorf("Lookup wrote: %+v", w)
			}
		})
	}
}

// TestLookupSaysAnOpenPullRequestNeedsWork: the needs-work label a failed
// check put on the pull request is what check --pull-requests reports.
func TestLookupSaysAnOpenPullRequestNeedsWork(t *testing.T) {
	for _, tt := range []struct {
		name   string
		labels []string
		want   bool
	}{
		{"labelled by a failed check", []string{"nix", "hashbot:needs-work"}, true},
		{"the label in other letters", []string{"Hashbot:Needs-Work"}, true},
		{"no such label", []string{"nix"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, botPR(7, testBranch, "2026.2.2", tt.labels...))
			e, err := newManager(t, srv, nil).Lookup(t.Context(), testBranch)
			if err != nil {
				t.Fatal(err)
			}
			if e.Open == nil || e.Open.NeedsWork != tt.want {
				t.Errorf("Lookup's open = %+v, want NeedsWork %v", e.Open, tt.want)
			}
		})
	}
}

// TestDeclinedIsAClosedUnmergedPullRequest: a maintainer closing hashbot's
// pull request without merging declines that change; a merged one is not
// declined, and a reopened one is open again.
func TestDeclinedIsAClosedUnmergedPullRequest(t *testing.T) {
	tests := []struct {
		name  string
		setup func(srv *ghfake.Server)
		want  int // 0: not declined
	}{
		{name: "closed without merging", want: 1, setup: func(srv *ghfake.Server) { srv.ClosePullRequest(testFullName, 1, false) }},
		{name: "merged", setup: func(srv *ghfake.Server) { srv.ClosePullRequest(testFullName, 1, true) }},
		{name: "closed, then reopened", setup: func(srv *ghfake.Server) {
			srv.ClosePullRequest(testFullName, 1, false)
			srv.ReopenPullRequest(testFullName, 1)
		}},
		{name: "still open", setup: func(*ghfake.Server) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, botPR(1, testBranch, "2026.2.2"), botPR(2, "hashbot/authentik-2026.2.1", "2026.2.1"))
			srv.ClosePullRequest(testFullName, 2, false) // another version's: irrelevant
			tt.setup(srv)
			e, err := newManager(t, srv, nil).Lookup(t.Context(), testBranch)
			if err != nil {
				t.Fatal(err)
			}
			got := e.Declined
			if (got == nil) != (tt.want == 0) || got != nil && got.Number != tt.want {
				t.Errorf("Declined = %+v, want #%d", got, tt.want)
			}
		})
	}
}
