package upstream_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// hostileChecker is a Checker talking to handler instead of GitHub.
func hostileChecker(t *testing.T, handler http.HandlerFunc) *upstream.Checker {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	gh, _, err := ghclient.New(ghclient.Options{BaseURL: srv.URL, MaxRetries: -1,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return upstream.New(upstream.Options{Client: gh})
}

// TestEndlessReleasePagesAreAnError has every page of releases link to a
// next one: the listing stops at the bound and says why.
func TestEndlessReleasePagesAreAnError(t *testing.T) {
	for _, next := range []string{"the next page", "the same page"} {
		t.Run(next, func(t *testing.T) {
			var requests atomic.Int64
			c := hostileChecker(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				if next == "the next page" {
					page++
				}
				w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=%d&per_page=100>; rel="next"`, r.Host, r.URL.Path, page))
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `[{"tag_name": "version/1.0.0", "html_url": "x"}]`)
			})
			_, err := c.Check(t.Context(), loadConfig(t, srcOnlyTOML), pinsAt(t, "1.0.0", false), upstream.CheckOptions{})
			if err == nil || !strings.Contains(err.Error(), "pages do not end") {
				t.Fatalf("Check = %v, want an error about endless pages", err)
			}
			if n := requests.Load(); n > 50 {
				t.Errorf("%d requests, want at most 50", n)
			}
		})
	}
}

// TestContentsAnswersThatAreNotTheFileAreRefused answers a raw contents
// request with 200 and an HTML page, or with the JSON object (base64 in
// it): neither is taken as the lock file.
func TestContentsAnswersThatAreNotTheFileAreRefused(t *testing.T) {
	bodies := map[string]struct{ contentType, body string }{
		"an HTML page":          {"text/html; charset=utf-8", "<!DOCTYPE html><html><body>Sign in to the proxy</body></html>"},
		"HTML without its type": {"text/plain", "  <html><head><title>Portal</title></head></html>"},
		"the contents API's JSON object": {"application/json; charset=utf-8",
			`{"type": "file", "encoding": "base64", "content": "bW9kdWxlIHgK", "name": "go.mod", "path": "go.mod", "sha": "x"}`},
	}
	for name, b := range bodies {
		t.Run(name, func(t *testing.T) {
			c := hostileChecker(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case strings.HasSuffix(r.URL.Path, "/releases"):
					fmt.Fprint(w, `[{"tag_name": "version/2026.2.2", "html_url": "x"}]`)
				case strings.Contains(r.URL.Path, "/contents/"):
					w.Header().Set("Content-Type", b.contentType)
					fmt.Fprint(w, b.body)
				default:
					http.NotFound(w, r)
				}
			})
			_, err := c.Check(t.Context(), loadConfig(t, authentikTOML), pinsAt(t, "2026.2.1", true), upstream.CheckOptions{})
			if err == nil || !strings.Contains(err.Error(), "not the file's bytes") {
				t.Fatalf("Check = %v, want the answer refused", err)
			}
		})
	}
}

// TestVersionThatIsNotOneNeverReachesGitHub asks for versions that would
// move the API path or carry a shell command: refused before any request.
func TestVersionThatIsNotOneNeverReachesGitHub(t *testing.T) {
	var requests atomic.Int64
	c := hostileChecker(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r)
	})
	for _, v := range []string{"1.0/../../../../orgs/x?y=", "2026.2.2;rm -rf ~", "2026.2.2\n"} {
		_, err := c.Check(t.Context(), loadConfig(t, srcOnlyTOML), pinsAt(t, "1.0.0", false), upstream.CheckOptions{Version: v})
		if err == nil || !strings.Contains(err.Error(), "is not a version") {
			t.Errorf("Check(--version %q) = %v, want it refused", v, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}
