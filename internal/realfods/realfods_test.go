package realfods

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// nixConfig: the host toolchain's tools live outside the store, so no
// sandbox; the builds run as root (no build users: under this workplace's
// process manager a build user's process that grows past about 1 GB is
// killed with its builder), with no binary cache to ask.
const nixConfig = "sandbox = false\nbuild-users-group =\nsubstituters =\nexperimental-features = nix-command"

var hashbotBin string

func TestMain(m *testing.M) {
	if os.Getenv("HASHBOT_REAL_FODS") == "1" {
		dir, err := os.MkdirTemp("", "realfods-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		hashbotBin = filepath.Join(dir, "hashbot")
		cmd := exec.Command("go", "build", "-o", hashbotBin, "github.com/hashbot-nix/hashbot/cmd/hashbot")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building hashbot:", err)
			os.Exit(1)
		}
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func requireReal(t *testing.T) {
	t.Helper()
	if os.Getenv("HASHBOT_REAL_FODS") != "1" {
		t.Skip("runs in scripts/real-root with HASHBOT_REAL_FODS=1 (make real-ci)")
	}
	t.Setenv("NIX_CONFIG", nixConfig)
}

// hostSystem is Nix's name for this platform.
func hostSystem() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64-linux"
	}
	return "x86_64-linux"
}

// newRepo makes a packaging repository holding the testdata directories
// named, one FOD each (attr = the directory's name in small-fods.nix), all
// hashes null.
func newRepo(t *testing.T, fods ...string) string {
	t.Helper()
	smallFods, err := filepath.Abs("../../nix/host-toolchain/small-fods.nix")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "nix"), 0o755); err != nil {
		t.Fatal(err)
	}
	var toml strings.Builder
	toml.WriteString("entry = \"nix/default.nix\"\npins = \"nix/sources.json\"\n\n[upstream]\nrepo = \"realfods/realfods\"\n")
	hashes := map[string]any{}
	for _, f := range fods {
		if err := os.CopyFS(filepath.Join(repo, f), os.DirFS(filepath.Join("testdata", f))); err != nil {
			t.Fatal(err)
		}
		if f == "cargo" {
			fmt.Fprintf(&toml, "\n[fod.%s]\nattr = %q\n", f, f)
		} else {
			fmt.Fprintf(&toml, "\n[fod.%s]\nattr = %q\nsystems = [%q]\n", f, f, hostSystem())
		}
		hashes[f] = nil
	}
	write(t, filepath.Join(repo, "hashbot.toml"), toml.String())
	write(t, filepath.Join(repo, "nix", "default.nix"), fmt.Sprintf(`{ system ? builtins.currentSystem }:
import %s {
  inherit system;
  root = ../.;
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
}
`, smallFods))
	pins, _ := json.Marshal(map[string]any{"version": "0.1.0", "hashes": hashes})
	write(t, filepath.Join(repo, "nix", "sources.json"), string(pins)+"\n")
	return repo
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

type result struct {
	FOD     string   `json:"fod"`
	Status  string   `json:"status"`
	New     string   `json:"new"`
	Message string   `json:"message"`
	LogTail []string `json:"log_tail"`
}

