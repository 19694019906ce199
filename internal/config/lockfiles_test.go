package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLockWarnings checks the warnings `hashbot check` gives for a FOD
// whose inputs name a manifest without its lock, or a lock without its
// manifest.
func TestLockWarnings(t *testing.T) {
	const tail = ": a change to it alone would leave the FOD's hash stale unseen"
	tests := []struct {
		name string
		fod  string
		want []string
	}{
		{"go.mod without go.sum", `attr = "vendor"
inputs = ["go.mod"]`, []string{`hashbot.toml: [fod.x] inputs name go.mod but not go.sum` + tail}},
		{"go.sum without go.mod", `attr = "vendor"
inputs = ["server/go.sum"]`, []string{`hashbot.toml: [fod.x] inputs name server/go.sum but not server/go.mod` + tail}},
		{"package.json without a lock names every lock it may have", `attr = "webui"
inputs = ["web/package.json"]`, []string{`hashbot.toml: [fod.x] inputs name web/package.json but not its lock ` +
			`(web/package-lock.json, web/npm-shrinkwrap.json, web/yarn.lock, web/pnpm-lock.yaml, web/bun.lock or web/bun.lockb)` + tail}},
		{"package-lock.json without package.json", `attr = "webui"
inputs = ["web/package-lock.json"]`, []string{`hashbot.toml: [fod.x] inputs name web/package-lock.json but not web/package.json` + tail}},
		{"pyproject.toml without uv.lock or poetry.lock", `attr = "py"
inputs = ["pyproject.toml"]`, []string{`hashbot.toml: [fod.x] inputs name pyproject.toml but not its lock (uv.lock or poetry.lock)` + tail}},
		{"uv.lock without pyproject.toml", `attr = "py"
inputs = ["uv.lock"]`, []string{`hashbot.toml: [fod.x] inputs name uv.lock but not pyproject.toml` + tail}},
		{"Cargo.toml without Cargo.lock, and the reverse", `attr = "rs"
inputs = ["Cargo.toml", "cli/Cargo.lock"]`, []string{
			`hashbot.toml: [fod.x] inputs name Cargo.toml but not Cargo.lock` + tail,
			`hashbot.toml: [fod.x] inputs name cli/Cargo.lock but not cli/Cargo.toml` + tail}},
		{"local-inputs too", `attr = "vendor"
local-inputs = ["go.mod"]`, []string{`hashbot.toml: [fod.x] local-inputs name go.mod but not go.sum` + tail}},
		{"pairs named in full warn of nothing", `attr = "vendor"
inputs = ["go.mod", "go.sum", "web/package.json", "web/package-lock.json", "pyproject.toml", "poetry.lock"]`, nil},
		{"a workspace member is locked by its root's lock", `attr = "webui"
inputs = ["web/package-lock.json", "web/package.json", "web/packages/*/package.json", "uv.lock", "pyproject.toml", "packages/*/pyproject.toml"]`, nil},
		{"a go.mod is locked by its own go.sum only", `attr = "vendor"
inputs = ["go.mod", "go.sum", "tools/go.mod"]
go-imports = "."`, []string{`hashbot.toml: [fod.x] inputs name tools/go.mod but not tools/go.sum` + tail}},
		{"a lock named by a pattern counts", `attr = "vendor"
inputs = ["*/go.mod", "*/go.sum"]
go-imports = false`, nil},
		{"other files are no one's manifest", `attr = "src"
inputs = ["README.md", "nix/go.nix"]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte("[upstream]\nrepo = \"o/r\"\n[fod.x]\n"+tt.fod+"\n"), "/repo")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.LockWarnings()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnclaimedLocks checks which upstream lock files are reported as read
// by no FOD: a new dependency set the recipes would miss.
func TestUnclaimedLocks(t *testing.T) {
	tree := []string{"Cargo.lock", "Cargo.toml", "go.mod", "go.sum", "uv.lock", "pyproject.toml", "README.md",
		"web/package-lock.json", "web/package.json", "website/package-lock.json", "docs/Gemfile.lock",
		"tests/fixtures/a/yarn.lock", "tests/fixtures/b/yarn.lock", "flake.lock", "web/bun.lock", "go.sum"}
	tests := []struct {
		name, toml string
		want       []string
	}{
		{"every lock no input names, at any depth, sorted once each", `[fod.x]
attr = "x"
inputs = ["go.mod", "go.sum", "uv.lock", "pyproject.toml", "web/package-lock.json", "web/package.json"]`,
			[]string{"Cargo.lock", "docs/Gemfile.lock", "flake.lock", "tests/fixtures/a/yarn.lock", "tests/fixtures/b/yarn.lock", "web/bun.lock", "website/package-lock.json"}},
		{"a pattern in inputs claims what it matches", `[fod.x]
attr = "x"
inputs = ["*.lock", "go.sum", "*/*.lock", "*/package-lock.json", "tests/fixtures/*/yarn.lock", "docs/Gemfile.lock"]`, nil},
		{"ignore-locks silences named ones and patterns", `[check]
ignore-locks = ["Cargo.lock", "tests/fixtures/*/yarn.lock", "website/package-lock.json", "docs/Gemfile.lock", "flake.lock", "web/bun.lock"]
[fod.x]
attr = "x"
inputs = ["go.mod", "go.sum", "uv.lock", "pyproject.toml", "web/package-lock.json", "web/package.json"]`, nil},
		{"manifests are no locks", `[fod.x]
attr = "x"
inputs = ["*.lock", "*/*.lock", "*/*/*/*.lock", "go.sum", "*/package-lock.json", "web/bun.lock"]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte("[upstream]\nrepo = \"o/r\"\n"+tt.toml+"\n"), "/repo")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.UnclaimedLocks(tree)); diff != "" {
				t.Errorf("unclaimed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIgnoreLocksMustBeRepositoryPaths(t *testing.T) {
	for _, l := range []string{"/etc/Cargo.lock", "../Cargo.lock", "", "./Cargo.lock"} {
		_, err := Parse([]byte("[upstream]\nrepo = \"o/r\"\n[check]\nignore-locks = [\""+l+"\"]\n[fod.x]\nattr = \"x\"\n"), "/repo")
		if err == nil {
			t.Errorf("ignore-locks %q accepted", l)
		}
	}
}
