package ghclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

const (
	repoName = "goauthentik/authentik"
	secret   = "ghp_THIS_TOKEN_MUST_NEVER_SHOW_UP_1234567890"
)

// fakeClock advances only when the client sleeps.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 4, 7, 15, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

type env struct {
	srv   *ghfake.Server
	clock *fakeClock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := ghfake.New(t)
	srv.AddRelease(repoName, ghfake.Release{Tag: "version/2026.2.2"})
	srv.SetFile(repoName, "version/2026.2.2", "go.mod", []byte("module goauthentik.io\n"))
	return &env{srv: srv, clock: newClock()}
}

func (e *env) client(t *testing.T, mod func(*ghclient.Options)) (*github.Client, *ghclient.Stats) {
	t.Helper()
	opts := ghclient.Options{
		BaseURL: e.srv.URL, Token: secret, StateDir: t.TempDir(),
		MaxRateLimitWait: time.Minute, RetryBase: 10 * time.Millisecond, Timeout: 2 * time.Second,
		Sleep: e.clock.Sleep, Now: e.clock.Now,
	}
	if mod != nil {
		mod(&opts)
	}
	c, stats, err := ghclient.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, stats
}

func listReleases(t *testing.T, c *github.Client) ([]*github.RepositoryRelease, error) {
	t.Helper()
	rels, _, err := c.Repositories.ListReleases(t.Context(), "goauthentik", "authentik", nil)
	return rels, err
}

func statuses(reqs []ghfake.Request) []int {
	var out []int
	for _, r := range reqs {
		out = append(out, r.Status)
	}
	return out
}

func TestSecondRequestIsConditionalAndFree(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	c, stats := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
	first, err := listReleases(t, c)
	if err != nil {
		t.Fatal(err)
	}
	// A new client on the same state directory: the cache survives a restart.
	c2, stats2 := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
	second, resp2, err := c2.Repositories.ListReleases(t.Context(), "goauthentik", "authentik", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("cached answer differs (-first +second):\n%s", diff)
	}
	if resp2.StatusCode != http.StatusOK || resp2.Header.Get(ghclient.CacheHeader) != "revalidated" {
		t.Errorf("second answer: status %d, %s=%q; want 200 revalidated", resp2.StatusCode,
			ghclient.CacheHeader, resp2.Header.Get(ghclient.CacheHeader))
	}
	if resp2.Rate.Limit != ghfake.RateLimit {
		t.Errorf("rate from 304 = %+v, want the server's limit", resp2.Rate)
	}
	reqs := e.srv.Requests()
	if diff := cmp.Diff([]int{200, 304}, statuses(reqs)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if !reqs[1].Conditional || !reqs[1].Authorized {
		t.Errorf("second request = %+v, want conditional and authorized", reqs[1])
	}
	want := []ghclient.Counts{{Requests: 1, Charged: 1}, {Requests: 1, NotModified: 1}}
	got := []ghclient.Counts{stats.Snapshot(), stats2.Snapshot()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestUnauthenticated304IsCharged(t *testing.T) {
	e := newEnv(t)
	c, stats := e.client(t, func(o *ghclient.Options) { o.Token = "" })
	for range 2 {
		if _, err := listReleases(t, c); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(ghclient.Counts{Requests: 2, NotModified: 1, Charged: 2}, stats.Snapshot()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestCorruptCacheEntryIsIgnored(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	c, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
	if _, err := listReleases(t, c); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "http", "*"))
	if len(files) != 1 {
		t.Fatalf("cache files = %v, want one", files)
	}
	os.WriteFile(files[0], []byte("garbage"), 0o600)
	if _, err := listReleases(t, c); err != nil {
		t.Fatalf("with a corrupt entry: %v", err)
	}
	if diff := cmp.Diff([]int{200, 200}, statuses(e.srv.Requests())); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestTokenNeverInLogsErrorsOrCache(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	c, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir; o.MaxRetries = 1 })
	e.srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "missing") {
			ghfake.WriteError(w, http.StatusBadGateway, "Server Error", "")
			return true
		}
		return false
	})
	var logs bytes.Buffer
	ctx := zerolog.New(zerolog.SyncWriter(&logs)).Level(zerolog.DebugLevel).WithContext(t.Context())
	c.Repositories.ListReleases(ctx, "goauthentik", "authentik", nil)
	_, _, _, err1 := c.Repositories.GetContents(ctx, "goauthentik", "authentik", "missing", nil)
	_, _, _, err2 := c.Repositories.GetContents(ctx, "goauthentik", "nope", "x", nil)
	if err1 == nil || err2 == nil {
		t.Fatalf("want errors, got %v, %v", err1, err2)
	}
	var cached bytes.Buffer
	files, _ := filepath.Glob(filepath.Join(dir, "http", "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		cached.Write(data)
	}
	for name, text := range map[string]string{
		"log": logs.String(), "error 1": err1.Error(), "error 2": err2.Error(), "cache": cached.String(),
	} {
		if strings.Contains(text, secret) || strings.Contains(text, "THIS_TOKEN") {
			t.Errorf("the token shows up in the %s", name)
		}
	}
	if logs.Len() == 0 || cached.Len() == 0 {
		t.Errorf("nothing logged (%d bytes) or cached (%d bytes): the check above proves nothing", logs.Len(), cached.Len())
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		base, wantBase, wantWeb, wantErr string
	}{
		{base: "", wantBase: "https://api.github.com/", wantWeb: "https://github.com"},
		{base: "https://api.github.com", wantBase: "https://api.github.com/", wantWeb: "https://github.com"},
		{base: "https://ghe.example.com/api/v3", wantBase: "https://ghe.example.com/api/v3/", wantWeb: "https://ghe.example.com"},
		{base: "https://api.octocorp.ghe.com", wantBase: "https://api.octocorp.ghe.com/", wantWeb: "https://octocorp.ghe.com"},
		{base: "http://127.0.0.1:8080/", wantBase: "http://127.0.0.1:8080/", wantWeb: "http://127.0.0.1:8080"},
		{base: "ftp://example.com", wantErr: `GitHub API URL "ftp://example.com"`},
		{base: "not a url", wantErr: "want an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			c, _, err := ghclient.New(ghclient.Options{BaseURL: tt.base})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL.String(); got != tt.wantBase {
				t.Errorf("BaseURL = %q, want %q", got, tt.wantBase)
			}
			if got := ghclient.WebURL(c); got != tt.wantWeb {
				t.Errorf("WebURL = %q, want %q", got, tt.wantWeb)
			}
		})
	}
}

