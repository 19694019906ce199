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
// Nix. Without the stub, `go mod vendor` fails on the directory.
func TestServerVendorFODTakesTheMonorepoClient(t *testing.T) {
	testutil.RequireNixForExamples(t)
	if _, err := os.Stat("/usr/lib/go/bin/go"); err != nil {
		if _, err := os.Stat("/usr/local/go/bin/go"); err != nil {
			t.Skip("no Go toolchain where the host toolchain looks (/usr/lib/go, /usr/local/go)")
		}
	}
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "go.mod"), `module goauthentik.io

go 1.25.5

require (
	github.com/google/uuid v1.6.0
	goauthentik.io/api/v3 v3.0.0
)

replace goauthentik.io/api/v3 => ./packages/client-go
`)
	writeFile(t, filepath.Join(src, "go.sum"), `github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=
github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=
`)
	writeFile(t, filepath.Join(src, "cmd/server/main.go"), `package main

import (
	"fmt"

	"github.com/google/uuid"
	api "goauthentik.io/api/v3"
)

func main() { fmt.Println(uuid.NewString(), api.NewConfiguration()) }
`)
	writeFile(t, filepath.Join(src, "packages/client-go/config.yaml"), "templateDir: ./templates/\n")

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
	vendor := strings.TrimSpace(string(path))
	modules, err := os.ReadFile(filepath.Join(vendor, "modules.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# github.com/google/uuid v1.6.0",
		"# goauthentik.io/api/v3 v3.0.0 => ./packages/client-go",
	} {
		if !strings.Contains(string(modules), want) {
			t.Errorf("vendor/modules.txt lacks %q:\n%s", want, modules)
		}
	}
	// The stub is what apiGoVendorHook finds and replaces; the source's own
	// file of that directory is vendored as it is (so it is an input).
	for _, f := range []string{"goauthentik.io/api/v3/stub.go", "goauthentik.io/api/v3/config.yaml", "github.com/google/uuid/uuid.go"} {
		if _, err := os.Stat(filepath.Join(vendor, f)); err != nil {
			t.Errorf("vendor: %v", err)
		}
	}
}
