package nixlit

import (
	"fmt"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// BenchmarkBindingsYarnNix lists the hash literals of generated yarn.nix
// files, as `hashbot init` does for each file of a repository: 100, 1,000
// (265 KB) and 4,000 entries (1 MiB). Target: under 50 ms for 1,000 and
// under 250 ms for 1 MiB, growing linearly (a rescan per binding made
// 200 entries take 11 s, and 1,000 more than 120 s).
func BenchmarkBindingsYarnNix(b *testing.B) {
	for _, n := range []int{100, 1000, 4000} {
		src := testutil.YarnNix(n)
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				found, err := Bindings(b.Context(), src, func(name string) bool { return name == "sha512" })
				if err != nil {
					b.Fatal(err)
				}
				if len(found) != n {
					b.Fatalf("found %d, want %d", len(found), n)
				}
			}
		})
	}
}

// BenchmarkLocateYarnNix looks for one attribute in a generated yarn.nix
// of 1,000 and of 8,000 entries (2.1 MB). Target: under 50 ms for 1,000
// (it was 400 ms) and under 500 ms for 2.1 MB (it was 24.6 s).
func BenchmarkLocateYarnNix(b *testing.B) {
	for _, n := range []int{1000, 8000} {
		src := testutil.YarnNix(n)
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Locate(src, "offline_cache", 0); err == nil {
					b.Fatal("offline_cache is no literal")
				}
			}
		})
	}
}
