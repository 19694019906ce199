package runlock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestSecondAcquireNamesTheHolder(t *testing.T) {
	state := t.TempDir()
	first, err := Acquire(state, "/repo", "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(state, "/repo", "hashbot update")
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire = %v; want *HeldError", err)
	}
	if held.Holder.PID != os.Getpid() || held.Holder.Command != "hashbot run" || !strings.Contains(err.Error(), "hashbot run") {
		t.Errorf("holder = %+v, err = %v", held.Holder, err)
	}
	other, err := Acquire(state, "/other-repo", "hashbot run")
	if err != nil {
		t.Fatalf("a lock on another repo was refused: %v", err)
	}
	other.Release()
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := Acquire(state, "/repo", "hashbot run")
	if err != nil {
		t.Fatalf("Acquire after Release = %v", err)
	}
	again.Release()
}

// TestLockHeldByAnotherProcess checks the lock against a real second
// process (flock), the way two hashbot runs meet.
func TestLockHeldByAnotherProcess(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) not installed")
	}
	state := t.TempDir()
	l, err := Acquire(state, "/repo", "hashbot run")
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

func TestWaitTakesTheLockOnceReleased(t *testing.T) {
	state := t.TempDir()
	held, err := Acquire(state, "/repo", "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		held.Release()
	}()
	l, err := Wait(t.Context(), state, "/repo", "hashbot serve", 10*time.Millisecond)
	if err != nil {
		t.Fatalf("Wait = %v", err)
	}
	l.Release()
}

func TestWaitGivesUpWithTheContext(t *testing.T) {
	state := t.TempDir()
	held, err := Acquire(state, "/repo", "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, err = Wait(ctx, state, "/repo", "hashbot serve", 10*time.Millisecond)
	var he *HeldError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &he) {
		t.Errorf("Wait = %v; want the deadline and the holder", err)
	}
}
