package nix_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// The root flake (flake.nix) is evaluated here with nixpkgs overridden by
// nix/host-toolchain (its own flake.nix), as nixpkgs cannot be fetched: the
// host toolchain reads the host's Go, so evaluation is impure.

// flakeRepo copies the repository (without .git and bin/) into a temporary
// directory, for `path:` flake references: a git worktree's untracked files
// are invisible to a git flake, and the scripts/nix-matrix roots have no
// .git at all. It skips the test without a Nix that has flakes or without
// the Go the host toolchain links.
func flakeRepo(t *testing.T) string {
	t.Helper()
	testutil.RequireNix(t)
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("no nix command (Nix 2.4 or later has flakes)")
	}
	if _, err := os.Stat("/usr/lib/go/VERSION"); err != nil {
		if _, err := os.Stat("/usr/local/go/VERSION"); err != nil {
			t.Skip("no Go toolchain where the host toolchain looks (/usr/lib/go, /usr/local/go)")
		}
	}
	src, dst := repoRoot(t), t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && (rel == ".git" || rel == "bin") {
			return filepath.SkipDir
		}
		if d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular() && !d.IsDir() {
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying the repository: %v", err)
	}
	return dst
}

// nixFlake runs `nix ARGS…` with flakes enabled in dir and returns stdout;
// a failure ends the test with Nix's stderr.
func nixFlake(t *testing.T, dir string, args ...string) string {
	t.Helper()
	args = append([]string{"--extra-experimental-features", "nix-command flakes"}, args...)
	cmd := exec.CommandContext(t.Context(), "nix", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("nix %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// withHostToolchain are the arguments that evaluate the flake in dir with
// the host toolchain as its nixpkgs.
func withHostToolchain(dir string) []string {
	return []string{"--impure", "--no-write-lock-file",
		"--override-input", "nixpkgs", "path:" + filepath.Join(dir, "nix/host-toolchain")}
}

// nixSystem is Nix's name for this platform.
func nixSystem() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64-linux"
	}
	return "x86_64-linux"
}

// TestFlakePackageIsTheDerivationHashbotUpdates: the flake's outputs
// evaluate, and packages.default is nix/default.nix's hashbot, the
// derivation whose goModules hashbot.toml's [fod.hashbot-vendor] names, with
// the vendor hash from nix/sources.json: the same .drv given the same
// nixpkgs. The app runs its bin/hashbot; the overlay adds the same hashbot.
func TestFlakePackageIsTheDerivationHashbotUpdates(t *testing.T) {
	dir := flakeRepo(t)
	system := nixSystem()
	flake := "path:" + dir

	var show map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(nixFlake(t, dir, append([]string{"flake", "show", "--json", flake}, withHostToolchain(dir)...)...)), &show); err != nil {
		t.Fatalf("decoding nix flake show --json: %v", err)
	}
	for _, output := range []string{"packages", "apps", "devShells", "formatter"} {
		if _, ok := show[output][system]; !ok {
			t.Errorf("nix flake show: no %s.%s", output, system)
		}
	}
	if _, ok := show["overlays"]["default"]; !ok {
		t.Errorf("nix flake show: no overlays.default")
	}

	pkg := "packages." + system + ".default"
	got := map[string]string{}
	for k, attr := range map[string]string{
		"package":    pkg + ".drvPath",
		"vendor":     pkg + ".goModules.drvPath",
		"vendorHash": pkg + ".goModules.outputHash",
		"out":        pkg + ".outPath",
		"program":    "apps." + system + ".default.program",
		"shell":      "devShells." + system + ".default.drvPath",
	} {
		got[k] = nixFlake(t, dir, append([]string{"eval", "--raw", flake + "#" + attr}, withHostToolchain(dir)...)...)
	}
	if want := got["out"] + "/bin/hashbot"; got["program"] != want {
		t.Errorf("apps.%s.default.program = %q, want %q", system, got["program"], want)
	}
	if !strings.HasSuffix(got["shell"], ".drv") {
		t.Errorf("devShells.%s.default.drvPath = %q, want a derivation", system, got["shell"])
	}

	// The same attributes through nix/default.nix, as hashbot evaluates
	// hashbot.goModules, and through the overlay.
	var want map[string]string
	evalJSON(t, `{ dir }:
let
  pkgs = import (dir + "/nix/host-toolchain") { };
  hashbot = (import (dir + "/nix/default.nix") { inherit pkgs; }).hashbot;
  # The overlay needs neither self nor nixpkgs: it is applied to pkgs.
  overlay = ((import (dir + "/flake.nix")).outputs { self = { }; nixpkgs = { }; }).overlays.default;
  fromOverlay = (overlay pkgs pkgs).hashbot;
in {
  package = hashbot.drvPath;
  vendor = hashbot.goModules.drvPath;
  overlay = fromOverlay.drvPath;
  vendorHash = hashbot.goModules.outputHash;
}`, &want, "--argstr", "dir", dir)
	for _, k := range []string{"package", "vendor", "vendorHash"} {
		if got[k] != want[k] {
			t.Errorf("%s: the flake's %q, nix/default.nix's %q", k, got[k], want[k])
		}
	}
	if want["overlay"] != want["package"] {
		t.Errorf("overlays.default's hashbot is %s, want the package %s", want["overlay"], want["package"])
	}
}

