package ghclient_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

const (
	tag       = "version/2026.2.2"
	branchSHA = "0123456789abcdef0123456789abcdef01234567"
)

// endpoint is one of the GETs hashbot makes; get returns what it read.
type endpoint struct {
	name string
	get  func(t *testing.T, c *github.Client) (any, error)
	// lastModified says whether GitHub dates the answer (see ghfake's
	// validators for where that is known from).
	lastModified bool
}

var endpoints = []endpoint{
	{"a release by tag", getReleaseByTag, true},
	{"a file, raw", readFile("application/vnd.github.raw+json"), true},
	{"a file, JSON", readFile("application/vnd.github+json"), true},
	{"the releases list", func(t *testing.T, c *github.Client) (any, error) { return listReleases(t, c) }, false},
	{"a branch", getBranch, false},
}

func getReleaseByTag(t *testing.T, c *github.Client) (any, error) {
	rel, _, err := c.Repositories.GetReleaseByTag(t.Context(), "goauthentik", "authentik", tag)
	return rel, err
}

func getBranch(t *testing.T, c *github.Client) (any, error) {
	b, _, err := c.Repositories.GetBranch(t.Context(), "goauthentik", "authentik", "main", 1)
	return b, err
}

func readFile(accept string) func(t *testing.T, c *github.Client) (any, error) {
	return func(t *testing.T, c *github.Client) (any, error) {
		req, err := c.NewRequest(http.MethodGet, "repos/goauthentik/authentik/contents/go.mod?ref="+tag, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", accept)
		var buf bytes.Buffer
		_, err = c.Do(t.Context(), req, &buf)
		return buf.String(), err
	}
}

// sent is what the server saw of a revalidation.
type sent struct {
	IfNoneMatch, IfModifiedSince bool
	Status                       int
}

// TestRevalidation runs each GET twice on one state directory, with the
// same token and with a fresh one (a new GITHUB_TOKEN for every job), and
// checks which validators the second request carries and what it costs.
func TestRevalidation(t *testing.T) {
	for _, ep := range endpoints {
		for _, fresh := range []bool{false, true} {
			name := ep.name + ", same token"
			want, wantCounts := sent{IfNoneMatch: true, IfModifiedSince: ep.lastModified, Status: 304},
				ghclient.Counts{Requests: 1, NotModified: 1}
			switch {
			case fresh && ep.lastModified:
				name = ep.name + ", fresh token: revalidated by date alone, free"
				want = sent{IfModifiedSince: true, Status: 304}
			case fresh:
				name = ep.name + ", fresh token: no date to revalidate by, charged"
				want, wantCounts = sent{IfNoneMatch: true, Status: 200}, ghclient.Counts{Requests: 1, Charged: 1}
			}
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				e.srv.SetBranch(repoName, "main", branchSHA)
				e.srv.SetFile(repoName, branchSHA, "go.mod", []byte("module goauthentik.io\n"))
				dir := t.TempDir()
				c1, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
				first, err := ep.get(t, c1)
				if err != nil {
					t.Fatal(err)
				}
				c2, stats := e.client(t, func(o *ghclient.Options) {
					o.StateDir = dir
					if fresh {
						o.Token = "ghs_the_next_jobs_token"
					}
				})
				e.srv.ResetRequests()
				second, err := ep.get(t, c2)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(first, second); diff != "" {
					t.Errorf("second answer differs (-first +second):\n%s", diff)
				}
				reqs := e.srv.Requests()
				if len(reqs) != 1 {
					t.Fatalf("%d requests, want 1", len(reqs))
				}
				got := sent{IfNoneMatch: reqs[0].IfNoneMatch, IfModifiedSince: reqs[0].IfModifiedSince, Status: reqs[0].Status}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("revalidation (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(wantCounts, stats.Snapshot()); diff != "" {
					t.Errorf("stats (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// A cache shared by tokens must still never hide a change.
func TestAChangeIsNeverServedFromTheCache(t *testing.T) {
	tests := []struct {
		name   string
		get    func(t *testing.T, c *github.Client) (any, error)
		change func(srv *ghfake.Server)
	}{
		{
			name: "a file",
			get:  readFile("application/vnd.github.raw+json"),
			change: func(srv *ghfake.Server) {
				srv.SetFile(repoName, tag, "go.mod", []byte("module goauthentik.io\n\ngo 1.26\n"))
			},
		},
		{
			name:   "the releases list",
			get:    func(t *testing.T, c *github.Client) (any, error) { return listReleases(t, c) },
			change: func(srv *ghfake.Server) { srv.AddRelease(repoName, ghfake.Release{Tag: "version/2026.2.3"}) },
		},
	}
	for _, tt := range tests {
		for _, token := range []string{secret, "ghs_the_next_jobs_token"} {
			name := tt.name + ", same token"
			if token != secret {
				name = tt.name + ", fresh token"
			}
			t.Run(name, func(t *testing.T) {
				e := newEnv(t)
				dir := t.TempDir()
				c1, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
				before, err := tt.get(t, c1)
				if err != nil {
					t.Fatal(err)
				}
				tt.change(e.srv)
				c2, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir; o.Token = token })
				after, err := tt.get(t, c2)
				if err != nil {
					t.Fatal(err)
				}
				if cmp.Equal(before, after) {
					t.Errorf("the answer after the change is the one from before it: %v", after)
				}
				if got := statuses(e.srv.Requests()); !cmp.Equal(got, []int{200, 200}) {
					t.Errorf("statuses = %v, want [200 200]", got)
				}
			})
		}
	}
}

// A cached body reaches another token only when GitHub answered that
// token's own request with a 304; a refusal is passed on, never the body.
func TestAnotherTokenGetsTheCachedBodyOnlyAfterA304(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	c1, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
	if _, err := readFile("application/vnd.github.raw+json")(t, c1); err != nil {
		t.Fatal(err)
	}
	e.srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") != "Bearer "+secret {
			ghfake.WriteError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
			return true
		}
		return false
	})
	c2, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir; o.Token = "ghs_a_token_without_access" })
	body, err := readFile("application/vnd.github.raw+json")(t, c2)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound {
		t.Errorf("got %q, %v; want GitHub's 404", body, err)
	}
}

func TestCacheIsPerAccept(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(t, nil)
	// One URL, two media types: the raw file and its JSON description.
	for _, accept := range []string{"application/vnd.github.raw+json", "application/vnd.github+json"} {
		req, err := c.NewRequest(http.MethodGet, "repos/goauthentik/authentik/contents/go.mod?ref="+tag, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", accept)
		if _, err := c.Do(t.Context(), req, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	reqs := e.srv.Requests()
	for _, r := range reqs {
		if r.Conditional {
			t.Errorf("request %s (Accept %s) was conditional; another media type must not reuse the cache", r.Path, r.Accept)
		}
	}
	if len(reqs) != 2 {
		t.Errorf("%d requests, want 2", len(reqs))
	}
}
