package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCloneShallowSingleBranch(t *testing.T) {
	f := newFixture(t)
	f.pushFromOther(t, "main", "README.md", "second\n")
	f.pushFromOther(t, "other-branch", "x.txt", "x\n")
	dir := filepath.Join(t.TempDir(), "state", "clone")

	r, err := Clone(t.Context(), "file://"+f.remote, dir, Options{Base: "main"})
	if err != nil {
		t.Fatalf("Clone: %v", err)
	}
	if r.Dir() != dir {
		t.Errorf("Dir() = %s, want %s", r.Dir(), dir)
	}
	got := map[string]string{
		"shallow": runGit(t, dir, "rev-parse", "--is-shallow-repository"),
		"commits": runGit(t, dir, "rev-list", "--count", "HEAD"),
		"refs":    runGit(t, dir, "for-each-ref", "--format=%(refname)"),
		"head":    runGit(t, dir, "rev-parse", "HEAD"),
	}
	want := map[string]string{
		"shallow": "true",
		"commits": "1",
		"refs":    "refs/heads/main\nrefs/remotes/origin/main",
		"head":    f.remoteRev(t, "main"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("clone (-want +got):\n%s", diff)
	}

	// The next run reuses the clone and sees the new base in its work tree.
	f.pushFromOther(t, "main", "README.md", "third\n")
	if _, err := Clone(t.Context(), "file://"+f.remote, dir, Options{Base: "main"}); err != nil {
		t.Fatalf("Clone again: %v", err)
	}
	if got, want := runGit(t, dir, "rev-parse", "HEAD"), f.remoteRev(t, "main"); got != want {
		t.Errorf("reused clone at %s, want %s", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(b) != "third\n" {
		t.Errorf("reused clone's README.md = %q, want the new base's", b)
	}

	// And the bot can commit and push from it.
	const branch = "hashbot/authentik-2026.2.2"
	if _, err := resetBranch(t, r, branch, ""); err != nil {
		t.Fatal(err)
	}
	h := commitNewPins(t, r, branch)
	if err := r.Push(t.Context(), branch, ZeroHash); err != nil {
		t.Fatalf("Push from shallow clone: %v", err)
	}
	if got := f.remoteRev(t, branch); got != h.String() {
		t.Errorf("remote branch at %q, want %s", got, h)
	}
	runGit(t, f.remote, "fsck", "--no-progress")
}

func TestCloneRefusesOtherRepository(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(t.TempDir(), "clone")
	if _, err := Clone(t.Context(), "file://"+f.remote, dir, Options{}); err != nil {
		t.Fatal(err)
	}
	other := newFixture(t)
	if _, err := Clone(t.Context(), "file://"+other.remote, dir, Options{}); err == nil {
		t.Error("Clone into a clone of another repository succeeded")
	}
	notGit := t.TempDir()
	writeFile(t, filepath.Join(notGit, "precious.txt"), "keep\n")
	if _, err := Clone(t.Context(), "file://"+f.remote, notGit, Options{}); err == nil {
		t.Error("Clone into a non-empty directory succeeded")
	}
	if b, err := os.ReadFile(filepath.Join(notGit, "precious.txt")); err != nil || string(b) != "keep\n" {
		t.Errorf("precious.txt after a refused Clone = %q, %v", b, err)
	}
}

func TestOpenErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		dir  string
		opts Options
	}{
		{"not a repository", t.TempDir(), Options{}},
		{"no such remote", f.work, Options{RemoteName: "upstream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Open(t.Context(), tt.dir, tt.opts); err == nil {
				t.Fatal("Open succeeded")
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	f := newFixture(t)
	r := openFixture(t, f)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.RemoteBranchHash(ctx, "main"); !errors.Is(err, context.Canceled) {
		t.Errorf("RemoteBranchHash with a canceled context = %v, want context.Canceled", err)
	}
	if _, err := Clone(ctx, "file://"+f.remote, filepath.Join(t.TempDir(), "c"), Options{}); err == nil {
		t.Error("Clone with a canceled context succeeded")
	}
}
