package fod

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Hashes used across the parser tests: lib.fakeHash and the sha256 of the
// contents the capture script's builders write.
const (
	parseTestFake  = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	parseTestHashB = "sha256-NMx+yw2D2LsXDfU63xsE0KXpFNzTdO7VwoTewbWb598=" // "hashbot b"
	parseTestHashE = "sha256-NVWRcCmb4il/SE65pMi7S5D+LaF7rPkEqQk0oOHVBBU=" // "hashbot e"
	parseTestHashD = "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=" // "hello download"
)

var parseTestCommentRe = regexp.MustCompile(`(?m)^#.*$`)

// parseTestFixture reads testdata/logs/name with its "#" comment lines (the
// fixture's provenance) blanked, so line numbers stay those of the file.
func parseTestFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "logs", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseTestCommentRe.ReplaceAll(b, nil)
}

// parseTestAll runs ParseLog over log and returns every result.
func parseTestAll(t testing.TB, log []byte) []Result {
	t.Helper()
	var got []Result
	if err := ParseLog(bytes.NewReader(log), func(r Result) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatalf("ParseLog: %v", err)
	}
	return got
}

// TestParseLogFormats reads the logs built from Nix's and Lix's format
// strings (each file cites its source) and the adversarial ones; the logs
// captured from real Nix are TestParseLogCapturedNix's.
func TestParseLogFormats(t *testing.T) {
	tests := []struct {
		file string
		want []Result
	}{
		{"nix-2.3-text.log", []Result{
			{Kind: KindMismatch, Path: "/nix/store/9x7c5v3b1n9m7k5j3h1g9f7d5s3a1q9w-source", Specified: parseTestFake, Got: parseTestHashB, Line: 12},
			{Kind: KindBuildFailed, Path: "/nix/store/2b8z4g1t9w3x0c5e7d6j4l2n1q0r9s8v-vendor.drv", ExitCode: 1, Line: 15},
			{Kind: KindDownloadMismatch, URL: "https://example.org/archive/v1.2.3.tar.gz", Specified: parseTestFake, Got: parseTestHashD, Line: 18},
			{Kind: KindUnavailable, Path: "/nix/store/3c9a5h2u0x4y1d6f8e7k5m3p2r1s0t9w-darwin.drv", System: "aarch64-darwin", Host: "x86_64-linux", Line: 21},
		}},
		{"lix-2.91.log", []Result{
			{Kind: KindMismatch, Path: "/nix/store/sjfw324j4533lwnpmr5z4icpb85r63ai-x1.drv", Specified: parseTestFake, Got: parseTestHashB, Line: 5},
			{Kind: KindDependencyFailed, Path: "/nix/store/4d0b6i3v1y5z2f7g9h8l6n4q3s2t1v0x-app.drv", Line: 9},
		}},
		{"lix-2.94.log", []Result{
			{Kind: KindMismatch, Path: "/nix/store/5e1c7j4w2z6a3g8h0i9m7p5r4t3v2w1y-npm-deps.drv", Specified: parseTestFake, Got: parseTestHashE, Line: 7},
		}},
		{"nix-remote-builder.log", []Result{
			{Kind: KindMismatch, Path: "/nix/store/8h4f0m7z5c9d6j1k3l2q0s8u7w6y5z4b-go-modules.drv", Specified: parseTestFake, Got: parseTestHashB, Machine: "ssh-ng://builder@aarch64.example.org", Line: 5},
			{Kind: KindBuildFailed, Path: "/nix/store/9i5g1n8a6d0e7k2l4m3r1t9v8x7z6a5c-web.drv", ExitCode: 2, Machine: "ssh://builder@x86.example.org", Line: 8},
		}},
		{"nix-cannot-build.log", []Result{
			{Kind: KindUnavailable, Path: "/nix/store/0j6h2p9b7e1f8l3m5n4s2u0w9y8a7b6d-darwin-only.drv", System: "aarch64-darwin", Host: "x86_64-linux", Line: 5},
			{Kind: KindBuildFailed, Path: "/nix/store/1k7i3q0c8f2g9m4n6p5t3v1x0z9b8c7e-broken.drv", ExitCode: 2, Line: 9},
			{Kind: KindDependencyFailed, Path: "/nix/store/4n0l6t3f1i5j2q7r9s8w6y4a3c2e1f0h-app.drv", Line: 17},
		}},
		{"determinate-json.log", []Result{
			{Kind: KindMismatch, Path: "/nix/store/5p1m7u4g2j6k3r8s0t9x7z5b4d3f2g1i-src.drv", Specified: parseTestFake, Got: parseTestHashE, Line: 7},
		}},
		// Adversarial logs.
		{"adversarial-noise.log", nil},
		{"truncated.log", []Result{
			{Kind: KindIncomplete, Path: "/nix/store/9t5q1y8k6n0p7v2w4x3b1d9f8h7j6k5m-first.drv", Line: 4},
			{Kind: KindIncomplete, Path: "/nix/store/0v6r2z9l7p1q8w3x5y4c2e0g9i8k7l6n-second.drv", Specified: parseTestFake, Line: 5},
			{Kind: KindIncomplete, Path: "/nix/store/1w7s3a0m8q2r9x4y6z5d3f1h0j9l8m7p-third.drv", Specified: parseTestFake, Line: 8},
		}},
		{"odd-path.log", []Result{
			{Kind: KindMismatch, Path: "/nix/store/2x8t4b1n9r3s0y5z7a6e4g2i1k0m9n8q-foo+bar=baz?_.-1.0.drv", Specified: parseTestFake, Got: parseTestHashB, Line: 3},
			{Kind: KindMismatch, Path: "/opt/my store/3y9u5c2o0s4t1z6a8b7f5h3j2l1n0p9r-it's.drv", Specified: parseTestFake, Got: parseTestHashE, Line: 6},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			log := parseTestFixture(t, tt.file)
			if diff := cmp.Diff(tt.want, parseTestAll(t, log)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			// The same log with CRLF line endings reads the same.
			crlf := bytes.ReplaceAll(log, []byte("\n"), []byte("\r\n"))
			if diff := cmp.Diff(tt.want, parseTestAll(t, crlf)); diff != "" {
				t.Errorf("CRLF results (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseLogFixturesCiteTheirSource checks that every fixture says where it comes from.
func TestParseLogFixturesCiteTheirSource(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "logs", "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("# ")) {
			t.Errorf("%s: first line must be a \"# \" comment saying where the log comes from", f)
		}
	}
	if len(files) < 50 {
		t.Errorf("found %d fixtures, want at least 50 (captured from three Nix versions)", len(files))
	}
}
