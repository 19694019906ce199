// Package nix_test checks the authentik Nix code in this directory without
// nixpkgs: every file parses, the pure pin logic in lib.nix evaluates as
// intended, default.nix exposes every attribute hashbot.toml names and feeds
// each FOD the hash from its own key in sources.json, and hashbot.toml,
// sources.json and the Nix code agree with each other.
package nix_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// repoRoot is the repository root, found from this file's location so the
// tests work from any working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// nixInstantiate runs nix-instantiate in the repository root and returns its
// stdout, or its stderr as the error text.
func nixInstantiate(t testing.TB, args ...string) (stdout string, stderr string, err error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "nix-instantiate", args...)
	cmd.Dir = repoRoot(t)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// evalJSON evaluates expr strictly and decodes its JSON value into v. Extra
// args (e.g. --argstr) are passed through.
func evalJSON(t testing.TB, expr string, v any, args ...string) {
	t.Helper()
	out, stderr, err := nixInstantiate(t, append([]string{"--eval", "--strict", "--json", "-E", expr}, args...)...)
	if err != nil {
		t.Fatalf("evaluating %s: %v\n%s", expr, err, stderr)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("decoding the value of %s: %v (output %q)", expr, err, out)
	}
}

// evalError evaluates expr, expects it to fail and returns Nix's message.
func evalError(t testing.TB, expr string, args ...string) string {
	t.Helper()
	out, stderr, err := nixInstantiate(t, append([]string{"--eval", "--strict", "--json", "-E", expr}, args...)...)
	if err == nil {
		t.Fatalf("evaluating %s succeeded with %s, want an error", expr, out)
	}
	return stderr
}

// writeJSON writes v as JSON to a new file in a temporary directory.
func writeJSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sources.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// stubPkgs stands in for nixpkgs where a test must walk into a derivation:
// each builder returns its arguments, or the one attribute hashbot reads,
// so that the hash a FOD declares is visible without building anything.
// Any other nixpkgs attribute that default.nix forced would be missing here,
// which is how the tests notice that pkgs is no longer evaluated lazily.
const stubPkgs = `{ system }:
let
  stdenv = { mkDerivation = args: args; hostPlatform.system = system; };
in
{
  inherit stdenv;
  stdenvNoCC = stdenv;
  fetchFromGitHub = args: { outputHash = args.hash; name = "source"; };
  buildGoModule = args: { goModules = { outputHash = args.vendorHash; }; };
  makeSetupHook = args: script: args // { inherit script; };
  writeShellScript = name: text: { inherit name text; };
}
`

// writeStub writes stubPkgs to a temporary file and returns its path.
func writeStub(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stub-pkgs.nix")
	if err := os.WriteFile(path, []byte(stubPkgs), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// nixList renders strings as a Nix list of string literals.
func nixList(xs []string) string {
	quoted := make([]string, len(xs))
	for i, x := range xs {
		b, _ := json.Marshal(x) // a JSON string is a valid Nix string here
		quoted[i] = string(b)
	}
	return "[ " + strings.Join(quoted, " ") + " ]"
}
