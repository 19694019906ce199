package fod

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// yarnRepo is discoverRepo with a generated yarn.nix of n fetchurl
// entries beside it.
func yarnRepo(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string][]byte{"yarn.nix": testutil.YarnNix(n)}
	for name, data := range discoverRepo {
		files[name] = []byte(data)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// BenchmarkDiscoverYarnNix is `hashbot init`'s discovery, with the real
// Nix, in a repository with a generated yarn.nix of 1,000 entries (265
// KB). Target: under 2 s (it did not finish in 120 s), most of it Nix's.
func BenchmarkDiscoverYarnNix(b *testing.B) {
	testutil.RequireNix(b)
	e := NewEngine(EngineOptions{Nix: nixcmd.New(nixcmd.Options{})})
	dir := yarnRepo(b, 1000)
	for b.Loop() {
		d, err := e.Discover(b.Context(), DiscoverRequest{Dir: dir, Entry: "default.nix"})
		if err != nil {
			b.Fatal(err)
		}
		if len(d.FODs) != 5 {
			b.Fatalf("discovered %+v, want discoverRepo's 5 FODs", d.FODs)
		}
	}
}

// BenchmarkFindCandidatesYarnNix is the reading `hashbot init` does of a
// repository with a generated yarn.nix: 1,000 entries (265 KB) and 4,000
// (1 MiB). Target: under 100 ms for 1,000 entries, under 1 s for 1 MiB
// (it took over 120 s for 1,000).
func BenchmarkFindCandidatesYarnNix(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		dir := yarnRepo(b, n)
		b.Run(map[int]string{1000: "entries=1000", 4000: "entries=4000"}[n], func(b *testing.B) {
			for b.Loop() {
				files, _, err := findCandidates(b.Context(), dir)
				if err != nil {
					b.Fatal(err)
				}
				if len(files["default.nix"]) == 0 || len(files["yarn.nix"]) != 0 {
					b.Fatalf("candidates %v, want default.nix's alone (yarn.nix's are not told apart)", files)
				}
			}
		})
	}
}

func TestFindCandidatesStopsWhenTheContextIsDone(t *testing.T) {
	dir := yarnRepo(t, 1000)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := findCandidates(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Errorf("findCandidates = %v, want context.Canceled", err)
	}
}

func TestFindCandidatesPassesOverWhatItCannotRead(t *testing.T) {
	dir := yarnRepo(t, 10)
	nested := make([]byte, 0, 3_900_000)
	nested = append(nested, "{ a = "...)
	for len(nested) < 3_900_000-10 {
		nested = append(nested, `"${`...)
	}
	if err := os.WriteFile(filepath.Join(dir, "nested.nix"), nested, 0o644); err != nil {
		t.Fatal(err)
	}
	files, _, err := findCandidates(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["nested.nix"]; ok || len(files["default.nix"]) == 0 {
		t.Errorf("candidates %v, want default.nix's, not nested.nix's", files)
	}
}
