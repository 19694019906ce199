package ghfake_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

const (
	condRepo = "goauthentik/authentik"
	condTag  = "version/2026.2.2"
	// fileURL is go.mod's contents, as JSON unless the request asks for
	// the raw media type.
	fileURL = "/repos/" + condRepo + "/contents/go.mod?ref=" + condTag
)

func condServer(t *testing.T) *ghfake.Server {
	t.Helper()
	srv := ghfake.New(t)
	srv.AddRelease(condRepo, ghfake.Release{Tag: condTag})
	srv.SetFile(condRepo, condTag, "go.mod", []byte("module goauthentik.io\n"))
	srv.SetBranch(condRepo, "main", "0123456789abcdef0123456789abcdef01234567")
	return srv
}

// fetch GETs path with the given headers ("Authorization" among them, or
// not) and returns the answer with its body read.
func fetch(t *testing.T, srv *ghfake.Server, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+strings.TrimPrefix(path, "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func TestETagsAreSpecificToTheToken(t *testing.T) {
	srv := condServer(t)
	etagOf := func(h map[string]string) string {
		resp, _ := fetch(t, srv, fileURL, h)
		return resp.Header.Get("ETag")
	}
	a, again, b, anonymous := etagOf(bearer("a")), etagOf(bearer("a")), etagOf(bearer("b")), etagOf(nil)
	if a == "" || a != again {
		t.Errorf("one token got ETags %q and %q, want one and the same", a, again)
	}
	if a == b || a == anonymous || b == anonymous {
		t.Errorf("ETags for token a %q, token b %q, no token %q; want three different ones", a, b, anonymous)
	}
}

func TestLastModifiedIsSentWhereGitHubSendsIt(t *testing.T) {
	tests := []struct {
		path, accept string
		want         bool
	}{
		{path: "/repos/" + condRepo, want: true},
		{path: "/repos/" + condRepo + "/releases/tags/" + condTag, want: true},
		{path: fileURL, accept: "application/vnd.github.raw+json", want: true},
		{path: fileURL, accept: "application/vnd.github+json", want: true},
		{path: "/repos/" + condRepo + "/releases", want: false},
		{path: "/repos/" + condRepo + "/branches/main", want: false},
		{path: "/repos/" + condRepo + "/pulls", want: false},
	}
	srv := condServer(t)
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			resp, _ := fetch(t, srv, tt.path, map[string]string{"Accept": tt.accept, "Authorization": "Bearer a"})
			lm := resp.Header.Get("Last-Modified")
			if _, err := http.ParseTime(lm); tt.want && err != nil {
				t.Errorf("status %d, Last-Modified %q; want an HTTP date", resp.StatusCode, lm)
			}
			if !tt.want && lm != "" {
				t.Errorf("Last-Modified %q; GitHub sends none here", lm)
			}
		})
	}
}

func TestConditionalAnswers(t *testing.T) {
	srv := condServer(t)
	first, _ := fetch(t, srv, fileURL, bearer("a"))
	tag, date := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	list, _ := fetch(t, srv, "/repos/"+condRepo+"/releases", bearer("a"))
	tests := []struct {
		name, path, token, ifNoneMatch, ifModifiedSince string
		want                                            int
	}{
		{name: "the token's own ETag", path: fileURL, token: "a", ifNoneMatch: tag, want: 304},
		{name: "another token's ETag", path: fileURL, token: "b", ifNoneMatch: tag, want: 200},
		{name: "the date, with another token", path: fileURL, token: "b", ifModifiedSince: date, want: 304},
		{name: "an earlier date", path: fileURL, token: "a", ifModifiedSince: "Mon, 01 Jan 2024 00:00:00 GMT", want: 200},
		{name: "an ETag that does not match outweighs a date that does", path: fileURL, token: "b",
			ifNoneMatch: tag, ifModifiedSince: date, want: 200},
		{name: "a date where GitHub gives none (the releases list)", path: "/repos/" + condRepo + "/releases", token: "a",
			ifModifiedSince: list.Header.Get("Date"), want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := bearer(tt.token)
			if tt.ifNoneMatch != "" {
				h["If-None-Match"] = tt.ifNoneMatch
			}
			if tt.ifModifiedSince != "" {
				h["If-Modified-Since"] = tt.ifModifiedSince
			}
			if resp, _ := fetch(t, srv, tt.path, h); resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestAChangeMovesLastModified(t *testing.T) {
	srv := condServer(t)
	raw := "application/vnd.github.raw+json"
	before, _ := fetch(t, srv, fileURL, map[string]string{"Authorization": "Bearer a", "Accept": raw})
	srv.SetFile(condRepo, condTag, "go.mod", []byte("module goauthentik.io\n\ngo 1.26\n"))
	resp, body := fetch(t, srv, fileURL, map[string]string{
		"Authorization": "Bearer b", "Accept": raw, "If-Modified-Since": before.Header.Get("Last-Modified")})
	if resp.StatusCode != 200 || !strings.Contains(body, "go 1.26") {
		t.Errorf("status %d, body %q; want the changed file", resp.StatusCode, body)
	}
	after, err := http.ParseTime(resp.Header.Get("Last-Modified"))
	if was, _ := http.ParseTime(before.Header.Get("Last-Modified")); err != nil || !after.After(was) {
		t.Errorf("Last-Modified went from %v to %v (%v); want it later", was, after, err)
	}
}

func TestOnlyAnAuthorized304IsFree(t *testing.T) {
	tests := []struct {
		name       string
		authorized bool
		want       int // requests charged by the 304
	}{
		{name: "authorized", authorized: true, want: 0},
		{name: "anonymous", authorized: false, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := condServer(t)
			h := map[string]string{}
			if tt.authorized {
				h = bearer("a")
			}
			first, _ := fetch(t, srv, fileURL, h)
			h["If-None-Match"] = first.Header.Get("ETag")
			before := srv.Remaining()
			resp, _ := fetch(t, srv, fileURL, h)
			if resp.StatusCode != 304 {
				t.Fatalf("status %d, want 304", resp.StatusCode)
			}
			if got := before - srv.Remaining(); got != tt.want {
				t.Errorf("the 304 cost %d requests of the rate limit, want %d", got, tt.want)
			}
			if got := resp.Header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(srv.Remaining()) {
				t.Errorf("X-RateLimit-Remaining = %s, want %d", got, srv.Remaining())
			}
		})
	}
}
