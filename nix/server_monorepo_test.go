package nix_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestServerVendorFODTakesTheMonorepoClient: from authentik 2026.5 go.mod
// replaces goauthentik.io/api/v3 with ./packages/client-go, which holds no
// Go code until client-go.nix generates it. server.goModules must still
// vendor (a stub of nix/server.nix's in that directory, which
// apiGoVendorHook replaces), for real: `go mod vendor` of a source shaped
// like the monorepo (a real module from the Go proxy, the replaced client
// directory with only its config) through the host toolchain, the hash from
// Nix. Without the stub, `go mod vendor` fails on the directory. A go.mod
// with no such replace (2026.2's) vendors as before.
func TestServerVendorFODTakesTheMonorepoClient(t *testing.T) {
	testutil.RequireNixForExamples(t)
	if _, err := os.Stat("/usr/lib/go/bin/go"); err != nil {
		if _, err := os.Stat("/usr/local/go/bin/go"); err != nil {
			t.Skip("no Go toolchain where the host toolchain looks (/usr/lib/go, /usr/local/go)")
		}
	}
	const uuidSum = `github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=
github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=
`
	tests := []struct {
		name        string
		files       map[string]string
		wantModules []string
		wantFiles   []string
	}{
		{
			name: "2026.5: go.mod replaces the client with packages/client-go",
			files: map[string]string{
				"go.mod": `module goauthentik.io

go 1.25.5

require (
	github.com/google/uuid v1.6.0
	goauthentik.io/api/v3 v3.0.0
)

replace goauthentik.io/api/v3 => ./packages/client-go
`,
				"go.sum": uuidSum,
				"cmd/server/main.go": `package main

import (
	"fmt"

	"github.com/google/uuid"
	api "goauthentik.io/api/v3"
)

func main() { fmt.Println(uuid.NewString(), api.NewConfiguration()) }
`,
				"packages/client-go/config.yaml": "templateDir: ./templates/\n",
			},
			wantModules: []string{"# github.com/google/uuid v1.6.0", "# goauthentik.io/api/v3 v3.0.0 => ./packages/client-go"},
			// The stub is what apiGoVendorHook finds and replaces; the
			// source's own file of that directory is vendored as it is (so
			// it is an input).
			wantFiles: []string{"goauthentik.io/api/v3/stub.go", "goauthentik.io/api/v3/config.yaml", "github.com/google/uuid/uuid.go"},
		},
		{
			// 2026.2's go.mod names no such directory: nothing is stubbed,
			// and the build's pipefail must not trip over the search.
			name: "a go.mod without the replace",
			files: map[string]string{
				"go.mod":             "module goauthentik.io\n\ngo 1.25.5\n\nrequire github.com/google/uuid v1.6.0\n",
				"go.sum":             uuidSum,
				"cmd/server/main.go": "package main\n\nimport \"github.com/google/uuid\"\n\nfunc main() { println(uuid.NewString()) }\n",
			},
			wantModules: []string{"# github.com/google/uuid v1.6.0"},
			wantFiles:   []string{"github.com/google/uuid/uuid.go"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := t.TempDir()
			for name, text := range tt.files {
				writeFile(t, filepath.Join(src, name), text)
			}
			vendor := buildServerVendor(t, src)
			modules, err := os.ReadFile(filepath.Join(vendor, "modules.txt"))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.wantModules {
				if !strings.Contains(string(modules), want) {
					t.Errorf("vendor/modules.txt lacks %q:\n%s", want, modules)
				}
			}
			for _, f := range tt.wantFiles {
				if _, err := os.Stat(filepath.Join(vendor, f)); err != nil {
					t.Errorf("vendor: %v", err)
				}
			}
		})
	}
}

// buildServerVendor builds nix/default.nix's server.goModules for the
// source tree src through the host toolchain: first with no hash, for
// Nix's report of it, then with that hash; it returns the output.
func buildServerVendor(t *testing.T, src string) string {
	t.Helper()
	expr := filepath.Join(t.TempDir(), "vendor.nix")
	writeFile(t, expr, strings.NewReplacer("@repo@", repoRoot(t), "@src@", src).Replace(`{ hash ? null }:
let
  committed = builtins.fromJSON (builtins.readFile @repo@/nix/sources.json);
  sources = committed // {
    version = "2026.5.6";
    hashes = committed.hashes // { server-vendor = hash; };
  };
  pkgs = import @repo@/nix/host-toolchain { srcTree = @src@; };
in
(import @repo@/nix/default.nix { inherit pkgs sources; system = pkgs.system; }).server.goModules
`))
	out, err := exec.CommandContext(t.Context(), "nix-build", "--no-out-link", expr).CombinedOutput()
	if err == nil {
		t.Fatalf("nix-build with a null hash succeeded, want a hash mismatch:\n%s", out)
	}
	got := regexp.MustCompile(`got:\s+(sha256-[A-Za-z0-9+/]{43}=)`).FindSubmatch(out)
	if got == nil {
		t.Fatalf("the vendor FOD failed before Nix could report its hash:\n%s", out)
	}
	path, err := exec.CommandContext(t.Context(), "nix-build", "--no-out-link", expr, "--argstr", "hash", string(got[1])).Output()
	if err != nil {
		t.Fatalf("nix-build with Nix's hash %s: %v", got[1], err)
	}
	return strings.TrimSpace(string(path))
}
