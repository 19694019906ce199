package nix_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestDefaultNixNamesEverythingWithoutPkgs evaluates the entry's attribute
// names with a pkgs that throws when forced: the set of components is known
// without nixpkgs, which is what lets hashbot (and these tests) look up an
// attribute without building anything else.
func TestDefaultNixNamesEverythingWithoutPkgs(t *testing.T) {
	testutil.RequireNix(t)
	var got []string
	evalJSON(t, `builtins.attrNames (import ./nix/default.nix {
  system = "x86_64-linux";
  pkgs = throw "default.nix forced pkgs";
})`, &got)
	want := []string{
		"api-go-vendor-hook", "assembled", "authentik-django", "client-go", "client-ts",
		"hashbot", "python-deps", "server", "src", "webui", "webui-deps", "worker",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes of nix/default.nix (-want +got):\n%s", diff)
	}
}

// TestEveryConfiguredFODReadsItsOwnHash walks each hashbot.toml attr path
// (server.goModules included) in default.nix's result, with a stub pkgs, and
// checks that the FOD declares exactly the hash at hashes.<name>[.<system>]
// of the pins it was given: every FOD gets a distinct hash, so a FOD reading
// another's key, or another system's, is caught.
func TestEveryConfiguredFODReadsItsOwnHash(t *testing.T) {
	testutil.RequireNix(t)
	cfg, err := config.Load(repoRoot(t), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string]any{}
	want := map[string]string{} // "<fod> <system>" -> hash
	for _, name := range cfg.FODNames() {
		fod := cfg.FODs[name]
		if !fod.PerSystem() {
			h := pins.SRI([]byte(name))
			hashes[name] = h
			want[name+" "] = h
			continue
		}
		bySystem := map[string]any{}
		for _, sys := range fod.Systems {
			h := pins.SRI([]byte(name + "/" + sys))
			bySystem[sys] = h
			want[name+" "+sys] = h
		}
		hashes[name] = bySystem
	}
	sourcesPath := writeJSON(t, map[string]any{"version": "2026.5.6", "hashes": hashes, "inputs": map[string]any{}})
	stubPath := writeStub(t)

	for _, name := range cfg.FODNames() {
		fod := cfg.FODs[name]
		for _, sys := range fodSystems(fod) {
			t.Run(name+"/"+sys, func(t *testing.T) {
				var got string
				evalJSON(t, fodHashExpr(sys, fod.Attr, true), &got,
					"--argstr", "sourcesFile", sourcesPath, "--argstr", "stubFile", stubPath)
				key := name + " "
				if fod.PerSystem() {
					key += sys
				}
				if got != want[key] {
					t.Errorf("%s (attr %s) on %s declares %q, want hashes.%s%s = %q",
						name, fod.Attr, sys, got, name, suffix(fod, sys), want[key])
				}
			})
		}
	}
}

// TestCommittedPinsReachEveryFOD evaluates each FOD with the committed
// nix/sources.json: a computed hash is declared as pinned, and a null one
// ("not computed yet") reaches Nix as the empty string, never as null, which
// buildGoModule would read as "no vendor directory" instead of asking Nix for
// the hash.
func TestCommittedPinsReachEveryFOD(t *testing.T) {
	testutil.RequireNix(t)
	cfg, err := config.Load(repoRoot(t), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := readPins(filepath.Join(cfg.Dir, cfg.Pins))
	if err != nil {
		t.Fatal(err)
	}
	stubPath := writeStub(t)
	for _, name := range cfg.FODNames() {
		fod := cfg.FODs[name]
		for _, sys := range fodSystems(fod) {
			t.Run(name+"/"+sys, func(t *testing.T) {
				pinSystem := ""
				if fod.PerSystem() {
					pinSystem = sys
				}
				want, ok := p.Hash(name, pinSystem)
				if !ok {
					want = ""
				}
				var got any
				evalJSON(t, fodHashExpr(sys, fod.Attr, false), &got, "--argstr", "stubFile", stubPath)
				if got != want {
					t.Errorf("%s (attr %s) on %s declares %#v, want %q", name, fod.Attr, sys, got, want)
				}
			})
		}
	}
}

// TestSourceIsTheReleaseTag: src fetches goauthentik/authentik at the tag
// version/<version> of the pins, with the pinned hash.
func TestSourceIsTheReleaseTag(t *testing.T) {
	testutil.RequireNix(t)
	var got map[string]string
	evalJSON(t, `{ stubFile }:
let
  src = (import ./nix/default.nix {
    system = "x86_64-linux";
    pkgs = import stubFile { system = "x86_64-linux"; };
    sources = { version = "2026.2.1"; hashes.src = "`+otherHash+`"; };
  }).src;
in
{ inherit (src) owner repo tag hash; }`, &got, "--argstr", "stubFile", writeStub(t))
	want := map[string]string{"owner": "goauthentik", "repo": "authentik", "tag": "version/2026.2.1", "hash": otherHash}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fetchFromGitHub arguments of src (-want +got):\n%s", diff)
	}
}