func TestAsRateLimitRecognisesGoGithubErrors(t *testing.T) {
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	err := &github.RateLimitError{Rate: github.Rate{Limit: 60, Reset: github.Timestamp{Time: reset}},
		Response: &http.Response{Request: &http.Request{Method: "GET", URL: mustURL(t)}}}
	rl, ok := ghclient.AsRateLimit(errors.Join(errors.New("listing"), err))
	if !ok || !rl.Reset.Equal(reset) || rl.Secondary {
		t.Fatalf("AsRateLimit = %+v, %v", rl, ok)
	}
	after := 90 * time.Second
	abuse := &github.AbuseRateLimitError{Message: "secondary rate limit", RetryAfter: &after}
	if rl, ok := ghclient.AsRateLimit(fmt.Errorf("listing: %w", abuse)); !ok || !rl.Secondary || rl.Wait != after {
		t.Errorf("AsRateLimit(abuse) = %+v, %v; want a secondary limit waiting 90s", rl, ok)
	}
	if _, ok := ghclient.AsRateLimit(errors.New("other")); ok {
		t.Error("AsRateLimit took a plain error for a rate limit")
	}
}

func TestUnusedCacheEntriesArePruned(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	c, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
	if _, err := listReleases(t, c); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "http", "*"))
	if len(files) != 1 {
		t.Fatalf("cache files = %v, want one", files)
	}
	readGoMod := func(c *github.Client) {
		t.Helper()
		if _, _, _, err := c.Repositories.GetContents(t.Context(), "goauthentik", "authentik", "go.mod",
			&github.RepositoryContentGetOptions{Ref: "version/2026.2.2"}); err != nil {
			t.Fatal(err)
		}
	}
	// Pruning happens before a client's first request, so each client
	// below makes one, to another URL than the entry's.
	c, _ = e.client(t, func(o *ghclient.Options) { o.StateDir = dir; o.CacheTTL = time.Hour })
	readGoMod(c)
	if _, err := os.Stat(files[0]); err != nil {
		t.Errorf("a fresh entry was pruned: %v", err)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(files[0], old, old)
	c, _ = e.client(t, func(o *ghclient.Options) {
		o.StateDir = dir
		o.CacheTTL = time.Hour
		o.Now = time.Now
	})
	readGoMod(c)
	if _, err := os.Stat(files[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an entry unused for 2h survived a 1h TTL: %v", err)
	}
}

// A cache entry whose body was damaged (a truncated restore, a bad disk)
// must not be served for a 304: the request goes out unconditionally.
func TestDamagedCacheBodyIsNotServed(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	c, _ := e.client(t, func(o *ghclient.Options) { o.StateDir = dir })
	first, err := listReleases(t, c)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "http", "*"))
	if len(files) != 1 {
		t.Fatalf("cache files = %v, want one", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(files[0], data[:len(data)-10], 0o600) // header line intact, body cut short
	second, err := listReleases(t, c)
	if err != nil {
		t.Fatalf("with a damaged entry: %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("answer differs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff([]int{200, 200}, statuses(e.srv.Requests())); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestTokenWithTrailingNewlineStillAuthenticates(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(t, func(o *ghclient.Options) { o.Token = secret + "\n" })
	if _, err := listReleases(t, c); err != nil {
		t.Fatal(err)
	}
	if reqs := e.srv.Requests(); len(reqs) != 1 || !reqs[0].Authorized {
		t.Errorf("requests = %+v, want one authorized", reqs)
	}
}

func TestBadBaseURLErrorHidesCredentials(t *testing.T) {
	for _, base := range []string{"ftp://x-access-token:" + secret + "@ghe.example.com/api/v3", "https://user:" + secret + "@/api/v3"} {
		_, _, err := ghclient.New(ghclient.Options{BaseURL: base})
		if err == nil {
			t.Fatalf("New(%q): no error", base)
		}
		if strings.Contains(err.Error(), "THIS_TOKEN") {
			t.Errorf("error shows the credentials: %v", err)
		}
	}
}

// TestTokenNeverFollowsARedirectElsewhere has the API answer with a
// redirect to another host, to another port, and from https to http: the
// token goes to none of them.
func TestTokenNeverFollowsARedirectElsewhere(t *testing.T) {
	var mu sync.Mutex
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secret {
			http.Error(w, "want the token", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()
	for _, target := range []string{"another port of 127.0.0.1", "localhost"} {
		t.Run(target, func(t *testing.T) {
			base := api.URL
			if target == "localhost" {
				// The same server under another name: a host the token was
				// not configured for.
				base = strings.Replace(api.URL, "127.0.0.1", "localhost", 1)
			}
			c, _, err := ghclient.New(ghclient.Options{BaseURL: base, Token: secret, MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.Repositories.ListReleases(t.Context(), "o", "r", nil); err != nil {
				t.Fatalf("ListReleases: %v", err)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("the other host got %d requests, want 2", len(got))
	}
	for _, h := range got {
		if h != "" {
			t.Errorf("the other host got Authorization %q", h)
		}
	}
}

// TestTokenSourceIsAskedPerRequestToTheAPIHostOnly: a source (a GitHub
// App's tokens) is asked for each request to the API, so a renewed token
// is used at once, and not for a redirect to another host.
func TestTokenSourceIsAskedPerRequestToTheAPIHostOnly(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, "other:"+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, "api:"+r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path == "/repos/o/r/releases" && r.URL.Query().Get("page") == "" {
			http.Redirect(w, r, other.URL+r.URL.Path+"?page=2", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"default_branch": "main"}`))
	}))
	defer api.Close()
	n := 0
	source := func(context.Context) (string, error) {
		n++
		return fmt.Sprintf("ghs_%d", n), nil
	}
	c, _, err := ghclient.New(ghclient.Options{BaseURL: api.URL, TokenSource: source, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := c.Repositories.Get(t.Context(), "o", "r"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := c.Repositories.ListReleases(t.Context(), "o", "r", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"api:Bearer ghs_1", "api:Bearer ghs_2", "api:Bearer ghs_3", "other:"}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("Authorization seen (-want +got):\n%s", diff)
	}
	failing := func(context.Context) (string, error) { return "", errors.New("the App is not installed") }
	c, _, _ = ghclient.New(ghclient.Options{BaseURL: api.URL, TokenSource: failing, MaxRetries: -1})
	if _, _, err := c.Repositories.Get(t.Context(), "o", "r"); err == nil || !strings.Contains(err.Error(), "the App is not installed") {
		t.Errorf("with a failing source: %v, want its error", err)
	}
}
