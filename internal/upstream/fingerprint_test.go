package upstream_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// workspaceTOML has an npm FOD over every workspace's package.json and a
// Go vendoring FOD over the module's imports.
const workspaceTOML = `
[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.webui-deps]
attr = "webui-deps"
inputs = ["web/package-lock.json", "web/package.json", "web/packages/*/package.json"]

[fod.server-vendor]
attr = "server.goModules"
inputs = ["go.mod", "go.sum"]
go-imports = "."
`

// release returns the files of an upstream release: the base files, with
// changes applied (an empty value deletes a file).
func release(changes map[string]string) map[string]string {
	files := map[string]string{
		"go.mod":                            "module goauthentik.io\n\ngo 1.25.5\n\nrequire golang.org/x/mod v0.43.0\n",
		"go.sum":                            "golang.org/x/mod v0.43.0 h1:x=\n",
		"cmd/server/main.go":                "package main\n\nimport (\n\t\"fmt\"\n\n\t\"goauthentik.io/internal/web\"\n\t\"golang.org/x/mod/semver\"\n)\n\nfunc main() { fmt.Println(semver.IsValid(\"v1\"), web.X) }\n",
		"internal/web/web.go":               "package web\n\nconst X = 1\n",
		"web/package.json":                  `{"name": "@goauthentik/web", "workspaces": ["./packages/*"]}`,
		"web/package-lock.json":             `{"lockfileVersion": 3, "packages": {}}`,
		"web/packages/core/package.json":    `{"name": "@goauthentik/core", "version": "1.0.0"}`,
		"web/packages/esbuild/package.json": `{"name": "@goauthentik/esbuild", "version": "1.0.0"}`,
		"README.md":                         "authentik\n",
	}
	for p, c := range changes {
		if c == "" {
			delete(files, p)
		} else {
			files[p] = c
		}
	}
	return files
}

// serveReleases publishes each release's files on the fake GitHub.
func serveReleases(t *testing.T, releases map[string]map[string]string) *ghfake.Server {
	t.Helper()
	srv := ghfake.New(t)
	for _, v := range slices.Sorted(maps.Keys(releases)) {
		for p, c := range releases[v] {
			srv.SetFile(repo, prefix+v, p, []byte(c))
		}
		srv.AddRelease(repo, ghfake.Release{Tag: prefix + v})
	}
	return srv
}