// fodSystems lists the systems a FOD is evaluated for: its own, or both
// supported systems for a FOD with one hash (the same on each).
func fodSystems(fod config.FOD) []string {
	if fod.PerSystem() {
		return fod.Systems
	}
	return []string{"x86_64-linux", "aarch64-linux"}
}

// fodHashExpr is a function of stubFile (and sourcesFile when withSources)
// that evaluates nix/default.nix for sys with the stub pkgs, walks the dotted
// attr path and returns the outputHash declared there.
func fodHashExpr(sys, attr string, withSources bool) string {
	args, sources := "{ stubFile }", ""
	if withSources {
		args, sources = "{ sourcesFile, stubFile }", "sources = builtins.fromJSON (builtins.readFile sourcesFile);"
	}
	return fmt.Sprintf(`%s:
let
  result = import ./nix/default.nix {
    system = %q;
    pkgs = import stubFile { system = %q; };
    %s
  };
  walk = set: name:
    if builtins.isAttrs set && builtins.hasAttr name set then set.${name}
    else throw "attribute ${name} of %s is missing";
in
(builtins.foldl' walk result %s).outputHash`, args, sys, sys, sources, attr, nixList(strings.Split(attr, ".")))
}

func suffix(fod config.FOD, sys string) string {
	if fod.PerSystem() {
		return "." + sys
	}
	return ""
}

// TestDefaultNixRefusesPkgsOfAnotherSystem: per-system hashes are picked by
// `system`, so a pkgs for another platform must not silently get them.
func TestDefaultNixRefusesPkgsOfAnotherSystem(t *testing.T) {
	testutil.RequireNix(t)
	msg := evalError(t, `{ stubFile }: (import ./nix/default.nix {
  system = "aarch64-linux";
  pkgs = import stubFile { system = "x86_64-linux"; };
}).python-deps.outputHash`, "--argstr", "stubFile", writeStub(t))
	want := "nix/default.nix: system is aarch64-linux but pkgs is for x86_64-linux"
	if !strings.Contains(msg, want) {
		t.Errorf("error:\n%s\nwant it to contain %q", msg, want)
	}
}

// TestUnsupportedSystemNamesTheSupportedOnes: asking for a per-system FOD on
// a system without hashes fails with the list of supported systems.
func TestUnsupportedSystemNamesTheSupportedOnes(t *testing.T) {
	testutil.RequireNix(t)
	msg := evalError(t, `{ stubFile }: (import ./nix/default.nix {
  system = "riscv64-linux";
  pkgs = import stubFile { system = "riscv64-linux"; };
}).webui-deps.outputHash`, "--argstr", "stubFile", writeStub(t))
	want := `authentik webui-deps: unsupported system "riscv64-linux"; supported systems: x86_64-linux, aarch64-linux`
	if !strings.Contains(msg, want) {
		t.Errorf("error:\n%s\nwant it to contain %q", msg, want)
	}
}

// TestEveryComponentIsWiredUp calls every component file the way default.nix
// and test-build.nix do, with the stub pkgs: a file given an argument it does
// not take, or missing one it needs, fails here.
func TestEveryComponentIsWiredUp(t *testing.T) {
	testutil.RequireNix(t)
	for _, entry := range []string{"default.nix", "test-build.nix"} {
		t.Run(entry, func(t *testing.T) {
			var got map[string]bool
			evalJSON(t, fmt.Sprintf(`{ stubFile }:
let
  result = import ./nix/%s {
    system = "x86_64-linux";
    pkgs = import stubFile { system = "x86_64-linux"; };
  };
in
builtins.mapAttrs (name: value: builtins.isAttrs value) result`, entry),
				&got, "--argstr", "stubFile", writeStub(t))
			if len(got) == 0 {
				t.Fatalf("%s has no attributes", entry)
			}
			for name, ok := range got {
				if !ok {
					t.Errorf("%s: %s is not an attribute set", entry, name)
				}
			}
		})
	}
}

// readPins parses the pins file at path.
func readPins(path string) (*pins.Pins, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return pins.Parse(data, path)
}
