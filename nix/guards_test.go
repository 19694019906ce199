package nix_test

import (
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestTooOldGoIsRefusedByName: buildGoModule sets GOTOOLCHAIN=local, so a
// nixpkgs whose Go is older than go.mod's `go` line would fail deep in the
// vendor FOD; the server and hashbot say what is needed instead.
func TestTooOldGoIsRefusedByName(t *testing.T) {
	testutil.RequireNix(t)
	expr := func(attr, goVersion string) string {
		return `{ stubFile }:
let
  stub = import stubFile { system = "x86_64-linux"; };
  pkgs = stub // { go = stub.go // { version = "` + goVersion + `"; }; };
in
(import ./nix/default.nix { system = "x86_64-linux"; inherit pkgs; }).` + attr + `.name`
	}
	for _, tt := range []struct{ attr, tooOld, enough, want string }{
		{"server", "1.25.4", "1.25.5", "authentik server: go.mod needs Go >= 1.25.5, but the nixpkgs flake.lock pins has Go 1.25.4"},
		{"hashbot", "1.25.9", "1.26.0", "hashbot: go.mod needs Go >= 1.26.0, but nixpkgs has Go 1.25.9"},
	} {
		if msg := evalError(t, expr(tt.attr, tt.tooOld), "--argstr", "stubFile", writeStub(t)); !strings.Contains(msg, tt.want) {
			t.Errorf("%s with Go %s: Nix said\n%s\nwant %q", tt.attr, tt.tooOld, msg, tt.want)
		}
		var name string
		evalJSON(t, expr(tt.attr, tt.enough), &name, "--argstr", "stubFile", writeStub(t))
		if name == "" {
			t.Errorf("%s with Go %s has no name", tt.attr, tt.enough)
		}
	}
}

// TestEveryComponentHasTheLicence: meta.license is MIT (authentik's
// LICENSE, as nixpkgs has it) on every component, and the programs name
// their main one.
func TestEveryComponentHasTheLicence(t *testing.T) {
	testutil.RequireNix(t)
	var got map[string]struct {
		License     string `json:"license"`
		MainProgram string `json:"mainProgram"`
	}
	evalJSON(t, `{ stubFile }:
let
  a = import ./nix/default.nix { system = "x86_64-linux"; pkgs = import stubFile { system = "x86_64-linux"; }; };
  names = [ "src" "client-go" "client-ts" "python-deps" "authentik-django" "webui-deps" "webui" "server" "worker" "assembled" ];
in
builtins.listToAttrs (map (n: { name = n; value = {
  license = (a.${n}.meta.license or { spdxId = ""; }).spdxId;
  mainProgram = a.${n}.meta.mainProgram or "";
}; }) (builtins.filter (n: a.${n} ? meta) names))`, &got, "--argstr", "stubFile", writeStub(t))
	if len(got) < 9 {
		t.Fatalf("only %d components have meta: %v", len(got), got)
	}
	for name, m := range got {
		if m.License != "MIT" {
			t.Errorf("%s: meta.license %q, want MIT", name, m.License)
		}
	}
	for name, want := range map[string]string{"assembled": "ak", "server": "authentik", "worker": "authentik"} {
		if got[name].MainProgram != want {
			t.Errorf("%s: meta.mainProgram %q, want %q", name, got[name].MainProgram, want)
		}
	}
}

// TestStubRefusesWhatNixpkgsRefuses: the stub pkgs, against which every
// other test here evaluates, enforces nixpkgs' argument rules, so a
// derivation that nixpkgs would refuse fails here too.
func TestStubRefusesWhatNixpkgsRefuses(t *testing.T) {
	testutil.RequireNix(t)
	for _, tt := range []struct{ name, expr, want string }{
		{"fetchFromGitHub with an argument it does not take",
			`pkgs.fetchFromGitHub { owner = "o"; repo = "r"; tag = "t"; hash = ""; sha256 = ""; }`, "unexpected argument"},
		{"fetchFromGitHub with rev and tag",
			`pkgs.fetchFromGitHub { owner = "o"; repo = "r"; tag = "t"; rev = "abc"; hash = ""; }`, "one of either rev or tag"},
		{"an env value that is a list",
			`pkgs.stdenv.mkDerivation { name = "x"; env.FLAGS = [ "-O2" ]; }`, "env.FLAGS must be a derivation, string, boolean or integer"},
		{"an env value also passed at the top level",
			`pkgs.stdenv.mkDerivation { name = "x"; CGO_ENABLED = "0"; env.CGO_ENABLED = "0"; }`, "env.CGO_ENABLED is also passed to the derivation"},
		{"a derivation without a name",
			`pkgs.stdenv.mkDerivation { pname = "x"; }`, "name, or pname and version, are required"},
		{"buildGoModule without vendorHash",
			`pkgs.buildGoModule { pname = "x"; version = "1"; src = ./.; }`, "vendorHash is missing"},
		{"buildGoModule with vendorSha256",
			`pkgs.buildGoModule { pname = "x"; version = "1"; src = ./.; vendorSha256 = ""; }`, "Expect vendorHash instead of vendorSha256"},
		{"makeSetupHook with an argument it does not take",
			`pkgs.makeSetupHook { name = "h"; deps = [ ]; } "script"`, "unexpected argument"},
		{"linkFarm entries of another shape",
			`pkgs.linkFarm "x" [ { name = "a"; target = ./.; } ]`, "entries must be a list of { name, path }"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msg := evalError(t, `{ stubFile }: let pkgs = import stubFile { system = "x86_64-linux"; }; in builtins.deepSeq (`+tt.expr+`) true`,
				"--argstr", "stubFile", writeStub(t))
			if !strings.Contains(msg, tt.want) {
				t.Errorf("Nix said\n%s\nwant %q", msg, tt.want)
			}
		})
	}
}
