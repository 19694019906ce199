package nixlit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/safefile"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// nodeNix is shaped like node2nix's node-packages.nix: a set of n sources,
// each named by an identifier, each with a version and a fetchurl's
// sha512, so that each hash's shortest path is its own (pkg_7.src.sha512).
func nodeNix(n int) []byte {
	var b strings.Builder
	b.WriteString("{ nodeEnv, fetchurl, fetchgit, nix-gitignore, stdenv, lib, globalBuildInputs ? [] }:\nlet\n  sources = {\n")
	for i := range n {
		fmt.Fprintf(&b, `    pkg_%d = {
      name = "pkg-%d";
      packageName = "pkg-%d";
      version = "1.0.%d";
      src = fetchurl {
        url = "https://registry.npmjs.org/pkg-%d/-/pkg-%d-1.0.%d.tgz";
        sha512 = "sha512-%064d";
      };
    };
`, i, i, i, i, i, i, i, i)
	}
	b.WriteString("  };\nin\n{\n  inherit sources;\n}\n")
	return []byte(b.String())
}

// TestParseReadsAFileInAFewPasses checks that listing the bindings of a
// generated file passes over it a constant number of times, and that the
// lookups behind each binding's shortest path look at a bounded number of
// bindings each, not at the whole file again.
func TestParseReadsAFileInAFewPasses(t *testing.T) {
	isHash := func(n string) bool { return n == "sha512" }
	tests := []struct {
		name      string
		src       []byte
		wantFound int
		wantPath  string // of the first found
	}{
		{name: "a yarn.nix of 10", src: testutil.YarnNix(10), wantFound: 10},
		{name: "a yarn.nix of 1,000", src: testutil.YarnNix(1000), wantFound: 1000},
		{name: "a node2nix file of 10", src: nodeNix(10), wantFound: 10, wantPath: "pkg_0.src.sha512"},
		{name: "a node2nix file of 1,000", src: nodeNix(1000), wantFound: 1000, wantPath: "pkg_0.src.sha512"},
	}
	passes := -1
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(t.Context(), tt.src)
			if err != nil {
				t.Fatal(err)
			}
			found, err := f.Bindings(t.Context(), isHash)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != tt.wantFound || found[0].Binding.Path != tt.wantPath {
				t.Fatalf("found %d, the first by %q; want %d, by %q", len(found), found[0].Binding.Path, tt.wantFound, tt.wantPath)
			}
			if passes == -1 {
				passes = f.passes
			}
			if f.passes != passes {
				t.Errorf("%d passes over the file, %d over another: want as many for any file", f.passes, passes)
			}
			if max := 8 * len(f.all); f.visits > max {
				t.Errorf("lookups looked at %d bindings, more than 8 × the file's %d", f.visits, len(f.all))
			}
		})
	}
}

// TestParseRefusesDeepNesting checks that nesting deeper than Nix is
// written is a *SyntaxError saying so, not a stack overflow: the 3.9 MB
// file of nested ${ that crashed `update` among them.
func TestParseRefusesDeepNesting(t *testing.T) {
	const n = 780_000 // 3.9 MB of "${ and }"
	tests := []struct {
		name, src string
		wantLine  int
	}{
		{name: "${ in strings, 3.9 MB", src: "{\n  a = " + strings.Repeat(`"${`, n) + strings.Repeat(`}"`, n) + ";\n}\n", wantLine: 2},
		{name: "${ as attribute names", src: "{ " + strings.Repeat("${", 10_000) + strings.Repeat("}", 10_000) + " = 1; }", wantLine: 1},
		{name: "unterminated ${", src: strings.Repeat(`"${`, n), wantLine: 1},
		{name: "sets in sets", src: strings.Repeat("a = {\n", 10_000) + strings.Repeat("};", 10_000), wantLine: maxNesting + 1},
		{name: "dotted paths in let", src: strings.Repeat("x.y = let\n", 1000) + "1", wantLine: maxNesting + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(t.Context(), []byte(tt.src))
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Reason, fmt.Sprintf("nested more than %d deep", maxNesting)) {
				t.Fatalf("Parse = %v; want a *SyntaxError saying it is nested too deep", err)
			}
			if se.Line != tt.wantLine {
				t.Errorf("line %d, want %d", se.Line, tt.wantLine)
			}
		})
	}
}

func TestParseRefusesAFileLargerThanTheLimit(t *testing.T) {
	src := []byte("{ a = \"" + strings.Repeat("x", safefile.MaxRepoFile) + "\"; }")
	if _, err := Parse(t.Context(), src); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("Parse of %d bytes = %v; want it refused", len(src), err)
	}
	if _, err := Locate(src, "a", 0); err == nil {
		t.Errorf("Locate of %d bytes succeeded", len(src))
	}
}

// TestScanStopsWhenTheContextIsDone checks that a cancelled context stops
// each stage of reading a file with its error.
func TestScanStopsWhenTheContextIsDone(t *testing.T) {
	src := testutil.YarnNix(1000)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		run  func() error
	}{
		{name: "Parse", run: func() error { _, err := Parse(cancelled, src); return err }},
		{name: "Bindings", run: func() error { _, err := Bindings(cancelled, src, func(string) bool { return true }); return err }},
		{name: "File.Bindings", run: func() error {
			f, err := Parse(t.Context(), src)
			if err != nil {
				return err
			}
			_, err = f.Bindings(cancelled, func(string) bool { return true })
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		})
	}
}
