package upstream

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
)

const localPrintsConfig = `entry = "default.nix"
pins = "hashbot.json"

[fod.vendor]
attr = "app.goModules"
local-inputs = ["go.mod", "go.sum", "package.nix"]
hash-file = "package.nix"
hash-attr = "vendorHash"

[fod.web]
attr = "web.npmDeps"
local-inputs = ["package-lock.json"]
`

func writeTree(t *testing.T, files map[string]string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Parse([]byte(localPrintsConfig), dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestLocalStaleNamesTheFODsWhoseOwnInputsChanged(t *testing.T) {
	base := map[string]string{
		"hashbot.json": "{}\n", "go.mod": "module example.org/app\n", "go.sum": "x v1.0.0\n",
		"package.nix": "{ }: { vendorHash = \"sha256-AAAA\"; }\n", "package-lock.json": "{}\n",
		"main.go": "package main\nimport _ \"golang.org/x/mod/semver\"\n",
	}
	with := func(p, data string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		if data == "" {
			delete(m, p)
		} else {
			m[p] = data
		}
		return m
	}
	tests := []struct {
		name  string
		after map[string]string
		want  map[string][]string
	}{
		{"nothing changed", base, map[string][]string{}},
		{"a go.sum bump", with("go.sum", "x v1.1.0\n"), map[string][]string{"vendor": {"go.sum changed"}}},
		{"a new import of the module", with("main.go", "package main\nimport _ \"golang.org/x/mod/modfile\"\n"),
			map[string][]string{"vendor": {"the imports of the Go module at . changed"}}},
		{"only a hash literal (hashbot's own commit)", with("package.nix", "{ }: { vendorHash = \"sha256-BBBB\"; }\n"), map[string][]string{}},
		{"a lock file that is new", with("package-lock.json", ""), map[string][]string{"web": {"package-lock.json changed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := LocalFingerprints(writeTree(t, base))
			if err != nil {
				t.Fatal(err)
			}
			cfg := writeTree(t, tt.after)
			after, err := LocalFingerprints(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, LocalStale(cfg, before, after)); diff != "" {
				t.Errorf("LocalStale (-want +got):\n%s", diff)
			}
		})
	}
}
