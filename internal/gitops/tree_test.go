package gitops

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// TestBaseTreeIsReadFromTheFetchedCommit has the remote's main move on
// (a new file, an executable, a symbolic link) while the clone's working
// tree stays behind: CommitFile and WriteTree give the fetched base, not
// the working tree.
func TestBaseTreeIsReadFromTheFetchedCommit(t *testing.T) {
	f := newFixture(t)
	other := filepath.Join(t.TempDir(), "other")
	runGit(t, f.root, "clone", "-q", f.remote, other)
	writeFile(t, filepath.Join(other, pinsPath), newPins)
	writeFile(t, filepath.Join(other, "bin", "tool"), "#!/bin/sh\n")
	os.Chmod(filepath.Join(other, "bin", "tool"), 0o755)
	os.Symlink("default.nix", filepath.Join(other, "nix", "link.nix"))
	runGit(t, other, "add", ".")
	runGit(t, other, "commit", "-q", "-m", "moved on")
	runGit(t, other, "push", "-q", "origin", "main")

	r := openFixture(t, f)
	_, base, err := r.FetchBase(t.Context(), "main")
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.CommitFile(base, pinsPath)
	if err != nil || string(got) != newPins {
		t.Errorf("CommitFile(%s) = %q, %v; want the base's pins", pinsPath, got, err)
	}
	if _, err := r.CommitFile(base, "nope.json"); !errors.Is(err, ErrNoFile) {
		t.Errorf("CommitFile(missing) = %v, want ErrNoFile", err)
	}
	dir := filepath.Join(t.TempDir(), "tree")
	if err := r.WriteTree(t.Context(), base, dir); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, _ := os.Lstat(p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			files[rel] = "-> " + target
		case fi.Mode().Perm()&0o100 != 0:
			files[rel] = "executable"
		default:
			data, _ := os.ReadFile(p)
			files[rel] = string(data)
		}
		return nil
	})
	want := map[string]string{
		pinsPath: newPins, "README.md": "packaging\n", "nix/default.nix": "{ }\n",
		"bin/tool": "executable", "nix/link.nix": "-> default.nix",
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("written tree (-want +got):\n%s", diff)
	}
	if data, _ := os.ReadFile(filepath.Join(f.work, pinsPath)); string(data) != oldPins {
		t.Error("the working tree changed")
	}
}

// TestSetBranchStartsFromTheGivenCommit points a branch at the fetched
// base without fetching again, and refuses the branch checked out.
func TestSetBranchStartsFromTheGivenCommit(t *testing.T) {
	f := newFixture(t)
	r := openFixture(t, f)
	_, base, err := r.FetchBase(t.Context(), "main")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SetBranch("hashbot/x-1", base); err != nil {
		t.Fatal(err)
	}
	if got := runGit(t, f.work, "rev-parse", "hashbot/x-1"); got != base.String() {
		t.Errorf("branch at %s, want %s", got, base)
	}
	if err := r.SetBranch("main", base); !errors.Is(err, ErrBranchCheckedOut) {
		t.Errorf("SetBranch(main) = %v, want ErrBranchCheckedOut", err)
	}
}

// TestCommitFileRefusesAFileLargerThanHashbotReads checks that a base's
// pins file past safefile.MaxRepoFile is an error naming it, not read.
func TestCommitFileRefusesAFileLargerThanHashbotReads(t *testing.T) {
	f := newFixture(t)
	other := filepath.Join(t.TempDir(), "other")
	runGit(t, f.root, "clone", "-q", f.remote, other)
	writeFile(t, filepath.Join(other, "nix", "yarn.nix"), strings.Repeat("#\n", safefile.MaxRepoFile/2+1))
	runGit(t, other, "add", ".")
	runGit(t, other, "commit", "-q", "-m", "a large file")
	runGit(t, other, "push", "-q", "origin", "main")

	r := openFixture(t, f)
	_, base, err := r.FetchBase(t.Context(), "main")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CommitFile(base, "nix/yarn.nix"); err == nil || !strings.Contains(err.Error(), "nix/yarn.nix") ||
		!strings.Contains(err.Error(), "more than") {
		t.Errorf("CommitFile = %v; want an error naming nix/yarn.nix as too large", err)
	}
}
