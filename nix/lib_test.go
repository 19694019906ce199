package nix_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

const (
	// srcHash is the real NAR hash of authentik's version/2026.2.2 tarball.
	srcHash = "sha256-Xq7JGI/8ppIydIuWd9KRJKUrh7UpeniwvZ4NAtXbYJ4="
	// otherHash is another well-formed hash (authentik 2026.2.1's source).
	otherHash = "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw="
	// pinnedSrcHash is hashes.src of the committed pins: the NAR hash of
	// authentik's version/2026.5.6 tarball (commit 0c67ea47), as Nix
	// computed it for nix-community/authentik-nix's flake.lock
	// (authentik-src's narHash, the same archive fetchFromGitHub unpacks).
	pinnedSrcHash = "sha256-/HdXzjjvuSW7zjbCNJKm3Fj8gvIwfrDf8mOYev0yuIg="
)

func TestEveryNixFileParses(t *testing.T) {
	testutil.RequireNix(t)
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "nix", "*.nix"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 12 {
		t.Fatalf("found %d .nix files in nix/, want every component file", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, stderr, err := nixInstantiate(t, "--parse", f); err != nil {
				t.Fatalf("nix-instantiate --parse %s: %v\n%s", f, err, stderr)
			}
		})
	}
}

// libSources is a pins document in the expression language, with one
// computed per-system hash, one null and one missing system.
const libSources = `{
  version = "2026.2.2";
  hashes = {
    src = "` + srcHash + `";
    python-deps = { aarch64-linux = "` + otherHash + `"; x86_64-linux = null; };
    webui-deps = { aarch64-linux = null; };
    server-vendor = null;
    all-null = null;
    bad = "md5-nothex";
  };
}`

func TestLibPicksHashes(t *testing.T) {
	testutil.RequireNix(t)
	tests := []struct {
		name string
		expr string
		want any
	}{
		{"system-independent hash", `l.hash { sources = s; name = "src"; }`, srcHash},
		{"null is the empty hash", `l.hash { sources = s; name = "server-vendor"; }`, ""},
		{"hash of the asked system", `l.hashForSystem { sources = s; name = "python-deps"; system = "aarch64-linux"; }`, otherHash},
		{"null system hash is empty", `l.hashForSystem { sources = s; name = "python-deps"; system = "x86_64-linux"; }`, ""},
		{"missing system key is empty", `l.hashForSystem { sources = s; name = "webui-deps"; system = "x86_64-linux"; }`, ""},
		{"null per-system entry is empty", `l.hashForSystem { sources = s; name = "all-null"; system = "aarch64-linux"; }`, ""},
		{"orEmpty keeps a hash", `l.orEmpty "` + srcHash + `"`, srcHash},
		{"orEmpty of null", `l.orEmpty null`, ""},
		{"tag of a version", `l.tag s.version`, "version/2026.2.2"},
		{"fixed-output attributes", `l.fixedOutput ""`, map[string]any{
			"outputHash": "", "outputHashAlgo": "sha256", "outputHashMode": "recursive",
		}},
		{"supported systems", `l.systems`, []any{"x86_64-linux", "aarch64-linux"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			evalJSON(t, libExpr(tt.expr), &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestLibRejectsBadInput(t *testing.T) {
	testutil.RequireNix(t)
	tests := []struct {
		name string
		expr string
		want string
	}{
		{
			"unsupported system",
			`l.hashForSystem { sources = s; name = "python-deps"; system = "riscv64-linux"; }`,
			`authentik python-deps: unsupported system "riscv64-linux"; supported systems: x86_64-linux, aarch64-linux`,
		},
		{
			"per-system entry read as one hash",
			`l.hash { sources = s; name = "python-deps"; }`,
			"nix/sources.json: hashes.python-deps is an object keyed by system",
		},
		{
			"one hash read as per-system",
			`l.hashForSystem { sources = s; name = "src"; system = "x86_64-linux"; }`,
			"nix/sources.json: hashes.src must be an object keyed by system",
		},
		{
			"missing FOD",
			`l.hash { sources = s; name = "hashbot-vendor"; }`,
			`nix/sources.json: hashes.hashbot-vendor is missing (use null for "not computed yet")`,
		},
		{
			"malformed hash",
			`l.hash { sources = s; name = "bad"; }`,
			`nix/sources.json: hashes.bad: expected an SRI hash "sha256-…" or null`,
		},
		{
			"version not a string",
			`l.readPins { version = 2026; hashes = { }; }`,
			`nix/sources.json: "version" must be a string`,
		},
		{
			"version not a release",
			`l.readPins { version = "main"; hashes = { }; }`,
			`nix/sources.json: version "main" is not a release version`,
		},
		{
			"no hashes object",
			`l.readPins { version = "2026.2.2"; }`,
			`nix/sources.json: "hashes" must be an object`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := evalError(t, libExpr(tt.expr))
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error of %s:\n%s\nwant it to contain %q", tt.expr, msg, tt.want)
			}
		})
	}
}

// libExpr binds l to nix/lib.nix and s to libSources around expr.
func libExpr(expr string) string {
	return "let l = import ./nix/lib.nix; s = " + libSources + "; in " + expr
}

// TestNullHashMakesNixReportTheRealHash builds a tiny FOD whose pinned hash
// is null, through lib.nix as the derivations use it: Nix must accept the
// empty outputHash and answer with a hash mismatch that names the real hash.
func TestNullHashMakesNixReportTheRealHash(t *testing.T) {
	testutil.RequireNix(t)
	expr := `let
  l = import ./nix/lib.nix;
  hash = l.hash { sources = { version = "2026.2.2"; hashes.tiny = null; }; name = "tiny"; };
in
derivation ({
  name = "hashbot-nix-test-null-hash";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo authentik > $out" ];
  PATH = "/usr/bin:/bin";
} // l.fixedOutput hash)`
	// The expression is built from a file outside the repository, so it
	// imports lib.nix by absolute path.
	expr = strings.ReplaceAll(expr, "./nix/lib.nix", filepath.Join(repoRoot(t), "nix", "lib.nix"))
	drvPath := filepath.Join(t.TempDir(), "tiny.nix")
	if err := os.WriteFile(drvPath, []byte(expr), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "nix-build", "--no-out-link", drvPath)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("nix-build succeeded, want a hash mismatch:\n%s", out)
	}
	got := regexp.MustCompile(`got:\s+(sha256-[A-Za-z0-9+/]{43}=)`).FindSubmatch(out)
	if got == nil {
		t.Fatalf("no \"got: sha256-…\" in the nix-build output:\n%s", out)
	}
	// The NAR hash of a regular file holding "authentik\n"
	// (nix hash path --type sha256).
	const want = "sha256-OwJgg0BhoKm6/3HTDyOsyGpw9IG1WvzpkNREGFp5IKk="
	if string(got[1]) != want {
		t.Errorf("nix-build reported %s, want %s", got[1], want)
	}
	if !strings.Contains(string(out), "hash mismatch in fixed-output derivation") {
		t.Errorf("nix-build output lacks the hash mismatch:\n%s", out)
	}
}
