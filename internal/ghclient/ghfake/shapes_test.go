package ghfake_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

// shape lists the JSON paths of v ("head.repo.full_name", "labels[].name")
// with the JSON type at each.
func shape(prefix string, v any, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			shape(p, x, out)
		}
		out[prefix] = "object"
	case []any:
		for _, x := range v {
			shape(prefix+"[]", x, out)
		}
		out[prefix] = "array"
	case string:
		out[prefix] = "string"
	case float64:
		out[prefix] = "number"
	case bool:
		out[prefix] = "boolean"
	case nil:
		out[prefix] = "null"
	}
}

// TestAnswersHaveGitHubsShape fetches each endpoint hashbot uses from the
// fake and checks that every field of GitHub's documented answer
// (testdata/github) is there, with the same JSON type (null standing in
// for any type, as GitHub's nullable fields do).
func TestAnswersHaveGitHubsShape(t *testing.T) {
	srv := ghfake.New(t)
	const repo = "octocat/hello-world"
	srv.AddRepo(repo, "master")
	srv.SetFile(repo, "v1.0.0", "README.md", []byte("hello\n"))
	srv.AddRelease(repo, ghfake.Release{Tag: "v1.0.0"})
	srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-abcd-1234-efgh", CVEID: "CVE-2050-00000", Severity: "critical",
		Summary: "A short summary of the advisory.", Vulnerabilities: []ghfake.Vulnerability{
			{Ecosystem: "pip", Package: "a-package", Range: ">= 1.0.0, < 1.0.1", Patched: "1.0.1"}}})
	srv.SetBranch(repo, "master", "7fd1a60b01f91b314f59955a4e4d4e80d8edf11d")
	n := srv.AddPullRequest(repo, ghfake.PullRequest{Head: "new-topic", Title: "Amazing new feature", Body: "x", Labels: []string{"bug"}})
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv.AddApp(ghfake.App{ID: 7, PublicKey: &key.PublicKey, Installation: 9, Repos: []string{repo}})
	apps := ghinstallation.NewAppsTransportFromPrivateKey(http.DefaultTransport, 7, key)
	// A bare repository with one commit, behind the git refs endpoint.
	bare, work := t.TempDir(), t.TempDir()
	commit := ""
	for _, args := range [][]string{{"init", "-q", "--bare", bare}, {"-C", work, "init", "-q"},
		{"-C", work, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "--allow-empty", "-m", "x"},
		{"-C", work, "push", "-q", bare, "HEAD:refs/heads/master"}, {"-C", work, "rev-parse", "HEAD"}} {
		out, err := exec.Command("git", args...).CombinedOutput()
		if err != nil {
			t.Skipf("git %v: %v %s", args, err, out)
		}
		commit = strings.TrimSpace(string(out))
	}
	srv.ServeGit(repo, bare)
	_, pull := do(t, srv, "GET", fmt.Sprintf("repos/%s/pulls/%d", repo, n), "", true)
	var pr struct {
		NodeID string `json:"node_id"`
	}
	if err := json.Unmarshal([]byte(pull), &pr); err != nil || pr.NodeID == "" {
		t.Fatalf("no node_id in %s", pull)
	}
	mutation := func(name, args string) string {
		return fmt.Sprintf(`{"query": "mutation($id: ID!, $method: PullRequestMergeMethod!) { %s(input: {pullRequestId: $id%s}) { pullRequest { isDraft } } }", "variables": {"id": %q, "method": "SQUASH"}}`,
			name, args, pr.NodeID)
	}
	tests := []struct {
		fixture, method, path, body string
		app                         bool // authenticate with the App's JWT
	}{
		{"repository.json", "GET", "repos/" + repo, "", false},
		{"releases.json", "GET", "repos/" + repo + "/releases", "", false},
		{"release.json", "GET", "repos/" + repo + "/releases/tags/v1.0.0", "", false},
		{"security_advisories.json", "GET", "repos/" + repo + "/security-advisories?state=published", "", false},
		{"branch.json", "GET", "repos/" + repo + "/branches/master", "", false},
		{"contents.json", "GET", "repos/" + repo + "/contents/README.md?ref=v1.0.0", "", false},
		{"pulls.json", "GET", "repos/" + repo + "/pulls", "", false},
		{"pull.json", "GET", fmt.Sprintf("repos/%s/pulls/%d", repo, n), "", false},
		{"labels.json", "POST", fmt.Sprintf("repos/%s/issues/%d/labels", repo, n), `{"labels": ["nix"]}`, false},
		{"label_removed.json", "DELETE", fmt.Sprintf("repos/%s/issues/%d/labels/nix", repo, n), "", false},
		{"graphql_convert_to_draft.json", "POST", "graphql", mutation("convertPullRequestToDraft", ""), false},
		{"graphql_mark_ready.json", "POST", "graphql", mutation("markPullRequestReadyForReview", ""), false},
		{"graphql_enable_auto_merge.json", "POST", "graphql", mutation("enablePullRequestAutoMerge", ", mergeMethod: $method"), false},
		{"pull_auto_merge.json", "GET", fmt.Sprintf("repos/%s/pulls/%d", repo, n), "", false},
		{"graphql_disable_auto_merge.json", "POST", "graphql", mutation("disablePullRequestAutoMerge", ""), false},
		{"comment.json", "POST", fmt.Sprintf("repos/%s/issues/%d/comments", repo, n), `{"body": "Superseded by #2."}`, false},
		{"ref.json", "POST", "repos/" + repo + "/git/refs", `{"ref": "refs/heads/featureA", "sha": "` + commit + `"}`, false},
		{"installation.json", "GET", "repos/" + repo + "/installation", "", true},
		{"access_token.json", "POST", "app/installations/9/access_tokens", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			want := map[string]string{}
			raw, err := os.ReadFile(filepath.Join("testdata", "github", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("%s: %v", tt.fixture, err)
			}
			shape("", doc, want)
			var status int
			var body string
			if tt.app {
				status, body = doWith(t, apps, srv.URL+tt.path, tt.method)
			} else {
				status, body = do(t, srv, tt.method, tt.path, tt.body, true)
			}
			if status >= 300 {
				t.Fatalf("%s %s: %d %s", tt.method, tt.path, status, body)
			}
			var fake any
			if err := json.Unmarshal([]byte(body), &fake); err != nil {
				t.Fatalf("the fake's answer is not JSON: %s", body)
			}
			got := map[string]string{}
			shape("", fake, got)
			var missing []string
			for p, typ := range want {
				g, ok := got[p]
				if !ok && emptyArrayAbove(p, got) {
					continue // GitHub's example has an element, the fake's answer none
				}
				switch {
				case !ok:
					missing = append(missing, p+" (missing)")
				case g != typ && g != "null" && typ != "null":
					missing = append(missing, fmt.Sprintf("%s (%s, GitHub: %s)", p, g, typ))
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s %s lacks GitHub's fields:\n  %s", tt.method, tt.path, strings.Join(missing, "\n  "))
			}
		})
	}
}

// doWith sends a request through rt (the App's JWT transport).
func doWith(t *testing.T, rt http.RoundTripper, url, method string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// emptyArrayAbove says whether path lies inside an array the answer has
// but holds nothing in.
func emptyArrayAbove(path string, got map[string]string) bool {
	for i := strings.Index(path, "[]"); i >= 0; {
		if got[path[:i]] == "array" && got[path[:i+2]] == "" {
			return true
		}
		j := strings.Index(path[i+2:], "[]")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}