// hashbot runs `hashbot update --verify --json` in repo and returns its
// results, its stderr and whether it succeeded.
func hashbot(t *testing.T, repo string, args ...string) ([]result, string, error) {
	t.Helper()
	cmd := exec.Command(hashbotBin, append([]string{"update", "--repo", repo, "--verify", "--json", "--log-level", "warn"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var rep struct {
		Results []result `json:"results"`
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &rep); jerr != nil {
		t.Fatalf("hashbot's JSON: %v\nstdout:\n%s\nstderr:\n%s", jerr, stdout.String(), stderr.String())
	}
	return rep.Results, stderr.String(), err
}

// outPath builds attr of repo (its hash now pinned: a store look-up).
func outPath(t *testing.T, repo, attr string) string {
	t.Helper()
	out, err := exec.Command("nix-build", filepath.Join(repo, "nix", "default.nix"), "-A", attr, "--no-out-link").Output()
	if err != nil {
		t.Fatalf("nix-build -A %s after hashbot: %v", attr, err)
	}
	return strings.TrimSpace(string(out))
}

// TestRealFODsVerified: uv sync, npm ci and the Cargo vendor FOD of small
// real locks, computed and verified (built twice) by hashbot, written.
func TestRealFODsVerified(t *testing.T) {
	requireReal(t)
	repo := newRepo(t, "uv", "npm", "cargo")
	res, stderr, err := hashbot(t, repo)
	if err != nil {
		t.Fatalf("hashbot update --verify: %v\n%s\n%+v", err, stderr, res)
	}
	if len(res) != 3 {
		t.Fatalf("want 3 results, got %+v", res)
	}
	for _, r := range res {
		if r.Status != "changed" || !strings.HasPrefix(r.New, "sha256-") {
			t.Errorf("%s: status %s, hash %q: want changed (verified) with a hash; %s %v", r.FOD, r.Status, r.New, r.Message, r.LogTail)
		}
	}
	pins, err := os.ReadFile(filepath.Join(repo, "nix", "sources.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !bytes.Contains(pins, []byte(r.New)) {
			t.Errorf("sources.json lacks %s's hash %s:\n%s", r.FOD, r.New, pins)
		}
	}
	if t.Failed() {
		return
	}
	// What the outputs hold: the sdist-built extension, the registry
	// packages and the workspace's link, the crates.
	for attr, paths := range map[string][]string{
		"uv":    {"lib/python3.14/site-packages/psycopg_c/pq.cpython-314-" + map[string]string{"x86_64-linux": "x86_64", "aarch64-linux": "aarch64"}[hostSystem()] + "-linux-gnu.so", "lib/python3.14/site-packages/idna/__init__.py"},
		"npm":   {"node_modules/ms/package.json", "node_modules/is-number/package.json", "node_modules/@realfods/greet"},
		"cargo": {"source-registry-0/itoa-1.0.15/.cargo-checksum.json", "source-registry-0/cfg-if-1.0.1/src/lib.rs"},
	} {
		out := outPath(t, repo, attr)
		for _, p := range paths {
			if _, err := os.Lstat(filepath.Join(out, p)); err != nil {
				t.Errorf("%s: %v", attr, err)
			}
		}
	}
	// pyrad's and django-tenants' wheels both install docs/Makefile, and
	// which one was left changed from build to build with authentik's
	// lock: python-deps.nix keeps neither. Both packages are there.
	uv := outPath(t, repo, "uv")
	sp := filepath.Join(uv, "lib/python3.14/site-packages")
	if _, err := os.Lstat(filepath.Join(sp, "docs/Makefile")); err == nil {
		t.Errorf("uv: docs/Makefile, installed by two wheels, is in the output: which wheel's it is may change from build to build")
	}
	for _, p := range []string{"pyrad/__init__.py", "django_tenants/__init__.py"} {
		if _, err := os.Lstat(filepath.Join(sp, p)); err != nil {
			t.Errorf("uv: %v", err)
		}
	}
}

// TestRealFODRegistry404: a lock pinning a version the registry does not
// serve is a failed FOD whose reason names the package; nothing is written.
func TestRealFODRegistry404(t *testing.T) {
	requireReal(t)
	repo := newRepo(t, "npm404")
	pinsPath := filepath.Join(repo, "nix", "sources.json")
	before, err := os.ReadFile(pinsPath)
	if err != nil {
		t.Fatal(err)
	}
	res, stderr, err := hashbot(t, repo)
	if err == nil {
		t.Fatalf("hashbot update succeeded on a lock the registry cannot serve: %+v", res)
	}
	if len(res) != 1 || res[0].Status != "failed" {
		t.Fatalf("want one failed result, got %+v", res)
	}
	tail := strings.Join(res[0].LogTail, "\n")
	if !strings.Contains(tail, "404") || !strings.Contains(tail, "@patternfly/pfe-core") {
		t.Errorf("the failure does not show npm's 404 for @patternfly/pfe-core:\n%s", tail)
	}
	if !strings.Contains(stderr, "not written") {
		t.Errorf("hashbot does not say the pins were not written:\n%s", stderr)
	}
	after, err := os.ReadFile(pinsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("sources.json changed:\n%s\n->\n%s", before, after)
	}
}