// TestTreeFingerprints checks a release against pins recorded at the one
// before, for changes that only the upstream tree shows.
func TestTreeFingerprints(t *testing.T) {
	tests := []struct {
		name    string
		changes map[string]string
		want    map[string][]string // stale FODs (src-less config: only these)
	}{
		{"an unchanged fingerprint rebuilds nothing", map[string]string{"README.md": "authentik 2\n"}, map[string][]string{}},
		{"a workspace package.json changes", map[string]string{
			"web/packages/core/package.json": `{"name": "@goauthentik/core", "version": "1.1.0"}`,
		}, map[string][]string{"webui-deps": {"web/packages/core/package.json changed"}}},
		{"a workspace is added and one removed", map[string]string{
			"web/packages/sfe/package.json":     `{"name": "@goauthentik/sfe"}`,
			"web/packages/esbuild/package.json": "",
		}, map[string][]string{"webui-deps": {"web/packages/sfe/package.json is new", "web/packages/esbuild/package.json is gone"}}},
		{"another package of a required module is imported", map[string]string{
			"internal/web/web.go": "package web\n\nimport _ \"golang.org/x/mod/module\"\n\nconst X = 1\n",
		}, map[string][]string{"server-vendor": {"imports changed: +golang.org/x/mod/module"}}},
		{"an import only a test or another platform has still counts", map[string]string{
			"internal/web/web_windows.go": "//go:build windows\n\npackage web\n\nimport _ \"golang.org/x/mod/zip\"\n",
			"internal/web/web_test.go":    "package web\n\nimport _ \"golang.org/x/mod/sumdb\"\n",
		}, map[string][]string{"server-vendor": {"imports changed: +golang.org/x/mod/sumdb, +golang.org/x/mod/zip"}}},
		{"an import go mod vendor ignores does not count", map[string]string{
			"tools.go":                  "//go:build ignore\n\npackage main\n\nimport _ \"golang.org/x/tools/cmd/stringer\"\n",
			"internal/testdata/x.go":    "package x\n\nimport _ \"example.com/fixture\"\n",
			"tools/nested/go.mod":       "module example.com/tools\n",
			"tools/nested/main.go":      "package main\n\nimport _ \"example.com/other\"\n",
			"internal/web/web_other.go": "package web\n\nimport (\n\t\"os\"\n\t\"goauthentik.io/internal/x\"\n)\n\nvar _ = os.Args\nvar _ = x.Y\n",
		}, map[string][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveReleases(t, map[string]map[string]string{"2026.2.1": release(nil), "2026.2.2": release(tt.changes)})
			e := &checkEnv{srv: srv, cfg: loadConfig(t, workspaceTOML), state: t.TempDir()}
			// Pins as a run at 2026.2.1 left them: its inputs recorded.
			first, err := e.check(t, tinyPins(t, "2026.2.1"), upstream.CheckOptions{Version: "2026.2.1"})
			if err != nil {
				t.Fatal(err)
			}
			p := tinyPins(t, "2026.2.1")
			for _, path := range slices.Sorted(maps.Keys(first.NewInputs)) {
				p.SetInput(path, first.NewInputs[path])
			}
			if _, ok := p.Input("go-imports:."); !ok {
				t.Fatalf("no import fingerprint recorded: %v", first.NewInputs)
			}
			res, err := e.check(t, p, upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Stale); diff != "" {
				t.Errorf("stale (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTreeIsReadOnlyWhenTheRefMoves checks that a check whose release did
// not move, with everything recorded, downloads no archive.
func TestTreeIsReadOnlyWhenTheRefMoves(t *testing.T) {
	srv := serveReleases(t, map[string]map[string]string{"2026.2.1": release(nil)})
	e := &checkEnv{srv: srv, cfg: loadConfig(t, workspaceTOML), state: t.TempDir()}
	first, err := e.check(t, tinyPins(t, "2026.2.1"), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := tinyPins(t, "2026.2.1")
	for path, sri := range first.NewInputs {
		p.SetInput(path, sri)
	}
	srv.ResetRequests()
	res, err := e.check(t, p, upstream.CheckOptions{})
	if err != nil || !res.UpToDate {
		t.Fatalf("check = %+v, %v; want up to date", res, err)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "/tarball/") || strings.Contains(r.Path, "/archive/") {
			t.Errorf("the archive was read: %s", r.Path)
		}
	}
}

// tinyPins are pins of workspaceTOML's FODs at version, every hash set.
func tinyPins(t *testing.T, version string) *pins.Pins {
	t.Helper()
	p, err := pins.Parse([]byte(`{"version": "`+version+`", "hashes": {
  "webui-deps": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=",
  "server-vendor": "sha256-NMx+yw2D2LsXDfU63xsE0KXpFNzTdO7VwoTewbWb598="}, "inputs": {}}`), "nix/sources.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// localModuleTOML has a vendor FOD over a Go module of the packaging
// repository itself, as hashbot's own is.
const localModuleTOML = `
[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.server-vendor]
attr = "server.goModules"
local-inputs = ["go.mod"]
local-go-imports = "."
`

// TestLocalGoImports checks a change to this repository's own Go code
// against the fingerprint recorded before it: a new import of a required
// module's package makes the FOD stale, other edits do not.
func TestLocalGoImports(t *testing.T) {
	tests := []struct {
		name  string
		file  string // cmd/bot/main.go after the edit
		stale bool
	}{
		{"the same imports rebuild nothing", "package main\n\nimport \"golang.org/x/mod/semver\"\n\nfunc main() { println(semver.IsValid(\"v2\")) }\n", false},
		{"another package of a required module", "package main\n\nimport (\n\t\"golang.org/x/mod/module\"\n\t\"golang.org/x/mod/semver\"\n)\n\nvar _ = module.Version{}\n\nfunc main() { println(semver.IsValid(\"v1\")) }\n", true},
		{"a standard library import", "package main\n\nimport (\n\t\"fmt\"\n\t\"golang.org/x/mod/semver\"\n)\n\nfunc main() { fmt.Println(semver.IsValid(\"v1\")) }\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveReleases(t, map[string]map[string]string{"2026.2.1": release(nil)})
			cfg := loadConfig(t, localModuleTOML)
			write := func(rel, content string) {
				t.Helper()
				p := filepath.Join(cfg.Dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("go.mod", "module example.com/bot\n\ngo 1.25\n\nrequire golang.org/x/mod v0.43.0\n")
			write("cmd/bot/main.go", "package main\n\nimport \"golang.org/x/mod/semver\"\n\nfunc main() { println(semver.IsValid(\"v1\")) }\n")
			write("testdata/fixture.go", "package fixture\n\nimport _ \"example.com/not/vendored\"\n")
			e := &checkEnv{srv: srv, cfg: cfg, state: t.TempDir()}
			first, err := e.check(t, tinyPins(t, "2026.2.1"), upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p := tinyPins(t, "2026.2.1")
			for path, sri := range first.NewInputs {
				p.SetInput(path, sri)
			}
			write("cmd/bot/main.go", tt.file)
			res, err := e.check(t, p, upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{}
			if tt.stale {
				want["server-vendor"] = []string{"the imports of the Go module at . changed"}
			}
			if diff := cmp.Diff(want, res.Stale); diff != "" {
				t.Errorf("stale (-want +got):\n%s", diff)
			}
		})
	}
}
