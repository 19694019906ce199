package ghfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pulls"
)

const pkgRepo = "hashbot-nix/authentik-nix"

func client(t *testing.T, srv *ghfake.Server) *github.Client {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken("test-token")
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = base
	return c
}

// do sends a raw request with a token and returns the status and body.
func do(t *testing.T, srv *ghfake.Server, method, path, body string, auth bool) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer test-token")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var ignoreTimes = cmpopts.IgnoreFields(ghfake.PullRequest{}, "Created", "Updated", "Closed")

// TestPublishAgainstTheFake runs hashbot's own pull-request manager against
// the fake: open, republish (no write), supersede.
func TestPublishAgainstTheFake(t *testing.T) {
	srv := ghfake.New(t)
	srv.AddRepo(pkgRepo, "trunk")
	m, err := pulls.New(pulls.Options{Client: client(t, srv), Owner: "hashbot-nix", Repo: "authentik-nix",
		BranchPrefix: "hashbot/", Labels: []string{"dependencies", "nix"}})
	if err != nil {
		t.Fatal(err)
	}
	one := pulls.RenderBody(pulls.BodyData{UpstreamRepo: "goauthentik/authentik", NewVersion: "2026.2.1"})
	two := pulls.RenderBody(pulls.BodyData{UpstreamRepo: "goauthentik/authentik", NewVersion: "2026.2.2"})
	req := pulls.Request{Branch: "hashbot/authentik-2026.2.1", Title: "authentik: 2026.1.0 -> 2026.2.1", Body: one,
		UpstreamRepo: "goauthentik/authentik", Version: "2026.2.1"}
	out, err := m.Publish(t.Context(), req)
	if err != nil || !out.Created || out.Number != 1 || !strings.HasSuffix(out.URL, "/"+pkgRepo+"/pull/1") {
		t.Fatalf("first publish: %+v, %v", out, err)
	}
	srv.ResetRequests()
	if out, err = m.Publish(t.Context(), req); err != nil || out.Created || out.Number != 1 {
		t.Fatalf("second publish: %+v, %v", out, err)
	}
	if w := srv.Writes(); len(w) != 0 {
		t.Errorf("republishing the same pull request wrote %+v", w)
	}
	newer := pulls.Request{Branch: "hashbot/authentik-2026.2.2", Title: "authentik: 2026.1.0 -> 2026.2.2", Body: two,
		UpstreamRepo: "goauthentik/authentik", Version: "2026.2.2"}
	if out, err = m.Publish(t.Context(), newer); err != nil || out.Number != 2 || !cmp.Equal(out.Superseded, []int{1}) {
		t.Fatalf("newer publish: %+v, %v", out, err)
	}
	want := []ghfake.PullRequest{
		{Number: 1, State: "closed", Head: "hashbot/authentik-2026.2.1", HeadOwner: "hashbot-nix", Base: "trunk",
			Title: req.Title, Body: one, Labels: []string{"dependencies", "nix"}, Comments: []string{"Superseded by #2."}},
		{Number: 2, State: "open", Head: "hashbot/authentik-2026.2.2", HeadOwner: "hashbot-nix", Base: "trunk",
			Title: newer.Title, Body: two, Labels: []string{"dependencies", "nix"}},
	}
	if diff := cmp.Diff(want, srv.PullRequests(pkgRepo), ignoreTimes, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("pull requests (-want +got):\n%s", diff)
	}
}