// TestFlakeLockIsTheOneNixpkgsPin: flake.lock locks nixpkgs as flake.nix
// asks (nix flake metadata takes it without relocking), nix-build reads the
// very same pin through nix/lib.nix (the archive at the locked revision,
// checked against the locked narHash), and no second pin of nixpkgs is kept
// in nix/sources.json.
func TestFlakeLockIsTheOneNixpkgsPin(t *testing.T) {
	dir := flakeRepo(t)
	var meta struct {
		Locks struct {
			Nodes map[string]struct {
				Locked   map[string]any    `json:"locked"`
				Original map[string]string `json:"original"`
				Inputs   map[string]string `json:"inputs"`
			} `json:"nodes"`
		} `json:"locks"`
	}
	out := nixFlake(t, dir, "flake", "metadata", "--json", "--no-update-lock-file", "path:"+dir)
	if err := json.Unmarshal([]byte(out), &meta); err != nil {
		t.Fatalf("decoding nix flake metadata --json: %v", err)
	}
	node := meta.Locks.Nodes[meta.Locks.Nodes["root"].Inputs["nixpkgs"]]
	if diff := cmp.Diff(map[string]string{"type": "github", "owner": "NixOS", "repo": "nixpkgs", "ref": "nixos-26.05"}, node.Original); diff != "" {
		t.Errorf("the nixpkgs input follows (-want +got):\n%s", diff)
	}
	rev, _ := node.Locked["rev"].(string)
	if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(rev) {
		t.Fatalf("flake.lock locks nixpkgs at %q, want a commit", rev)
	}

	var src struct{ URL, SHA256 string }
	evalJSON(t, `{ dir }: let s = (import ./nix/lib.nix).nixpkgsSource (builtins.fromJSON (builtins.readFile (dir + "/flake.lock"))); in { URL = s.url; SHA256 = s.sha256; }`,
		&src, "--argstr", "dir", dir)
	want := struct{ URL, SHA256 string }{"https://github.com/NixOS/nixpkgs/archive/" + rev + ".tar.gz", node.Locked["narHash"].(string)}
	if src != want {
		t.Errorf("nix/lib.nix fetches nixpkgs as %+v, want flake.lock's %+v", src, want)
	}

	data, err := os.ReadFile(filepath.Join(dir, "nix/sources.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sources struct {
		Sources map[string]any `json:"sources"`
	}
	if err := json.Unmarshal(data, &sources); err != nil {
		t.Fatal(err)
	}
	if _, ok := sources.Sources["nixpkgs"]; ok {
		t.Errorf("nix/sources.json pins nixpkgs too (sources.nixpkgs): flake.lock is its one pin")
	}
}

// TestFlakeBuildsAndRuns builds packages.default with the host toolchain
// and runs `hashbot --help`. The vendor FOD goes to the Go module proxy and
// the build compiles every dependency, some minutes on two cores, so it
// runs only with HASHBOT_FLAKE_BUILD=1 (not in CI): the hash is the host
// toolchain's, found from Nix's mismatch and written into the copy's pins.
func TestFlakeBuildsAndRuns(t *testing.T) {
	if os.Getenv("HASHBOT_FLAKE_BUILD") != "1" {
		t.Skip("builds hashbot through the Go module proxy: set HASHBOT_FLAKE_BUILD=1")
	}
	dir := flakeRepo(t)
	t.Setenv("NIX_CONFIG", testutil.NixConfigNoSandbox)
	start := time.Now()
	attr := "path:" + dir + "#packages." + nixSystem() + ".default"
	build := func(args ...string) []string {
		return slices.Concat([]string{"--extra-experimental-features", "nix-command flakes", "build", "--no-link"}, withHostToolchain(dir), args)
	}

	// The pins hold null for hashbot-vendor: Nix names the real hash.
	out, err := exec.CommandContext(t.Context(), "nix", build(attr+".goModules")...).CombinedOutput()
	m := regexp.MustCompile(`got:\s+(sha256-[A-Za-z0-9+/]{43}=)`).FindSubmatch(out)
	if err == nil || m == nil {
		t.Fatalf("building the vendor FOD with an empty hash: %v, want a hash mismatch\n%s", err, out)
	}
	pinsPath := filepath.Join(dir, "nix/sources.json")
	pinsData, err := os.ReadFile(pinsPath)
	if err != nil {
		t.Fatal(err)
	}
	pinsData = bytes.Replace(pinsData, []byte(`"hashbot-vendor": null`), []byte(`"hashbot-vendor": "`+string(m[1])+`"`), 1)
	if err := os.WriteFile(pinsPath, pinsData, 0o644); err != nil {
		t.Fatal(err)
	}

	var built []struct {
		Outputs map[string]string `json:"outputs"`
	}
	out, err = exec.CommandContext(t.Context(), "nix", build("--json", attr)...).Output()
	if err != nil {
		t.Fatalf("nix build %s: %v", attr, err)
	}
	if err := json.Unmarshal(out, &built); err != nil || len(built) != 1 {
		t.Fatalf("nix build --json: %v (%s)", err, out)
	}
	result := built[0].Outputs["out"]
	help, err := exec.CommandContext(t.Context(), filepath.Join(result, "bin/hashbot"), "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(help), "hashbot") {
		t.Fatalf("%s/bin/hashbot --help: %v\n%s", result, err, help)
	}
	t.Logf("built %s in %s", result, time.Since(start).Round(time.Second))
}
