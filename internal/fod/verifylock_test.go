package fod

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// gitCommit commits data as the file data of the git repository dir
// (made on the first call) and returns the commit.
func gitCommit(t *testing.T, dir, data string) string {
	t.Helper()
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		git("init", "-q", "-b", "main")
	}
	if err := os.WriteFile(filepath.Join(dir, "data"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "data")
	git("commit", "-q", "-m", data)
	return git("rev-parse", "HEAD")
}

// lockedGit is the locked reference Nix writes for the git input url at
// rev, asked of Nix itself (revCount only where this Nix gives one: 2.26
// leaves it out of a file:// git input).
func lockedGit(t *testing.T, url, rev string) map[string]any {
	t.Helper()
	expr := `let t = builtins.fetchTree { type = "git"; url = "` + url + `"; ref = "refs/heads/main"; rev = "` + rev + `"; };
		in builtins.toJSON (builtins.intersectAttrs { narHash = 0; lastModified = 0; revCount = 0; } t)`
	cmd := exec.Command("nix", append(nixcmd.FlakeArgs(), "eval", "--impure", "--raw", "--expr", expr)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("asking Nix for the locked reference: %v\n%s", err, stderr.String())
	}
	ref := map[string]any{"type": "git", "url": url, "ref": "refs/heads/main", "rev": rev}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestVerifyLockedRefusesANarHashOfOtherContent(t *testing.T) {
	testutil.RequireNix(t)
	testutil.RequireGit(t)
	dir := t.TempDir()
	url := "file://" + dir
	theirs := lockedGit(t, url, gitCommit(t, dir, "their content"))
	ours := lockedGit(t, url, gitCommit(t, dir, "our content"))
	poisoned := map[string]any{}
	for k, v := range ours {
		poisoned[k] = v
	}
	// The other content's narHash: Nix holds a store path of that hash
	// already (lockedGit fetched it), and with lastModified and revCount
	// the lock says all Nix needs to take it without a fetch.
	poisoned["narHash"] = theirs["narHash"]
	tests := []struct {
		name   string
		locked map[string]any
		want   string // "" for a reference Nix vouches for
	}{
		{"the commit's own narHash", ours, ""},
		{"another commit's narHash", poisoned, "NAR hash mismatch"},
	}
	e := NewEngine(EngineOptions{Nix: nixcmd.New(nixcmd.Options{})})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			locked, err := json.Marshal(tt.locked)
			if err != nil {
				t.Fatal(err)
			}
			err = e.VerifyLocked(t.Context(), locked)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestNixStringQuotesEverythingNixWouldRead(t *testing.T) {
	got := nixString(`{"url":"a\"b${x}\\c"}`)
	want := `"{\"url\":\"a\\\"b\${x}\\\\c\"}"`
	if got != want {
		t.Fatalf("nixString = %s, want %s", got, want)
	}
}
