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
			`(web/package-lock.json, web/npm-shrinkwrap.json, web/yarn.lock or web/pnpm-lock.yaml)` + tail}},
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
