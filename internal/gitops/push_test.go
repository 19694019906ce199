package gitops

import (
	"errors"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

func TestPushToBareRepo(t *testing.T) {
	f := newFixture(t)
	r := openFixture(t, f)
	const branch = "hashbot/authentik-2026.2.2"

	seen, err := r.RemoteBranchHash(t.Context(), branch)
	if err != nil || !seen.IsZero() {
		t.Fatalf("RemoteBranchHash before the first push = %s, %v; want zero, nil", seen, err)
	}
	if _, err := resetBranch(t, r, branch, "main"); err != nil {
		t.Fatal(err)
	}
	first := commitNewPins(t, r, branch)
	if err := r.Push(t.Context(), branch, seen); err != nil {
		t.Fatalf("first Push: %v", err)
	}
	if got := f.remoteRev(t, branch); got != first.String() {
		t.Fatalf("remote branch at %q, want %s", got, first)
	}
	if err := r.Push(t.Context(), branch, first); err != nil {
		t.Errorf("Push with nothing new = %v, want nil", err)
	}

	// Base moves; the bot resets and force-pushes over its own branch.
	f.pushFromOther(t, "main", "README.md", "moved on\n")
	seen, err = r.RemoteBranchHash(t.Context(), branch)
	if err != nil || seen != first {
		t.Fatalf("RemoteBranchHash = %s, %v; want %s", seen, err, first)
	}
	if _, err := resetBranch(t, r, branch, "main"); err != nil {
		t.Fatal(err)
	}
	second := commitNewPins(t, r, branch)
	if err := r.Push(t.Context(), branch, seen); err != nil {
		t.Fatalf("second Push: %v", err)
	}
	if got := f.remoteRev(t, branch); got != second.String() {
		t.Errorf("remote branch at %q, want %s", got, second)
	}
	if got := runGit(t, f.remote, "show", "--format=", "--name-only", branch); got != pinsPath {
		t.Errorf("pushed commit touches %q, want only %s", got, pinsPath)
	}
}

func TestPushRefusesWhenLeaseBroken(t *testing.T) {
	tests := []struct {
		name string
		// prepare returns what the bot last saw after arranging the remote.
		prepare func(t *testing.T, f fixture, r *Repo, branch string) Hash
	}{
		{"branch created by someone else since seen absent", func(t *testing.T, f fixture, r *Repo, branch string) Hash {
			f.pushFromOther(t, branch, "theirs.txt", "theirs\n")
			return ZeroHash
		}},
		{"someone pushed to the bot's branch since it was seen", func(t *testing.T, f fixture, r *Repo, branch string) Hash {
			if _, err := resetBranch(t, r, branch, "main"); err != nil {
				t.Fatal(err)
			}
			commitNewPins(t, r, branch)
			if err := r.Push(t.Context(), branch, ZeroHash); err != nil {
				t.Fatal(err)
			}
			seen, err := r.RemoteBranchHash(t.Context(), branch)
			if err != nil {
				t.Fatal(err)
			}
			f.pushFromOther(t, branch, "fixup.txt", "maintainer fixup\n")
			return seen
		}},
		{"branch deleted since it was seen", func(t *testing.T, f fixture, r *Repo, branch string) Hash {
			theirs := f.pushFromOther(t, branch, "theirs.txt", "theirs\n")
			runGit(t, f.remote, "update-ref", "-d", "refs/heads/"+branch)
			return parseHash(t, theirs)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := openFixture(t, f)
			const branch = "hashbot/authentik-2026.2.2"
			seen := tt.prepare(t, f, r, branch)
			remoteBefore := f.remoteRev(t, branch)

			if _, err := resetBranch(t, r, branch, "main"); err != nil {
				t.Fatal(err)
			}
			commitNewPins(t, r, branch)
			err := r.Push(t.Context(), branch, seen)

			var lease *LeaseError
			if !errors.As(err, &lease) || !errors.Is(err, ErrLeaseBroken) {
				t.Fatalf("Push = %v, want a *LeaseError", err)
			}
			want := &LeaseError{Branch: branch, Expected: seen, Actual: parseHash(t, remoteBefore)}
			if diff := cmp.Diff(want, lease); diff != "" {
				t.Errorf("LeaseError (-want +got):\n%s", diff)
			}
			if got := f.remoteRev(t, branch); got != remoteBefore {
				t.Errorf("remote branch changed from %q to %q", remoteBefore, got)
			}
		})
	}
}

// parseHash parses a hex object id; "" gives ZeroHash.
func parseHash(t *testing.T, s string) Hash {
	t.Helper()
	if s == "" {
		return ZeroHash
	}
	if !plumbing.IsHash(s) {
		t.Fatalf("not an object id: %q", s)
	}
	return plumbing.NewHash(s)
}

func TestPushRefusesWhenRemoteMovesDuringPush(t *testing.T) {
	tests := []struct {
		name      string
		pushFirst bool // the bot pushed once, so it expects its own commit
	}{
		{"branch expected absent", false},
		{"branch expected at the bot's commit", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := openFixture(t, f)
			const branch = "hashbot/authentik-2026.2.2"
			seen := ZeroHash
			if tt.pushFirst {
				if _, err := resetBranch(t, r, branch, "main"); err != nil {
					t.Fatal(err)
				}
				seen = commitNewPins(t, r, branch)
				if err := r.Push(t.Context(), branch, ZeroHash); err != nil {
					t.Fatal(err)
				}
				f.pushFromOther(t, "main", "README.md", "moved on\n")
			}
			if _, err := resetBranch(t, r, branch, "main"); err != nil {
				t.Fatal(err)
			}
			commitNewPins(t, r, branch)
			var theirs string
			r.beforePush = func() { theirs = f.pushFromOther(t, branch, "theirs.txt", "theirs\n") }

			err := r.Push(t.Context(), branch, seen)

			var lease *LeaseError
			if !errors.As(err, &lease) {
				t.Fatalf("Push = %v, want a *LeaseError", err)
			}
			want := &LeaseError{Branch: branch, Expected: seen, Actual: parseHash(t, theirs)}
			if diff := cmp.Diff(want, lease); diff != "" {
				t.Errorf("LeaseError (-want +got):\n%s", diff)
			}
			if got := f.remoteRev(t, branch); got != theirs {
				t.Errorf("remote branch at %q, want their %s", got, theirs)
			}
		})
	}
}