func TestPullEndpointsAnswerLikeGitHub(t *testing.T) {
	srv := ghfake.New(t)
	srv.AddRepo(pkgRepo, "")
	srv.AddPullRequest(pkgRepo, ghfake.PullRequest{Head: "hashbot/authentik-1", Title: "one"})
	srv.AddPullRequest(pkgRepo, ghfake.PullRequest{Head: "feature", HeadOwner: "someone", Title: "fork"})
	srv.AddPullRequest(pkgRepo, ghfake.PullRequest{Head: "old", Title: "closed", State: "closed"})
	tests := []struct {
		name, method, path, body string
		noAuth                   bool
		wantStatus               int
		want                     []string // substrings of the answer
	}{
		{"repository", "GET", "repos/" + pkgRepo, "", false, 200, []string{`"default_branch":"main"`, `"full_name":"` + pkgRepo + `"`}},
		{"unknown repository", "GET", "repos/nobody/nothing", "", false, 404, []string{`"message":"Not Found"`}},
		{"list by head", "GET", "repos/" + pkgRepo + "/pulls?head=someone:feature", "", false, 200, []string{`"number":2`}},
		{"a head without owner lists all open", "GET", "repos/" + pkgRepo + "/pulls?head=feature", "", false, 200, []string{`"number":1`, `"number":2`}},
		{"closed ones", "GET", "repos/" + pkgRepo + "/pulls?state=closed", "", false, 200, []string{`"number":3`}},
		{"duplicate head", "POST", "repos/" + pkgRepo + "/pulls", `{"title":"t","head":"hashbot/authentik-1","base":"main"}`, false, 422,
			[]string{`"message":"Validation Failed"`, `"code":"custom"`, `"message":"A pull request already exists for hashbot-nix:hashbot/authentik-1."`}},
		{"missing title", "POST", "repos/" + pkgRepo + "/pulls", `{"head":"x","base":"main"}`, false, 422, []string{`"field":"title","code":"missing_field"`}},
		{"not JSON", "POST", "repos/" + pkgRepo + "/pulls", `{`, false, 400, []string{"Problems parsing JSON"}},
		{"no token", "POST", "repos/" + pkgRepo + "/pulls", `{}`, true, 401, []string{"Requires authentication"}},
		{"create", "POST", "repos/" + pkgRepo + "/pulls", `{"title":"t","head":"b","base":"main","body":"x"}`, false, 201,
			[]string{`"number":4`, `"state":"open"`, `"label":"hashbot-nix:b"`}},
		{"close", "PATCH", "repos/" + pkgRepo + "/pulls/1", `{"state":"closed"}`, false, 200, []string{`"state":"closed"`, `"closed_at":"`}},
		{"bad state", "PATCH", "repos/" + pkgRepo + "/pulls/1", `{"state":"merged"}`, false, 422, []string{`"field":"state"`}},
		{"labels", "POST", "repos/" + pkgRepo + "/issues/2/labels", `{"labels":["nix","nix"]}`, false, 200, []string{`"name":"nix"`}},
		{"comment", "POST", "repos/" + pkgRepo + "/issues/2/comments", `{"body":"hi"}`, false, 201, []string{`"body":"hi"`}},
		{"comment on nothing", "POST", "repos/" + pkgRepo + "/issues/99/comments", `{"body":"hi"}`, false, 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, srv, tt.method, tt.path, tt.body, !tt.noAuth)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("answer lacks %s:\n%s", w, body)
				}
			}
			if !json.Valid([]byte(body)) {
				t.Errorf("answer is not JSON: %s", body)
			}
		})
	}
	pr, _ := srv.PullRequest(pkgRepo, 2)
	if !cmp.Equal(pr.Labels, []string{"nix"}) || !cmp.Equal(pr.Comments, []string{"hi"}) {
		t.Errorf("PR 2 = %+v", pr)
	}
}

func TestAddDirServesEveryFile(t *testing.T) {
	dir := t.TempDir()
	for p, content := range map[string]string{"go.mod": "module x\n", "web/package.json": "{}\n", ".git/HEAD": "ref\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644)
	}
	srv, err := ghfake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.AddDir("o/up", "v1", dir); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"web/package.json": 200, "go.mod": 200, ".git/HEAD": 404} {
		if status, body := do(t, srv, "GET", "repos/o/up/contents/"+path+"?ref=v1", "", false); status != want {
			t.Errorf("%s: status %d, want %d: %s", path, status, want, body)
		}
	}
}
