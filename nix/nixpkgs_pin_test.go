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
// Nix gives its unpacked tree, as flake.lock's narHash records it.
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

// TestLockedNixpkgsIsTheDefault: without a pkgs argument, default.nix and
// test-build.nix import the nixpkgs the root flake's flake.lock locks,
// checked against its narHash; a wrong hash fails the evaluation, and a lock
// lib.nix cannot fetch from says why.
func TestLockedNixpkgsIsTheDefault(t *testing.T) {
	url, hash := stubNixpkgsArchive(t)
	wrong := pins.SRI([]byte("another tree"))
	lockWith := func(locked map[string]any) string {
		return writeJSON(t, map[string]any{
			"nodes": map[string]any{
				"root":      map[string]any{"inputs": map[string]any{"nixpkgs": "nixpkgs_2"}},
				"nixpkgs":   map[string]any{"locked": map[string]any{"type": "tarball", "url": "file:///nonexistent", "narHash": wrong}},
				"nixpkgs_2": map[string]any{"locked": locked},
			},
			"root":    "root",
			"version": 7,
		})
	}
	sources := writeJSON(t, map[string]any{
		"version": "2026.2.2",
		"hashes":  map[string]any{"python-deps": map[string]any{"x86_64-linux": pins.SRI([]byte("deps"))}},
	})
	expr := func(file string) string {
		return `{ lockFile, sourcesFile }: (import ./nix/` + file + ` {
  system = "x86_64-linux";
  sources = builtins.fromJSON (builtins.readFile sourcesFile);
  flakeLock = builtins.fromJSON (builtins.readFile lockFile);
}).python-deps.outputHash`
	}
	args := func(lock string) []string {
		return []string{"--argstr", "lockFile", lock, "--argstr", "sourcesFile", sources}
	}
	for _, file := range []string{"default.nix", "test-build.nix"} {
		t.Run(file, func(t *testing.T) {
			var got string
			evalJSON(t, expr(file), &got, args(lockWith(map[string]any{"type": "tarball", "url": url, "narHash": hash}))...)
			if want := pins.SRI([]byte("deps")); got != want {
				t.Errorf("python-deps.outputHash with the locked stub nixpkgs = %q, want %q", got, want)
			}
		})
	}
	for _, tt := range []struct {
		name   string
		locked map[string]any
		want   string
	}{
		{"wrong hash", map[string]any{"type": "tarball", "url": url, "narHash": wrong}, "hash mismatch"},
		{"a path input", map[string]any{"type": "path", "path": "/src", "narHash": hash},
			`flake.lock: the nixpkgs input is locked as "path"; nix/lib.nix fetches a github or tarball input`},
		{"no narHash", map[string]any{"type": "tarball", "url": url},
			"flake.lock: the nixpkgs input: narHash null is not an SRI sha256 hash"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if msg := evalError(t, expr("default.nix"), args(lockWith(tt.locked))...); !strings.Contains(msg, tt.want) {
				t.Errorf("Nix said:\n%s\nwant %q", msg, tt.want)
			}
		})
	}
}
