package gitops

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const testToken = "ghs_s3cr3tT0kenValue"

func TestPushOverSmartHTTPWithToken(t *testing.T) {
	f := newFixture(t)
	url := f.serveHTTP(t, testToken, testToken)
	r, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "clone"), Options{Token: testToken, Base: "main"})
	if err != nil {
		t.Fatalf("Clone over HTTP: %v", err)
	}
	const branch = "hashbot/authentik-2026.2.2"
	seen, err := r.RemoteBranchHash(t.Context(), branch)
	if err != nil {
		t.Fatalf("RemoteBranchHash: %v", err)
	}
	if _, err := resetBranch(t, r, branch, ""); err != nil {
		t.Fatalf("resetting the branch: %v", err)
	}
	h := commitNewPins(t, r, branch)
	if err := r.Push(t.Context(), branch, seen); err != nil {
		t.Fatalf("Push over HTTP: %v", err)
	}
	if got := f.remoteRev(t, branch); got != h.String() {
		t.Fatalf("remote branch at %q, want %s", got, h)
	}
	if got := runGit(t, f.remote, "log", "-1", "--format=%s", branch); got != "authentik: 2026.2.1 -> 2026.2.2" {
		t.Errorf("remote subject %q", got)
	}

	// A fresh shallow clone (state directory wiped) that has never held the
	// bot's old commit force-pushes over it once the base moved.
	f.pushFromOther(t, "main", "README.md", "moved on\n")
	fresh, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "fresh"), Options{Token: testToken, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resetBranch(t, fresh, branch, ""); err != nil {
		t.Fatal(err)
	}
	h = commitNewPins(t, fresh, branch)
	if err := fresh.Push(t.Context(), branch, mustRemoteHash(t, r, branch)); err != nil {
		t.Fatalf("Push from a fresh clone over the old bot commit: %v", err)
	}
	if got := f.remoteRev(t, branch); got != h.String() {
		t.Fatalf("remote branch at %q, want %s", got, h)
	}
	r = fresh

	// Someone else pushes to the bot's branch: the lease holds over HTTP.
	theirs := f.pushFromOther(t, branch, "fixup.txt", "fixup\n")
	if _, err := resetBranch(t, r, branch, ""); err != nil {
		t.Fatal(err)
	}
	commitNewPins(t, r, branch)
	if err := r.Push(t.Context(), branch, h); !errors.Is(err, ErrLeaseBroken) {
		t.Fatalf("Push after someone else pushed = %v, want ErrLeaseBroken", err)
	}
	if got := f.remoteRev(t, branch); got != theirs {
		t.Errorf("remote branch at %q, want their %s", got, theirs)
	}
	runGit(t, f.remote, "fsck", "--no-progress")
}

func TestWrongTokenGivesAuthErrorWithoutToken(t *testing.T) {
	f := newFixture(t)
	url := f.serveHTTP(t, testToken, testToken)
	const wrong = "ghs_wrongTokenValue123"

	_, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "clone"), Options{Token: wrong})
	checkAuthError(t, "Clone", err, wrong)

	good, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "clone"), Options{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	const branch = "hashbot/authentik-1"
	if _, err := resetBranch(t, good, branch, "main"); err != nil {
		t.Fatal(err)
	}
	commitNewPins(t, good, branch)
	good.token = wrong // same clone, now with a revoked token

	_, err = good.RemoteBranchHash(t.Context(), branch)
	checkAuthError(t, "RemoteBranchHash", err, wrong)
	_, err = resetBranch(t, good, branch, "main")
	checkAuthError(t, "ResetBranch", err, wrong)
	err = good.Push(t.Context(), branch, ZeroHash)
	checkAuthError(t, "Push", err, wrong)
	if got := f.remoteRev(t, branch); got != "" {
		t.Errorf("remote branch created (%s) with a wrong token", got)
	}
}

func mustRemoteHash(t *testing.T, r *Repo, branch string) Hash {
	t.Helper()
	h, err := r.RemoteBranchHash(t.Context(), branch)
	if err != nil || h.IsZero() {
		t.Fatalf("RemoteBranchHash = %s, %v", h, err)
	}
	return h
}

func TestReadOnlyTokenCannotPush(t *testing.T) {
	f := newFixture(t)
	const readOnly = "ghs_readOnlyToken456"
	url := f.serveHTTP(t, readOnly, testToken)
	r, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "clone"), Options{Token: readOnly, Base: "main"})
	if err != nil {
		t.Fatalf("Clone with a read-only token: %v", err)
	}
	const branch = "hashbot/authentik-1"
	if _, err := resetBranch(t, r, branch, ""); err != nil {
		t.Fatal(err)
	}
	commitNewPins(t, r, branch)
	err = r.Push(t.Context(), branch, ZeroHash)
	checkAuthError(t, "Push", err, readOnly)
	if got := f.remoteRev(t, branch); got != "" {
		t.Errorf("remote branch created (%s) with a read-only token", got)
	}
}

func checkAuthError(t *testing.T, op string, err error, token string) {
	t.Helper()
	if !errors.Is(err, ErrAuth) {
		t.Errorf("%s = %v, want ErrAuth", op, err)
		return
	}
	t.Logf("%s: %v", op, err)
	if strings.Contains(err.Error(), token) {
		t.Errorf("%s error holds the token: %v", op, err)
	}
}

func TestCensor(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fetching https://x-access-token:abc@github.com/o/r.git: boom", "fetching https://***@github.com/o/r.git: boom"},
		{"token tok123 leaked", "token *** leaked"},
		{"http://user@host/x and https://a:b@c/d", "http://***@host/x and https://***@c/d"},
		{"no secrets here", "no secrets here"},
	}
	for _, tt := range tests {
		if got := censor(tt.in, "tok123"); got != tt.want {
			t.Errorf("censor(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTokenGoesOnlyToItsHost clones from a remote that is not the host
// the token is for: git sends no credentials there (and the remote, which
// wants them, refuses), while the token's own host gets them.
func TestTokenGoesOnlyToItsHost(t *testing.T) {
	f := newFixture(t)
	url := f.serveHTTP(t, testToken, testToken)
	_, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "clone"), Options{Token: testToken, TokenHost: "github.com"})
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("Clone from another host = %v, want ErrAuth (no credentials sent)", err)
	}
	if _, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "clone2"), Options{Token: testToken, TokenHost: "127.0.0.1"}); err != nil {
		t.Fatalf("Clone from the token's host: %v", err)
	}
}

// TestSetTokenPushesWithTheNewToken: a repository opened with one token
// (a GitHub App's, now expired) pushes with the one SetToken gives it.
func TestSetTokenPushesWithTheNewToken(t *testing.T) {
	f := newFixture(t)
	const renewed = "ghs_renewed_installation_token"
	url := f.serveHTTP(t, testToken, renewed) // the old token may read, only the new one push
	r, err := Clone(t.Context(), url, filepath.Join(t.TempDir(), "clone"), Options{Token: testToken, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	const branch = "hashbot/authentik-2026.2.2"
	if _, err := resetBranch(t, r, branch, ""); err != nil {
		t.Fatal(err)
	}
	h := commitNewPins(t, r, branch)
	if err := r.Push(t.Context(), branch, Hash{}); err == nil {
		t.Fatal("the push with the old token succeeded; this test would not see SetToken work")
	}
	r.SetToken(renewed)
	if err := r.Push(t.Context(), branch, Hash{}); err != nil {
		t.Fatalf("Push after SetToken: %v", err)
	}
	if got := f.remoteRev(t, branch); got != h.String() {
		t.Errorf("remote branch at %q, want %s", got, h)
	}
}
