package nix_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestHashbotTomlDescribesTheAuthentikFODs loads the repository's
// hashbot.toml with hashbot's own loader and checks what it says.
func TestHashbotTomlDescribesTheAuthentikFODs(t *testing.T) {
	cfg, err := config.Load(repoRoot(t), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type fod struct {
		Attr           string
		Systems        []string
		Inputs         []string
		GoImports      string
		LocalGoImports string
		LocalInputs    []string
	}
	both := []string{"x86_64-linux", "aarch64-linux"}
	// Each FOD lists what its tool reads: uv every workspace member's
	// pyproject.toml, npm every workspace's package.json, go mod vendor
	// the packages the module imports.
	want := map[string]fod{
		"src": {Attr: "src", LocalInputs: []string{"nix/src.nix"}},
		"python-deps": {Attr: "python-deps", Systems: both,
			Inputs:      []string{"uv.lock", "pyproject.toml", "packages/*/pyproject.toml"},
			LocalInputs: []string{"flake.lock", "nix/python-deps.nix", "nix/uv-exclude-newer.py", "nix/strip-store-refs.sh"}},
		"webui-deps": {Attr: "webui-deps", Systems: both,
			Inputs:      []string{"web/package-lock.json", "web/package.json", "web/packages/*/package.json"},
			LocalInputs: []string{"flake.lock", "nix/webui-deps.nix"}},
		"server-vendor": {Attr: "server.goModules", Inputs: []string{"go.mod", "go.sum", "packages/client-go/*"}, GoImports: ".",
			LocalInputs: []string{"flake.lock", "nix/server.nix"}},
		"hashbot-vendor": {Attr: "hashbot.goModules", LocalGoImports: ".",
			LocalInputs: []string{"go.mod", "go.sum", "flake.lock", "nix/hashbot.nix"}},
		// Cargo.lock, the root manifest and every Cargo workspace member's.
		"worker-vendor": {Attr: "worker.cargoDeps",
			Inputs:      []string{"Cargo.lock", "Cargo.toml", "packages/*/Cargo.toml", "website/scripts/*/Cargo.toml"},
			LocalInputs: []string{"flake.lock", "nix/cargo-vendor.nix", "nix/cargo-vendor.py"}},
	}
	got := map[string]fod{}
	for name, f := range cfg.FODs {
		got[name] = fod{Attr: f.Attr, Systems: f.Systems, Inputs: f.Inputs, GoImports: f.GoImports.Dir,
			LocalGoImports: f.LocalGoImports.Dir, LocalInputs: f.LocalInputs}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("[fod] tables of hashbot.toml (-want +got):\n%s", diff)
	}
	// The whole package is built with the hashes, on both systems.
	if diff := cmp.Diff([]string{"assembled"}, cfg.Check.Attrs); diff != "" {
		t.Errorf("[check] attrs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"aarch64-linux", "x86_64-linux"}, cfg.CheckSystems()); diff != "" {
		t.Errorf("the systems the check builds for (-want +got):\n%s", diff)
	}
	if cfg.Entry != "nix/default.nix" || cfg.Pins != "nix/sources.json" {
		t.Errorf("entry, pins = %q, %q; want nix/default.nix, nix/sources.json", cfg.Entry, cfg.Pins)
	}
	if cfg.Upstream.Repo != "goauthentik/authentik" || cfg.Upstream.TagPrefix != "version/" {
		t.Errorf("[upstream] = %+v, want goauthentik/authentik with tag-prefix version/", cfg.Upstream)
	}
	// nixpkgs has one pin, flake.lock (lib.nix reads it), and gives every
	// FOD its tool but src, a plain fetch: each of them is stale when the
	// lock moves. A [source.nixpkgs] would be a second pin, in the pins.
	if _, ok := cfg.Sources["nixpkgs"]; ok {
		t.Errorf("[source.nixpkgs]: nixpkgs is pinned by flake.lock alone, not in %s too", cfg.Pins)
	}
	for _, name := range cfg.FODNames() {
		if fed := slices.Contains(cfg.FODs[name].LocalInputs, "flake.lock"); fed != (name != "src") {
			t.Errorf("[fod.%s] local-inputs has flake.lock: %v, want %v", name, fed, name != "src")
		}
	}
	for _, name := range cfg.FODNames() {
		for _, p := range cfg.FODs[name].LocalInputs {
			if _, err := os.Stat(filepath.Join(repoRoot(t), p)); err != nil {
				t.Errorf("[fod.%s] local-inputs: %v", name, err)
			}
		}
	}
}

// TestPinsFitTheConfig reads nix/sources.json with hashbot's pins package:
// every configured FOD has an entry of the right shape, per-system entries
// name exactly the configured systems, the file is byte for byte what
// hashbot would write (so its first update changes hashes only), and the one
// hash known without network is the real one.
func TestPinsFitTheConfig(t *testing.T) {
	cfg, err := config.Load(repoRoot(t), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := cfg.PinsLayout().Load(pins.ReadTree(cfg.Dir), "")
	if err != nil {
		t.Fatal(err)
	}
	p := stored.Pins
	if got := p.Version(); got != "2026.5.6" {
		t.Errorf("version = %q, want 2026.5.6", got)
	}
	if got, _ := p.Hash("src", ""); got != pinnedSrcHash {
		t.Errorf("hashes.src = %q, want the real %s", got, pinnedSrcHash)
	}
	// No hash computed with another toolchain than the pinned nixpkgs is
	// pinned: the worker's crates were vendored here only with the host
	// toolchain (docs/building-authentik.md), so hashes.worker-vendor is
	// null until hashbot computes it.
	if h, ok := p.Hash("worker-vendor", ""); ok {
		t.Errorf("hashes.worker-vendor = %q, want null (no hash Nix computed with the pinned nixpkgs)", h)
	}
	var raw struct {
		Hashes map[string]any `json:"hashes"`
	}
	data, err := os.ReadFile(filepath.Join(cfg.Dir, cfg.Pins))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for _, name := range cfg.FODNames() {
		fod := cfg.FODs[name]
		if err := p.CheckShape(name, fod.PerSystem()); err != nil {
			t.Errorf("%v", err)
		}
		if fod.PerSystem() {
			entry, _ := raw.Hashes[name].(map[string]any)
			var keys []string
			for k := range entry {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			wantKeys := slices.Sorted(slices.Values(fod.Systems))
			if diff := cmp.Diff(wantKeys, keys); diff != "" {
				t.Errorf("systems of hashes.%s (-want +got):\n%s", name, diff)
			}
		}
	}
	if diff := cmp.Diff(string(data), string(p.Marshal())); diff != "" {
		t.Errorf("nix/sources.json is not in hashbot's own format (-file +marshalled):\n%s", diff)
	}
}

// TestHashesLiveOnlyInThePins: no Nix file spells out a hash, so hashbot
// edits JSON only, and no placeholder hash is committed anywhere in nix/:
// neither a literal one nor nixpkgs' lib.fakeHash, and the pins hold real
// hashes or null, never a made-up "sha256-AAAA…".
func TestHashesLiveOnlyInThePins(t *testing.T) {
	sri := regexp.MustCompile(`sha(1|256|512)-[A-Za-z0-9+/]{20,}=*`)
	nix32 := regexp.MustCompile(`"[0-9a-df-np-sv-z]{52}"`) // an old-style base-32 sha256
	fake := regexp.MustCompile(`\bfake(Hash|Sha256|Sha512)\b`)
	// nix/ and its subdirectories (host-toolchain/).
	var files []string
	err := filepath.WalkDir(filepath.Join(repoRoot(t), "nix"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if name := filepath.Base(f); name == "sources.json" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, re := range []*regexp.Regexp{sri, nix32, fake} {
			if m := re.Find(data); m != nil {
				t.Errorf("%s spells out the hash %s; hashes belong in nix/sources.json", filepath.Base(f), m)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no files checked in nix/")
	}

	cfg, err := config.Load(repoRoot(t), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := cfg.PinsLayout().Load(pins.ReadTree(cfg.Dir), "")
	if err != nil {
		t.Fatal(err)
	}
	p := stored.Pins
	for _, name := range cfg.FODNames() {
		systems := cfg.FODs[name].Systems
		if !cfg.FODs[name].PerSystem() {
			systems = []string{""}
		}
		for _, sys := range systems {
			h, ok := p.Hash(name, sys)
			if !ok {
				continue // null: not computed yet
			}
			digest := strings.TrimRight(strings.TrimPrefix(h, "sha256-"), "=")
			if digest != "" && strings.Count(digest, digest[:1]) == len(digest) {
				t.Errorf("hashes.%s%s is the placeholder %s; write null until it is computed", name, suffix(cfg.FODs[name], sys), h)
			}
		}
	}
}

// TestNixAgreesWithTheConfig: lib.nix's supported systems are the systems of
// every per-system FOD, and its tag prefix is [upstream] tag-prefix.
func TestNixAgreesWithTheConfig(t *testing.T) {
	testutil.RequireNix(t)
	cfg, err := config.Load(repoRoot(t), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lib struct {
		Systems   []string `json:"systems"`
		TagPrefix string   `json:"tagPrefix"`
	}
	evalJSON(t, `let l = import ./nix/lib.nix; in { inherit (l) systems tagPrefix; }`, &lib)
	for _, name := range cfg.FODNames() {
		if fod := cfg.FODs[name]; fod.PerSystem() {
			if diff := cmp.Diff(lib.Systems, fod.Systems); diff != "" {
				t.Errorf("[fod.%s] systems differ from lib.nix's (-lib +toml):\n%s", name, diff)
			}
		}
	}
	if lib.TagPrefix != cfg.Upstream.TagPrefix {
		t.Errorf("lib.nix tagPrefix %q, hashbot.toml tag-prefix %q", lib.TagPrefix, cfg.Upstream.TagPrefix)
	}
}

// TestEveryFileAFODReadsIsALocalInput: a file of nix/ that a FOD's build
// names (a script such as ./strip-store-refs.sh, copied to the store when
// the derivation is evaluated) changes its output, so it must be among the
// FOD's local-inputs, or hashbot would not see the hash go stale.
func TestEveryFileAFODReadsIsALocalInput(t *testing.T) {
	testutil.RequireNix(t)
	cfg, err := config.Load(repoRoot(t), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var strs map[string][]string
	evalJSON(t, `{ stubFile }:
let
  a = import ./nix/test-build.nix { system = "x86_64-linux"; pkgs = import stubFile { system = "x86_64-linux"; }; };
  strings = v:
    if builtins.isString v then [ v ]
    else if builtins.isList v then builtins.concatMap strings v
    else if builtins.isAttrs v && v ? outPath then [ ]
    else if builtins.isAttrs v then builtins.concatMap (n: strings v.${n}) (builtins.attrNames v)
    else [ ];
  own = d: strings (builtins.removeAttrs d [ "outPath" "passthru" "goModules" "src" ]);
in
{
  python-deps = own a.python-deps;
  webui-deps = own a.webui-deps;
  server-vendor = own a.server.goModules;
  hashbot-vendor = own a.hashbot.goModules;
  worker-vendor = own a.worker.cargoDeps;
}`, &strs, "--argstr", "stubFile", writeStub(t))
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "nix", "*"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for fod, ss := range strs {
		all := strings.Join(ss, "\n")
		for _, f := range files {
			base := filepath.Base(f)
			if strings.HasSuffix(base, ".go") || !strings.Contains(all, "-"+base) {
				continue
			}
			checked++
			if !slices.Contains(cfg.FODs[fod].LocalInputs, "nix/"+base) {
				t.Errorf("%s's build reads nix/%s, which is not among its local-inputs in hashbot.toml", fod, base)
			}
		}
	}
	if checked < 3 {
		t.Errorf("found %d nix/ files named by the FODs, want at least python-deps' two scripts and cargo-vendor.py", checked)
	}
}
