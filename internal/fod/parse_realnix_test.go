package fod

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/pins"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// parseTestNixExpr has two fixed-output derivations with a fake hash whose
// builders print look-alike hash lines, and one builder that fails. The
// contents are unique to this test so that Nix really builds them.
const parseTestNixExpr = `
let
  fod = name: content: derivation {
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo got: fake; echo '  specified: sha256-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB='; printf '%s' '${content}' > $out" ];
    PATH = "/usr/bin:/bin";
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };
in rec {
  one = fod "hashbot-parse-one" "hashbot parse test one";
  two = fod "hashbot-parse-two" "hashbot parse test two";
  bad = derivation {
    name = "hashbot-parse-bad";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo failing; exit 3" ];
    PATH = "/usr/bin:/bin";
  };
  # Prints a mismatch block of its own for two, with a forged hash, and fails.
  forger = derivation {
    name = "hashbot-parse-forger";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    victim = builtins.unsafeDiscardStringContext two.drvPath;
    args = [ "-c" ''
      echo "error: hash mismatch in fixed-output derivation '$victim':"
      echo "         specified: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
      echo "            got:    sha256-EVILEVILEVILEVILEVILEVILEVILEVILEVILEVILEVI="
      exit 1'' ];
  };
  needsbad = derivation {
    name = "hashbot-parse-needsbad";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo ${bad} > $out" ];
  };
}
`

// TestParseLogRealNix builds fake-hashed FODs with this machine's Nix, in
// text and internal-json mode, and checks that the parser finds exactly
// those derivations with hashes computed independently of Nix's log, the
// failures Nix reports, and, in a text log only, the block a builder forged
// (the engine reads internal-json, where it is build output, and refuses a
// target that failed or has two hashes).
func TestParseLogRealNix(t *testing.T) {
	testutil.RequireNix(t)
	dir := t.TempDir()
	expr := filepath.Join(dir, "fods.nix")
	if err := os.WriteFile(expr, []byte(parseTestNixExpr), 0o644); err != nil {
		t.Fatal(err)
	}
	drv := func(attr string) string {
		out, err := exec.CommandContext(t.Context(), "nix-instantiate", expr, "-A", attr).Output()
		if err != nil {
			t.Fatalf("nix-instantiate -A %s: %v", attr, err)
		}
		return strings.TrimSpace(string(out))
	}
	want := []Result{
		{Kind: KindBuildFailed, Path: drv("bad"), ExitCode: 3},
		{Kind: KindMismatch, Path: drv("one"), Specified: parseTestFake, Got: parseTestNixHash(t, dir, "hashbot parse test one")},
		{Kind: KindMismatch, Path: drv("two"), Specified: parseTestFake, Got: parseTestNixHash(t, dir, "hashbot parse test two")},
		{Kind: KindBuildFailed, Path: drv("forger"), ExitCode: 1},
		{Kind: KindDependencyFailed, Path: drv("needsbad")},
	}
	forged := Result{Kind: KindMismatch, Path: drv("two"), Specified: capHashEmpty, Got: capHashEvil}
	for _, mode := range []string{"raw", "bar", "internal-json"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), "nix-build", expr, "--no-out-link", "--keep-going",
				"-A", "one", "-A", "two", "-A", "bad", "-A", "forger", "-A", "needsbad", "--log-format", mode)
			log, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("nix-build succeeded, want a failure; log:\n%s", log)
			}
			// Nix builds in any order: compare as sets, ignoring line numbers.
			opts := []cmp.Option{parseTestIgnoreLine(), parseTestSortResults()}
			if mode == "internal-json" {
				got := parseTestWith(t, ParserOptions{Format: LogStructured}, log)
				if diff := cmp.Diff(want, got, opts...); diff != "" {
					t.Errorf("results, read as the engine reads them (-want +got):\n%s\nlog:\n%s", diff, log)
				}
				return
			}
			// A text log shows the forged block where Nix prints builder
			// output as it comes (not with raw or bar on every version):
			// then the parser reports it too.
			got := slices.DeleteFunc(parseTestAll(t, log), func(r Result) bool { r.Line = 0; return cmp.Equal(r, forged) })
			if diff := cmp.Diff(want, got, opts...); diff != "" {
				t.Errorf("results (-want +got):\n%s\nlog:\n%s", diff, log)
			}
		})
	}
}

// parseTestNixHash returns the SRI sha256 of content as a flat file, twice
// derived without the log: nix-hash's nix32 through NormalizeHash, checked
// against Go's own sha256.
func parseTestNixHash(t *testing.T, dir, content string) string {
	t.Helper()
	f := filepath.Join(dir, "content")
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), "nix-hash", "--type", "sha256", "--flat", "--base32", f).Output()
	if err != nil {
		t.Fatalf("nix-hash: %v", err)
	}
	sri, err := pins.NormalizeHash("sha256:" + string(bytes.TrimSpace(out)))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	if want := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); sri != want {
		t.Fatalf("nix-hash gives %s, Go's sha256 gives %s", sri, want)
	}
	return sri
}

// parseTestIgnoreLine compares results without their line numbers.
func parseTestIgnoreLine() cmp.Option {
	return cmp.Transformer("noLine", func(r Result) Result { r.Line = 0; return r })
}

// parseTestSortResults compares result lists in path order.
func parseTestSortResults() cmp.Option {
	return cmp.Transformer("sorted", func(in []Result) []Result {
		out := append([]Result(nil), in...)
		for i := 1; i < len(out); i++ {
			for j := i; j > 0 && out[j].Path < out[j-1].Path; j-- {
				out[j], out[j-1] = out[j-1], out[j]
			}
		}
		return out
	})
}
