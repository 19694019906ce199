package ghfake_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

// gitIn runs git in dir and returns its trimmed output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newUpdateFixture is a bare remote with main and a branch bump that
// changes b.txt, main then moved on by a change of mainFile; pull request
// #1 is bump's, served from the remote.
func newUpdateFixture(t *testing.T, mainFile string) (srv *ghfake.Server, remote, head string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	remote, work := filepath.Join(root, "remote.git"), filepath.Join(root, "work")
	gitIn(t, root, "init", "-q", "--bare", "-b", "main", remote)
	gitIn(t, root, "clone", "-q", remote, work)
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "a\n")
	write("b.txt", "b\n")
	gitIn(t, work, "add", ".")
	gitIn(t, work, "commit", "-q", "-m", "init")
	gitIn(t, work, "push", "-q", "origin", "main")
	gitIn(t, work, "checkout", "-q", "-b", "bump")
	write("b.txt", "b2\n")
	gitIn(t, work, "commit", "-q", "-am", "bump")
	gitIn(t, work, "push", "-q", "origin", "bump")
	head = gitIn(t, work, "rev-parse", "HEAD")
	gitIn(t, work, "checkout", "-q", "main")
	write(mainFile, "moved\n")
	gitIn(t, work, "commit", "-q", "-am", "main moves")
	gitIn(t, work, "push", "-q", "origin", "main")

	srv = ghfake.New(t)
	srv.AddRepo(pkgRepo, "main")
	srv.ServeGit(pkgRepo, remote)
	srv.AddPullRequest(pkgRepo, ghfake.PullRequest{Number: 1, Head: "bump", HeadSHA: head})
	return srv, remote, head
}

func TestUpdateBranchAnswersAsGitHubDocumentsIt(t *testing.T) {
	tests := []struct {
		name     string
		mainFile string // what main changes after bump branched
		body     func(head string) string
		auth     bool
		want     int
		wantMsg  string
		// merged: the branch holds a merge of main, and the pull request's head is it.
		merged bool
	}{
		{"the head expected: merged in the background, 202", "a.txt", func(h string) string { return `{"expected_head_sha":"` + h + `"}` }, true, 202, "Updating pull request branch.", true},
		{"no expected head: merged all the same", "a.txt", func(string) string { return `{}` }, true, 202, "Updating pull request branch.", true},
		{"another head expected: 422, nothing merged", "a.txt", func(string) string { return `{"expected_head_sha":"` + strings.Repeat("0", 40) + `"}` }, true, 422, "expected head sha didn't match current head ref.", false},
		{"a conflict: 422, nothing merged", "b.txt", func(h string) string { return `{"expected_head_sha":"` + h + `"}` }, true, 422, "merge conflict between base and head", false},
		{"no token: 401", "a.txt", func(string) string { return `{}` }, false, 401, "Requires authentication", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, remote, head := newUpdateFixture(t, tt.mainFile)
			status, body := do(t, srv, "PUT", "/repos/"+pkgRepo+"/pulls/1/update-branch", tt.body(head), tt.auth)
			var answer struct{ Message, URL string }
			if err := json.Unmarshal([]byte(body), &answer); err != nil {
				t.Fatalf("answer %q: %v", body, err)
			}
			if status != tt.want || answer.Message != tt.wantMsg {
				t.Fatalf("update-branch = %d %q, want %d %q", status, answer.Message, tt.want, tt.wantMsg)
			}
			tip := gitIn(t, remote, "rev-parse", "bump")
			pr, _ := srv.PullRequest(pkgRepo, 1)
			if !tt.merged {
				if tip != head || pr.HeadSHA != head || len(srv.BranchUpdates(pkgRepo)) != 0 {
					t.Errorf("bump is at %s, the pull request's head %s, updates %v; want all at %s", tip, pr.HeadSHA, srv.BranchUpdates(pkgRepo), head)
				}
				return
			}
			parents := gitIn(t, remote, "log", "-1", "--format=%P", "bump")
			if want := head + " " + gitIn(t, remote, "rev-parse", "main"); parents != want || pr.HeadSHA != tip {
				t.Errorf("bump's parents %q (want %q), the pull request's head %s (want %s)", parents, want, pr.HeadSHA, tip)
			}
			if !strings.HasSuffix(answer.URL, "/repos/"+pkgRepo+"/pulls/1") {
				t.Errorf("url %q", answer.URL)
			}
		})
	}
}
