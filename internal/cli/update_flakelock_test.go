package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flakeLockAt is a flake.lock locking the input dep (tools/dep, branch
// main) at rev.
func flakeLockAt(rev string) string {
	return `{
  "nodes": {
    "dep": {
      "locked": {"lastModified": 1, "narHash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", "owner": "tools", "repo": "dep", "rev": "` + rev + `", "type": "github"},
      "original": {"owner": "tools", "repo": "dep", "ref": "main", "type": "github"}
    },
    "root": {"inputs": {"dep": "dep"}}
  },
  "root": "root",
  "version": 7
}
`
}

// flakeLockRepo writes a flake whose FOD is fed by the input dep, followed
// as [source.dep], and puts first on PATH a fake Nix whose flake update
// locks dep at movedRev and then runs then (shell), and which fails
// everything else it is asked but its version and configuration.
func flakeLockRepo(t *testing.T, movedRev, then string) string {
	t.Helper()
	dir, bin := filepath.Join(t.TempDir(), "repo"), t.TempDir()
	files := map[string]string{
		"hashbot.toml": `flake = "."
pins = "hashbot.json"

[upstream]
repo = "up/app"

[source.dep]
repo = "tools/dep"
branch = "main"
flake-input = "dep"

[fod.thing]
attr = "packages.{system}.thing"
flake-inputs = ["dep"]
`,
		"hashbot.json": "{\n  \"version\": \"1.0.0\",\n  \"hashes\": {\n    \"thing\": null\n  }\n}\n",
		"flake.nix":    "{ inputs.dep = { url = \"github:tools/dep/main\"; flake = false; }; outputs = _: { }; }\n",
		"flake.lock":   flakeLockAt(strings.Repeat("a", 40)),
	}
	scripts := map[string]string{
		"moved.lock": flakeLockAt(movedRev),
		"nix-build":  "#!/bin/sh\necho 'nix-build (Nix) 2.24.0'\n",
		"nix": `#!/bin/sh
case "$*" in
*"config show"*) echo '{"system": {"value": "x86_64-linux"}}' ;;
*"flake update"*) cp "` + filepath.Join(bin, "moved.lock") + `" flake.lock; ` + then + ` ;;
*) echo "fake nix: $*" >&2; exit 1 ;;
esac
`,
	}
	for name, data := range files {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"nix-instantiate", "nix-store"} {
		if err := os.WriteFile(filepath.Join(bin, tool), []byte("#!/bin/sh\necho \"fake $0: $*\" >&2\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

func TestUpdatePutsFlakeLockBackWhenItWritesNothing(t *testing.T) {
	headRev := strings.Repeat("b", 40)
	tests := []struct {
		name     string
		movedRev string
		then     string // what the fake Nix does after moving the lock
		args     []string
		want     string // in stderr
	}{
		{name: "a --source Nix locked at another commit", movedRev: strings.Repeat("c", 40), then: "true",
			args: []string{"--source", "dep=" + headRev}, want: "Nix locked the flake input dep at " + strings.Repeat("c", 40)},
		{name: "an --update-input whose computation failed", movedRev: headRev, then: "true",
			args: []string{"--update-input", "dep"}, want: "fake"},
		{name: "SIGTERM while Nix moves the lock", movedRev: headRev, then: "kill -TERM $PPID; sleep 30",
			args: []string{"--update-input", "dep"}, want: "interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := flakeLockRepo(t, tt.movedRev, tt.then)
			t.Setenv("GITHUB_API_URL", "http://127.0.0.1:1") // --source asks GitHub nothing
			before := updReadTree(t, dir)
			r := updRun(t, append([]string{"update", "--repo", dir, "--state-dir", t.TempDir()}, tt.args...)...)
			if r.code == ExitOK || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want a failure saying %q", r.code, r.stderr, tt.want)
			}
			if !strings.Contains(r.stderr, "flake.lock put back as it was") {
				t.Errorf("stderr %q does not say flake.lock was put back", r.stderr)
			}
			if after := updReadTree(t, dir); after != before {
				t.Errorf("the repository changed:\n%s", after)
			}
		})
	}
}
