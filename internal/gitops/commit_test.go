package gitops

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// openFixture opens the fixture's clone as the bot would.
func openFixture(t *testing.T, f fixture) *Repo {
	t.Helper()
	r, err := Open(t.Context(), f.work, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

func commitNewPins(t *testing.T, r *Repo, branch string) Hash {
	t.Helper()
	return commitNewPinsAs(t, r, branch, testAuthor)
}

// commitNewPinsAs is commitNewPins by author ("Name <email>").
func commitNewPinsAs(t *testing.T, r *Repo, branch, author string) Hash {
	t.Helper()
	a, err := ParseAuthor(author)
	if err != nil {
		t.Fatal(err)
	}
	h, err := r.CommitPins(t.Context(), PinsCommit{
		Branch: branch, Files: map[string][]byte{pinsPath: []byte(newPins)}, Author: a,
		Name: "authentik", OldVersion: "2026.2.1", NewVersion: "2026.2.2",
		Body: "- go-modules: sha256-3q2… -> sha256-ERER…\n- web: sha256-q83… -> sha256-IiIi…",
	})
	if err != nil {
		t.Fatalf("CommitPins: %v", err)
	}
	return h
}

func TestCommitPinsTouchesOnlyPinsAndLeavesWorkTreeAlone(t *testing.T) {
	f := newFixture(t)
	// A dirty working tree: an edit, a staged new file, an untracked file,
	// and an unstaged edit of the pins themselves.
	writeFile(t, filepath.Join(f.work, "README.md"), "local edit\n")
	writeFile(t, filepath.Join(f.work, "staged.txt"), "staged\n")
	runGit(t, f.work, "add", "staged.txt")
	writeFile(t, filepath.Join(f.work, "untracked.txt"), "x\n")
	writeFile(t, filepath.Join(f.work, pinsPath), "{\"local\": true}\n")
	before := workState(t, f.work)

	r := openFixture(t, f)
	const branch = "hashbot/authentik-2026.2.2"
	base, err := resetBranch(t, r, branch, "main")
	if err != nil {
		t.Fatalf("resetting the branch: %v", err)
	}
	h := commitNewPins(t, r, branch)

	if got := runGit(t, f.work, "rev-parse", branch); got != h.String() {
		t.Errorf("branch at %s, CommitPins returned %s", got, h)
	}
	if got := runGit(t, f.work, "rev-parse", branch+"^"); got != base.String() {
		t.Errorf("parent %s, want base %s", got, base)
	}
	if diff := cmp.Diff(pinsPath, runGit(t, f.work, "show", "--format=", "--name-only", branch)); diff != "" {
		t.Errorf("files in the commit (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(newPins, runGit(t, f.work, "show", branch+":"+pinsPath)+"\n"); diff != "" {
		t.Errorf("committed pins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, workState(t, f.work)); diff != "" {
		t.Errorf("working tree, index or HEAD changed (-before +after):\n%s", diff)
	}
	if b, _ := os.ReadFile(filepath.Join(f.work, pinsPath)); string(b) != "{\"local\": true}\n" {
		t.Errorf("working-tree pins overwritten: %q", b)
	}
	runGit(t, f.work, "fsck", "--strict", "--no-progress")
}

func TestCommitPinsMessageAndAuthor(t *testing.T) {
	f := newFixture(t)
	r, err := Open(t.Context(), f.work, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const branch = "hashbot/authentik-2026.2.2"
	if _, err := resetBranch(t, r, branch, "main"); err != nil {
		t.Fatal(err)
	}
	commitNewPinsAs(t, r, branch, "Pin Bot <pins@example.org>")
	got := runGit(t, f.work, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B", branch)
	want := "Pin Bot <pins@example.org>|Pin Bot <pins@example.org>|authentik: 2026.2.1 -> 2026.2.2\n\n" +
		"- go-modules: sha256-3q2… -> sha256-ERER…\n- web: sha256-q83… -> sha256-IiIi…"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("git log (-want +got):\n%s", diff)
	}
}

func TestCommitPinsRefusals(t *testing.T) {
	f := newFixture(t)
	r := openFixture(t, f)
	const branch = "hashbot/authentik-x"
	if _, err := resetBranch(t, r, branch, "main"); err != nil {
		t.Fatal(err)
	}
	tip := runGit(t, f.work, "rev-parse", branch)
	tests := []struct {
		name    string
		content string
		want    error
	}{
		{"unchanged content", oldPins, ErrNoChange},
	}
	if _, err := r.CommitPins(t.Context(), PinsCommit{Branch: branch, Files: map[string][]byte{pinsPath: []byte(newPins)}, Name: "authentik"}); err == nil {
		t.Error("CommitPins without an author succeeded")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.CommitPins(t.Context(), PinsCommit{Branch: branch, Files: map[string][]byte{pinsPath: []byte(tt.content)}, Name: "authentik",
				Author: Author{"hashbot", "hashbot@localhost"}})
			if !errors.Is(err, tt.want) {
				t.Fatalf("CommitPins = %v, want %v", err, tt.want)
			}
		})
	}
	for _, p := range []string{"", "/nix/sources.json", "../x.json", "nix/../README.md", ".git/config", "missing.json", "nix"} {
		t.Run("path "+p, func(t *testing.T) {
			_, err := r.CommitPins(t.Context(), PinsCommit{Branch: branch, Files: map[string][]byte{p: []byte(newPins)}, Name: "authentik",
				Author: Author{"hashbot", "hashbot@localhost"}})
			if err == nil {
				t.Fatalf("CommitPins(path %q) succeeded", p)
			}
		})
	}
	if got := runGit(t, f.work, "rev-parse", branch); got != tip {
		t.Errorf("refused commits moved the branch from %s to %s", tip, got)
	}
}

func TestSetBranchFromAFreshBase(t *testing.T) {
	f := newFixture(t)
	r := openFixture(t, f)
	const branch = "hashbot/authentik-2026.2.2"
	if _, err := resetBranch(t, r, branch, "main"); err != nil {
		t.Fatal(err)
	}
	commitNewPins(t, r, branch)
	localMain := runGit(t, f.work, "rev-parse", "main")

	// Upstream main moves on; the bot's branch must restart from it.
	newBase := f.pushFromOther(t, "main", "README.md", "moved on\n")
	got, err := resetBranch(t, r, branch, "") // "" = the remote's HEAD branch
	if err != nil {
		t.Fatalf("resetting the branch: %v", err)
	}
	if got.String() != newBase {
		t.Errorf("the branch was reset to %s, want the fresh base %s", got, newBase)
	}
	if rev := runGit(t, f.work, "rev-parse", branch); rev != newBase {
		t.Errorf("branch at %s, want %s", rev, newBase)
	}
	if rev := runGit(t, f.work, "rev-parse", "main"); rev != localMain {
		t.Errorf("local main moved from %s to %s", localMain, rev)
	}
}

func TestSetBranchRefusesTheCheckedOutBranch(t *testing.T) {
	f := newFixture(t)
	r := openFixture(t, f)
	runGit(t, f.work, "checkout", "-q", "-b", "hashbot/authentik-1")
	if _, err := resetBranch(t, r, "hashbot/authentik-1", "main"); !errors.Is(err, ErrBranchCheckedOut) {
		t.Fatalf("SetBranch = %v, want ErrBranchCheckedOut", err)
	}
}

// workState is what the user sees of a clone: status, index and HEAD.
func workState(t *testing.T, dir string) map[string]string {
	t.Helper()
	return map[string]string{
		"status": runGit(t, dir, "status", "--porcelain"),
		"index":  runGit(t, dir, "ls-files", "--stage"),
		"HEAD":   runGit(t, dir, "symbolic-ref", "HEAD"),
	}
}

// TestCommitPinsCommitsEveryChangedFileOfThePins commits a layout of two
// files (the pins and a Nix file with an inline hash) in one commit, and
// leaves out a file given unchanged.
func TestCommitPinsCommitsEveryChangedFileOfThePins(t *testing.T) {
	f := newFixture(t)
	r := openFixture(t, f)
	const branch = "hashbot/authentik-2026.2.2"
	if _, err := resetBranch(t, r, branch, "main"); err != nil {
		t.Fatal(err)
	}
	_, err := r.CommitPins(t.Context(), PinsCommit{
		Branch: branch, Name: "authentik", Author: Author{"hashbot", "hashbot@localhost"},
		Files: map[string][]byte{pinsPath: []byte(newPins), "nix/default.nix": []byte("{ vendorHash = \"sha256-x\"; }\n"),
			"README.md": []byte("packaging\n")},
	})
	if err != nil {
		t.Fatalf("CommitPins: %v", err)
	}
	if diff := cmp.Diff("nix/default.nix\n"+pinsPath, runGit(t, f.work, "show", "--format=", "--name-only", branch)); diff != "" {
		t.Errorf("files in the commit (-want +got):\n%s", diff)
	}
	runGit(t, f.work, "fsck", "--strict", "--no-progress")
}