// TestDeleteRemoteBranchHoldsALease deletes the bot's branch only while
// it points where the bot last saw it.
func TestDeleteRemoteBranchHoldsALease(t *testing.T) {
	const branch = "hashbot/authentik-2026.2.1"
	tests := []struct {
		name    string
		moved   bool // someone pushed to the branch after the bot
		wantErr bool
	}{
		{name: "at the bot's commit: deleted"},
		{name: "pushed to since: kept", moved: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := openFixture(t, f)
			if _, err := resetBranch(t, r, branch, "main"); err != nil {
				t.Fatal(err)
			}
			mine := commitNewPins(t, r, branch)
			if err := r.Push(t.Context(), branch, Hash{}); err != nil {
				t.Fatal(err)
			}
			if tt.moved {
				f.pushFromOther(t, branch, "README.md", "a maintainer's fix\n")
			}
			err := r.DeleteRemoteBranch(t.Context(), branch, mine)
			var lease *LeaseError
			switch {
			case tt.wantErr && !errors.As(err, &lease):
				t.Fatalf("DeleteRemoteBranch = %v, want a *LeaseError", err)
			case !tt.wantErr && err != nil:
				t.Fatalf("DeleteRemoteBranch = %v", err)
			}
			left, _ := r.RemoteBranchHash(t.Context(), branch)
			if left.IsZero() == tt.wantErr {
				t.Errorf("after DeleteRemoteBranch the branch is at %s; want it kept: %v", left, tt.wantErr)
			}
			if err := r.DeleteRemoteBranch(t.Context(), "hashbot/never-pushed", Hash{}); err != nil {
				t.Errorf("deleting a branch that does not exist = %v, want nil", err)
			}
		})
	}
}
