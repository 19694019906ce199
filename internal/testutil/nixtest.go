// Package testutil holds helpers shared by hashbot's tests: finding the real
// Nix and git, and the environment that makes real-Nix tests fast and offline.
// It is imported only from _test.go files.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NixConfig is the NIX_CONFIG real-Nix tests run with, on top of the
// machine's own nix.conf (the sandbox stays as the machine has it): no
// binary cache to wait on; aarch64-linux offered next to the host, so that
// per-platform derivations build here with a host builder; and, because the
// test derivations' builders are shell scripts that use the host's
// coreutils (there is no nixpkgs here), /usr and the ELF interpreter's
// /lib64 made visible inside Nix's sandbox where it is on (Nix 2.26 and
// later on Debian). Nothing else of the host is.
const NixConfig = "substituters =\nextra-platforms = aarch64-linux\nexperimental-features = nix-command\n" +
	"extra-sandbox-paths = /usr /lib64"

// NixConfigNoSandbox is NixConfig with the sandbox off, for the tests that
// build examples/: its builders run the host's Go and npm against the
// network, with the host's CA certificates and npm configuration, which a
// sandbox hides. `make demo` sets the same.
const NixConfigNoSandbox = NixConfig + "\nsandbox = false"

// RequireNix skips the test when nix-build is not on PATH, except in CI
// (CI=true), where .ci/run installs Nix and a missing one is a failure. It
// sets NIX_CONFIG for the test.
func RequireNix(t testing.TB) {
	t.Helper()
	requireTool(t, "nix-build")
	t.Setenv("NIX_CONFIG", NixConfig)
}

// RequireNixForExamples is RequireNix for the tests that build examples/
// (NixConfigNoSandbox).
func RequireNixForExamples(t testing.TB) {
	t.Helper()
	requireTool(t, "nix-build")
	t.Setenv("NIX_CONFIG", NixConfigNoSandbox)
}

// RequireGit skips the test when git is not on PATH, except in CI. It gives
// git an identity and isolates it from the user's configuration.
func RequireGit(t testing.TB) {
	t.Helper()
	requireTool(t, "git")
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "Test Author")
	t.Setenv("GIT_AUTHOR_EMAIL", "author@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Test Author")
	t.Setenv("GIT_COMMITTER_EMAIL", "author@example.com")
}

func requireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if strings.EqualFold(os.Getenv("CI"), "true") {
			t.Fatalf("%s is not on PATH in CI: .ci/run must install it", name)
		}
		t.Skipf("%s is not on PATH", name)
	}
}

// FakeNixInstall makes PATH a directory of its own holding only a nix
// binary that fails and nix-build (a link to it), for tests of what is
// keyed on the Nix installation rather than run by it; it returns the nix
// binary's path.
func FakeNixInstall(t testing.TB) string {
	t.Helper()
	bin := t.TempDir()
	nix := filepath.Join(bin, "nix")
	if err := os.WriteFile(nix, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nix", filepath.Join(bin, "nix-build")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	return nix
}
