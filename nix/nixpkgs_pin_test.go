package nix_test

import (
	"archive/tar"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// stubNixpkgsArchive writes a nixpkgs-like archive (one top directory whose
// default.nix is the stub pkgs) and returns its file:// URL and the hash
// Nix gives its unpacked tree, as hashbot's source pin would record them.
func stubNixpkgsArchive(t *testing.T) (url, hash string) {
	t.Helper()
	if _, err := exec.LookPath("nix-prefetch-url"); err != nil {
		t.Skip("nix-prefetch-url not installed")
	}
	path := filepath.Join(t.TempDir(), "nixpkgs.tar.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, h := range []*tar.Header{
		{Name: "nixpkgs-0123abc/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "nixpkgs-0123abc/default.nix", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(stubPkgs))},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(stubPkgs)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	url = "file://" + path
	out, err := exec.CommandContext(t.Context(), "nix-prefetch-url", "--unpack", url).Output()
	if err != nil {
		t.Fatalf("nix-prefetch-url --unpack %s: %v", url, err)
	}
	hash, err = pins.NormalizeHash("sha256:" + strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return url, hash
}

// TestPinnedNixpkgsIsTheDefault: without a pkgs argument, default.nix and
// test-build.nix import the nixpkgs archive sources.json pins, checked
// against its hash; a wrong hash fails the evaluation, and an unpinned
// nixpkgs falls back to <nixpkgs> with a message saying so.
func TestPinnedNixpkgsIsTheDefault(t *testing.T) {
	url, hash := stubNixpkgsArchive(t)
	wrong := pins.SRI([]byte("another tree"))
	withPin := func(h any) string {
		return writeJSON(t, map[string]any{
			"version": "2026.2.2",
			"hashes":  map[string]any{"python-deps": map[string]any{"x86_64-linux": pins.SRI([]byte("deps"))}},
			"sources": map[string]any{"nixpkgs": map[string]any{"rev": "0123abc", "url": url, "hash": h}},
		})
	}
	expr := func(file string) string {
		return `{ sourcesFile }: (import ./nix/` + file + ` {
  system = "x86_64-linux";
  sources = builtins.fromJSON (builtins.readFile sourcesFile);
}).python-deps.outputHash`
	}
	for _, file := range []string{"default.nix", "test-build.nix"} {
		t.Run(file, func(t *testing.T) {
			var got string
			evalJSON(t, expr(file), &got, "--argstr", "sourcesFile", withPin(hash))
			if want := pins.SRI([]byte("deps")); got != want {
				t.Errorf("python-deps.outputHash with the pinned stub nixpkgs = %q, want %q", got, want)
			}
		})
	}
	t.Run("wrong hash", func(t *testing.T) {
		msg := evalError(t, expr("default.nix"), "--argstr", "sourcesFile", withPin(wrong))
		if !strings.Contains(msg, "hash mismatch") {
			t.Errorf("a nixpkgs archive that is not the pinned one evaluated; Nix said:\n%s", msg)
		}
	})
	t.Run("not pinned", func(t *testing.T) {
		onPath := t.TempDir()
		if err := os.WriteFile(filepath.Join(onPath, "default.nix"), []byte(stubPkgs), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(t.Context(), "nix-instantiate", "--eval", "--strict", "--json",
			"-E", expr("default.nix"), "--argstr", "sourcesFile", withPin(nil))
		cmd.Dir = repoRoot(t)
		cmd.Env = append(os.Environ(), "NIX_PATH=nixpkgs="+onPath)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("evaluating with <nixpkgs> from NIX_PATH: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "sources.nixpkgs is not pinned yet; using <nixpkgs> from NIX_PATH") {
			t.Errorf("an unpinned nixpkgs did not say it falls back to NIX_PATH; Nix said:\n%s", out)
		}
	})
}
