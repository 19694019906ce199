package nix_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestEveryDerivationEvaluatesFully forces every value of every component,
// build scripts included, with the stub pkgs: an attribute a file reads from
// another component (webui-deps.nodejs, python.sitePackages, src.name), a
// file it names (./console-scripts.sh) or a nixpkgs attribute missing from
// the stub fails here rather than on the first real build.
func TestEveryDerivationEvaluatesFully(t *testing.T) {
	testutil.RequireNix(t)
	stub := writeStub(t)
	for _, entry := range []string{"default.nix", "test-build.nix"} {
		for _, sys := range []string{"x86_64-linux", "aarch64-linux"} {
			t.Run(entry+"/"+sys, func(t *testing.T) {
				var got bool
				evalJSON(t, fmt.Sprintf(`{ stubFile }:
let
  result = import ./nix/%s { system = %q; pkgs = import stubFile { system = %q; }; };
in
builtins.deepSeq result true`, entry, sys, sys), &got, "--argstr", "stubFile", stub)
				if !got {
					t.Errorf("%s on %s did not evaluate", entry, sys)
				}
			})
		}
	}
}

// TestVendorFODLeavesOutTheHookAndThePatches: server.goModules, whose hash
// is hashes.server-vendor, must depend on the source's go.mod and go.sum
// only. Every string and derivation the vendor FOD names is collected (with
// the stub's model of buildGoModule); none may be the API client hook, the
// generated client, the backend or the web UI, which the server itself does
// name (the control that the search finds them).
func TestVendorFODLeavesOutTheHookAndThePatches(t *testing.T) {
	testutil.RequireNix(t)
	var got struct {
		Vendor []string `json:"vendor"`
		Server []string `json:"server"`
	}
	evalJSON(t, `{ stubFile }:
let
  result = import ./nix/default.nix {
    system = "x86_64-linux";
    pkgs = import stubFile { system = "x86_64-linux"; };
  };
  # refs lists the strings in v, and the store path of each derivation in
  # v without looking inside it.
  refs = v:
    if builtins.isString v then [ v ]
    else if builtins.isList v then builtins.concatMap refs v
    else if builtins.isAttrs v && v ? outPath then [ v.outPath ]
    else if builtins.isAttrs v then builtins.concatMap (n: refs v.${n}) (builtins.attrNames v)
    else [ ];
  # inside lists what derivation d names, apart from its own outPath and
  # passthru (goModules is the server's passthru).
  inside = d: refs (builtins.removeAttrs d [ "outPath" "passthru" "goModules" ]);
in
{
  vendor = inside result.server.goModules;
  server = inside result.server;
}`, &got, "--argstr", "stubFile", writeStub(t))
	forbidden := []string{"authentik-api-go-vendor-hook", "authentik-client-go", "authentik-django", "authentik-webui"}
	all := func(xs []string) string { return strings.Join(xs, "\n") }
	for _, name := range forbidden {
		if strings.Contains(all(got.Vendor), name) {
			t.Errorf("server.goModules refers to %s; its hash must depend on go.mod and go.sum only:\n%s", name, all(got.Vendor))
		}
	}
	for _, name := range []string{"authentik-api-go-vendor-hook", "authentik-django", "authentik-webui"} {
		if !strings.Contains(all(got.Server), name) {
			t.Errorf("server does not refer to %s, so this test would not notice it in the vendor FOD:\n%s", name, all(got.Server))
		}
	}
}

// TestWorkerVendorFODReadsTheLockOnly: worker.cargoDeps, whose hash is
// hashes.worker-vendor, is the crates of Cargo.lock: it must name neither the
// Rust toolchain, the worker's build tools nor another component, and it
// must run cargo-vendor.py on Cargo.lock; the worker itself builds with
// cargo from those crates, --frozen, the core feature only.
func TestWorkerVendorFODReadsTheLockOnly(t *testing.T) {
	testutil.RequireNix(t)
	var got struct {
		Vendor  []string `json:"vendor"`
		Worker  []string `json:"worker"`
		Install string   `json:"install"`
		Build   string   `json:"build"`
		Same    bool     `json:"same"`
	}
	evalJSON(t, `{ stubFile }:
let
  result = import ./nix/test-build.nix {
    system = "x86_64-linux";
    pkgs = import stubFile { system = "x86_64-linux"; };
  };
  refs = v:
    if builtins.isString v then [ v ]
    else if builtins.isList v then builtins.concatMap refs v
    else if builtins.isAttrs v && v ? outPath then [ v.outPath ]
    else if builtins.isAttrs v then builtins.concatMap (n: refs v.${n}) (builtins.attrNames v)
    else [ ];
  inside = d: refs (builtins.removeAttrs d [ "outPath" "passthru" "cargoDeps" "src" "meta" ]);
in
{
  vendor = inside result.worker.cargoDeps;
  worker = inside result.worker;
  install = result.worker.cargoDeps.installPhase;
  build = result.worker.buildPhase;
  same = result.worker-vendor.outPath == result.worker.cargoDeps.outPath;
}`, &got, "--argstr", "stubFile", writeStub(t))
	all := func(xs []string) string { return strings.Join(xs, "\n") }
	for _, name := range []string{"cargo-1", "rustc-1", "cmake", "perl", "gcc-wrapper-13", "authentik-django", "authentik-webui", "authentik-server"} {
		if strings.Contains(all(got.Vendor), name) {
			t.Errorf("worker.cargoDeps refers to %s; its hash must depend on Cargo.lock only:\n%s", name, all(got.Vendor))
		}
	}
	for _, name := range []string{"cargo-1", "rustc-1", "cmake", "perl", "authentik-worker-vendor"} {
		if !strings.Contains(all(got.Worker), name) {
			t.Errorf("worker does not refer to %s:\n%s", name, all(got.Worker))
		}
	}
	if !strings.Contains(got.Install, "-cargo-vendor.py Cargo.lock $out") {
		t.Errorf("worker.cargoDeps does not run cargo-vendor.py on Cargo.lock:\n%s", got.Install)
	}
	for _, want := range []string{"cargo build --release --frozen", "--package authentik --no-default-features --features core", "-authentik-worker-vendor-2026.5.6/.cargo/config.toml"} {
		if !strings.Contains(got.Build, want) {
			t.Errorf("worker's buildPhase lacks %q:\n%s", want, got.Build)
		}
	}
	if !got.Same {
		t.Error("test-build.nix's worker-vendor is not worker.cargoDeps")
	}
}
