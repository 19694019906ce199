package nix_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestHostToolchainRunsTheRecipesUnchanged: nix/host-toolchain stands in
// for nixpkgs (internal/realfods builds with it in scripts/real-root). Every
// FOD of default.nix (worker.cargoDeps included), and cargo-vendor.nix on its own, must instantiate against it as
// the recipes are, each a fixed-output derivation built by the host
// toolchain's builder with its hash from the pins; here only evaluated.
func TestHostToolchainRunsTheRecipesUnchanged(t *testing.T) {
	testutil.RequireNix(t)
	if _, err := os.Stat("/usr/lib/go/VERSION"); err != nil {
		if _, err := os.Stat("/usr/local/go/VERSION"); err != nil {
			t.Skip("no Go toolchain where the host toolchain looks (/usr/lib/go, /usr/local/go)")
		}
	}
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "Cargo.lock"), "version = 4\n")
	var got map[string]struct {
		Builder string `json:"builder"`
		Hash    string `json:"hash"`
		Mode    string `json:"mode"`
		Drv     bool   `json:"drv"`
	}
	evalJSON(t, `{ srcDir }:
let
  sources = builtins.fromJSON (builtins.readFile ./nix/sources.json);
  pkgs = import ./nix/host-toolchain { srcTree = /. + srcDir; };
  a = import ./nix/default.nix { inherit pkgs sources; system = pkgs.system; };
  worker = import ./nix/cargo-vendor.nix {
    inherit pkgs; inherit (a) src; version = "1"; meta = { };
    hash = "sha256-VFRrPgt/yNc0AWEXFb5CvFQ5oYD+M4FRrxXYWXHdRPE=";
  };
  show = d: {
    builder = d.drvAttrs.builder;
    hash = d.drvAttrs.outputHash;
    mode = d.drvAttrs.outputHashMode;
    drv = builtins.isString d.drvPath;
  };
in
builtins.mapAttrs (_: show) {
  inherit (a) python-deps webui-deps;
  server-vendor = a.server.goModules;
  hashbot-vendor = a.hashbot.goModules;
  worker-vendor = a.worker.cargoDeps;
  inherit worker;
}`, &got, "--argstr", "srcDir", src)
	if len(got) != 6 {
		t.Fatalf("want 6 FODs, got %v", got)
	}
	for name, d := range got {
		if d.Builder != "/bin/bash" || d.Mode != "recursive" || !d.Drv {
			t.Errorf("%s: builder %q, mode %q, instantiated %v: want the host toolchain's /bin/bash, a recursive FOD", name, d.Builder, d.Mode, d.Drv)
		}
		// The committed pins hold null (""), but for the worker's own.
		if want := map[bool]string{true: "sha256-VFRrPgt/yNc0AWEXFb5CvFQ5oYD+M4FRrxXYWXHdRPE=", false: ""}[name == "worker"]; d.Hash != want {
			t.Errorf("%s: outputHash %q, want %q", name, d.Hash, want)
		}
	}

	// Without srcTree, fetchFromGitHub says why it cannot fetch.
	msg := evalError(t, `(import ./nix/default.nix { pkgs = import ./nix/host-toolchain { }; }).src.drvPath`)
	if !strings.Contains(msg, "GitHub is not reached here; pass srcTree") {
		t.Errorf("fetchFromGitHub without srcTree: %s", msg)
	}
}
