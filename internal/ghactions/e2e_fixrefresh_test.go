package ghactions_test

import (
	"maps"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestReusableWorkflowRefreshesAPullRequestHashbotFixed runs the reusable
// workflow's fix-refresh job (fix: refresh, a push caller of the base
// branch, the App's token) after another bump of go.sum landed on main
// under a pull request that carries hashbot's fix of vendor: GitHub is
// asked to merge main into it. The repository and the commits are
// fix_base_moved.txtar's, hashbot's own script of the command. No Nix:
// the job reads git data only.
func TestReusableWorkflowRefreshesAPullRequestHashbotFixed(t *testing.T) {
	testutil.RequireGit(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not installed (the action builds hashbot)")
	}
	root := repoRoot(t)
	work := t.TempDir()
	files, remote := callerFromScript(t, root, work, "fix_base_moved.txtar", nil)
	pr := filepath.Join(work, "pr")
	git(t, "", "clone", "-q", remote, pr)
	git(t, pr, "checkout", "-q", "-b", "bump-f")
	writeFile(t, filepath.Join(pr, "go.sum"), files["go.sum.f"])
	git(t, pr, "commit", "-q", "-am", "Bump f")
	writeFile(t, filepath.Join(pr, "default.nix"), files["default.nix.fixed"])
	git(t, pr, "commit", "-q", "-am", "hashbot: update FOD hashes for vendor", "--author", "hashbot <hashbot@localhost>")
	git(t, pr, "push", "-q", "origin", "bump-f")
	head := git(t, pr, "rev-parse", "HEAD")
	landed := filepath.Join(work, "landed")
	git(t, "", "clone", "-q", remote, landed)
	writeFile(t, filepath.Join(landed, "go.sum"), files["go.sum.a"])
	git(t, landed, "commit", "-q", "-am", "Bump a")
	git(t, landed, "push", "-q", "origin", "main")

	srv := ghfake.New(t)
	srv.AddRepo("me/app", "main")
	srv.ServeGit("me/app", remote)
	srv.AddPullRequest("me/app", ghfake.PullRequest{Number: 1, Head: "bump-f", HeadSHA: head, User: "dependabot[bot]"})

	r, wf, in := newWorkflowRunner(t, root, remote, work, srv.URL)
	maps.Copy(in, map[string]any{"fix": "refresh", "app-id": "4242"})
	j := r.newJob("fix-refresh")
	c := ctx{
		"inputs":  in,
		"needs":   map[string]any{},
		"secrets": map[string]any{"app-private-key": "-----BEGIN RSA PRIVATE KEY-----"},
		"github": map[string]any{"token": "test-token", "repository": "me/app", "run_id": "8", "run_attempt": "1",
			"event": map[string]any{"ref": "refs/heads/main"}},
		"runner": map[string]any{"temp": j.temp, "os": "Linux", "arch": "X64"},
		"job":    map[string]any{"workflow_repository": e2eWorkflowRepository, "workflow_sha": e2eWorkflowSHA},
	}
	for name, job := range wf.Jobs {
		if ran := r.cond(job.If, c); ran != (name == "fix-refresh") {
			t.Fatalf("with fix: refresh, job %s runs: %v (if %s)", name, ran, job.If)
		}
	}
	r.runSteps(j, wf.Jobs["fix-refresh"].Steps, c, maps.Clone(wf.Env))

	updates := srv.BranchUpdates("me/app")
	if len(updates) != 1 || updates[0].PullRequest != 1 || updates[0].Expected != head {
		t.Fatalf("branch updates %+v, want #1's, expecting its head %s", updates, head)
	}
	if got, want := git(t, remote, "log", "-1", "--format=%P", "bump-f"), head+" "+git(t, remote, "rev-parse", "main"); got != want {
		t.Errorf("bump-f's parents %q, want the head and main %q", got, want)
	}
}
