package runlock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newRepo makes a directory with a .git directory, as a clone has, and
// keeps the user cache directory of the fallback inside the test.
func newRepo(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSecondAcquireNamesTheHolder(t *testing.T) {
	repo := newRepo(t)
	first, err := Acquire(repo, "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(repo, "hashbot update")
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire = %v; want *HeldError", err)
	}
	if held.Holder.PID != os.Getpid() || held.Holder.Command != "hashbot run" || !strings.Contains(err.Error(), "hashbot run") {
		t.Errorf("holder = %+v, err = %v", held.Holder, err)
	}
	other, err := Acquire(newRepo(t), "hashbot run")
	if err != nil {
		t.Fatalf("a lock on another repo was refused: %v", err)
	}
	other.Release()
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := Acquire(repo, "hashbot run")
	if err != nil {
		t.Fatalf("Acquire after Release = %v", err)
	}
	again.Release()
}

// TestOneLockPerRepositoryWhateverThePath reaches one repository through a
// symbolic link, through a subdirectory's parent path with "..", and as a
// worktree-style .git file pointing at the same git directory: every way
// meets the one lock.
func TestOneLockPerRepositoryWhateverThePath(t *testing.T) {
	repo := newRepo(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(repo, link); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(repo, "nix"), 0o755)
	held, err := Acquire(repo, "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	for _, path := range []string{link, filepath.Join(repo, "nix", "..")} {
		if _, err := Acquire(path, "hashbot serve"); !errors.As(err, new(*HeldError)) {
			t.Errorf("Acquire(%s) = %v, want the lock held", path, err)
		}
	}
	if !strings.HasPrefix(held.fl.Path(), filepath.Join(repo, ".git", "hashbot")) {
		t.Errorf("lock at %s, want it in the repository's git directory", held.fl.Path())
	}
}

// TestLockOutsideGitIsInTheUserCache checks the lock of a directory that is
// not a git work tree: it lives in the user's cache directory, the same for
// every run, not in a --state-dir a run chose.
func TestLockOutsideGitIsInTheUserCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir := t.TempDir()
	l, err := Acquire(dir, "hashbot update")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if !strings.HasPrefix(l.fl.Path(), filepath.Join(cache, "hashbot", "locks")) {
		t.Errorf("lock at %s, want it under %s", l.fl.Path(), cache)
	}
}

// TestLockHeldByAnotherProcess checks the lock against a real second
// process (flock), the way two hashbot runs meet.
func TestLockHeldByAnotherProcess(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) not installed")
	}
	l, err := Acquire(newRepo(t), "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	path := l.fl.Path()
	out, err := exec.Command("flock", "--nonblock", path, "true").CombinedOutput()
	if err == nil {
		t.Errorf("another process took the lock while it was held: %s", out)
	}
	l.Release()
	if out, err := exec.Command("flock", "--nonblock", path, "true").CombinedOutput(); err != nil {
		t.Errorf("lock still held after Release: %v %s", err, out)
	}
}

// TestWaitTakesTheLockOnceReleased checks that Wait returns once the
// holder is gone, and then holds the lock itself.
func TestWaitTakesTheLockOnceReleased(t *testing.T) {
	repo := newRepo(t)
	held, err := Acquire(repo, "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		held.Release()
	}()
	l, err := Wait(t.Context(), repo, "hashbot serve", 10*time.Millisecond)
	if err != nil {
		t.Fatalf("Wait = %v", err)
	}
	defer l.Release()
	_, err = Acquire(repo, "hashbot run")
	var he *HeldError
	if !errors.As(err, &he) || he.Holder.Command != "hashbot serve" {
		t.Errorf("after Wait, Acquire = %v; want the lock held by the waiter", err)
	}
}

func TestWaitGivesUpWithTheContext(t *testing.T) {
	repo := newRepo(t)
	held, err := Acquire(repo, "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, err = Wait(ctx, repo, "hashbot serve", 10*time.Millisecond)
	var he *HeldError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &he) {
		t.Errorf("Wait = %v; want the deadline and the holder", err)
	}
}
