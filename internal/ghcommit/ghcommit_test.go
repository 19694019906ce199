package ghcommit_test

import (
	"errors"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/ghcommit"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestCommitLandsOnTheBranchOrRefusesAMovedOne: the commit starts from
// the base whatever the branch held; a branch someone moved between the
// caller's look and the commit is refused, not overwritten.
func TestCommitLandsOnTheBranchOrRefusesAMovedOne(t *testing.T) {
	testutil.RequireGit(t)
	root := t.TempDir()
	bare, work := filepath.Join(root, "remote.git"), filepath.Join(root, "work")
	git(t, root, "init", "-q", "--bare", "-b", "main", bare)
	git(t, root, "init", "-q", "-b", "main", work)
	git(t, work, "commit", "-q", "--allow-empty", "-m", "base")
	git(t, work, "push", "-q", bare, "main")
	base := git(t, work, "rev-parse", "HEAD")
	git(t, work, "commit", "-q", "--allow-empty", "-m", "someone's")
	git(t, work, "push", "-q", bare, "HEAD:refs/heads/other")
	theirs := git(t, work, "rev-parse", "HEAD")

	srv := ghfake.New(t)
	srv.AddRepo("me/app-nix", "main")
	srv.ServeGit("me/app-nix", bare)
	c := github.NewClient(nil).WithAuthToken("test-token")
	c.BaseURL, _ = url.Parse(srv.URL)
	committer, err := ghcommit.New(c, "me", "app-nix")
	if err != nil {
		t.Fatal(err)
	}
	req := ghcommit.Request{Branch: "hashbot/app-1.0.0", Base: base, Files: map[string][]byte{"nix/sources.json": []byte("{}\n")}, Headline: "app: init at 1.0.0"}
	first, err := committer.Commit(t.Context(), req)
	if err != nil {
		t.Fatalf("Commit on a new branch: %v", err)
	}
	if got := git(t, bare, "log", "-1", "--format=%P %s", "hashbot/app-1.0.0"); got != base+" app: init at 1.0.0" {
		t.Errorf("the branch's commit: %q, want one on the base", got)
	}
	// hashbot's branch on an older commit of its own: started again.
	req.Seen = first
	if _, err := committer.Commit(t.Context(), req); err != nil {
		t.Fatalf("Commit over hashbot's own branch: %v", err)
	}
	// A branch created by someone else meanwhile: refused.
	req.Branch, req.Seen = "other", ""
	var moved *ghcommit.MovedError
	if _, err := committer.Commit(t.Context(), req); !errors.As(err, &moved) {
		t.Errorf("Commit on a branch created meanwhile = %v, want a *MovedError", err)
	}
	// A branch the caller saw at the base, moved since: GitHub refuses the
	// commit (expectedHeadOid).
	req.Seen = base
	if _, err := committer.Commit(t.Context(), req); !errors.As(err, &moved) || !strings.Contains(err.Error(), "Expected branch to point to") {
		t.Errorf("Commit on a branch that moved = %v, want a *MovedError from GitHub", err)
	}
	if got := git(t, bare, "rev-parse", "other"); got != theirs {
		t.Errorf("the other branch is at %s, want theirs %s", got, theirs)
	}
}
