package fod

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// parseBenchNoise is build output as hashbot meets it: compiler and
// package-manager chatter, some of it quoted, some of it coloured, some of
// it internal-json progress, and look-alike hash lines.
var parseBenchNoise = []string{
	"building '/nix/store/1n7y3f0s8v2w9b4d6c5h3k1m0p9q8r7s-authentik-web-deps.drv'...",
	"npm http fetch GET 200 https://registry.npmjs.org/got 12ms (cache miss)",
	"go: downloading github.com/sindresorhus/got v1.0.0",
	"cc -O2 -Wall -c src/main.c -o build/main.o",
	"src/main.c:12:5: warning: unused variable 'x' [-Wunused-variable]",
	"  got: 11.8.6",
	"\x1b[32m✓\x1b[0m compiled 1284 modules in 3.21s",
	"    hash_test.go:13: got:    sha256-NVWRcCmb4il/SE65pMi7S5D+LaF7rPkEqQk0oOHVBBU=",
	`@nix {"action":"result","fields":[0,12,1,3],"id":53678501265410,"type":105}`,
	`@nix {"action":"result","fields":["vite v5.2.0 building for production..."],"id":53678501265413,"type":101}`,
	"added 1523 packages, and audited 1524 packages in 41s",
	"copying path '/nix/store/2b8z4g1t9w3x0c5e7d6j4l2n1q0r9s8v-source' from 'https://cache.nixos.org'...",
}

// parseBenchReader produces size bytes of build noise with a mismatch block
// after every 10 MB, generated as it is read so that it holds no log in memory.
type parseBenchReader struct {
	size, done int
	line, mm   int
	buf        []byte // reused for each generated line
	pending    []byte // what is left of the current line
}

func (r *parseBenchReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pending) == 0 {
			if r.done >= r.size {
				break
			}
			if r.done/(10<<20) > r.mm {
				r.mm++
				r.buf = fmt.Appendf(r.buf[:0], "error: hash mismatch in fixed-output derivation '/nix/store/%032d-fod.drv':\n%s\n%s\n",
					r.mm, parseTestSpec, parseTestGot)
			} else {
				r.buf = append(append(r.buf[:0], parseBenchNoise[r.line%len(parseBenchNoise)]...), '\n')
				r.line++
			}
			r.pending = r.buf
		}
		c := copy(p[n:], r.pending)
		r.pending = r.pending[c:]
		n += c
		r.done += c
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// BenchmarkParseLog parses a 100 MB log of mostly build noise with nine
// mismatches (one every 10 MB). Target: ≥ 300 MB/s.
func BenchmarkParseLog(b *testing.B) {
	const size = 100 << 20
	log, err := io.ReadAll(&parseBenchReader{size: size})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		found := 0
		if err := ParseLog(bytes.NewReader(log), func(Result) error { found++; return nil }); err != nil {
			b.Fatal(err)
		}
		if found != 9 {
			b.Fatalf("found %d mismatches, want 9", found)
		}
	}
}

// TestParseLogMemoryDoesNotGrow parses a generated 8 MB and a 64 MB log
// and checks that the larger one costs the parser no more memory: what it
// allocates is the read buffer and the results, not the log.
func TestParseLogMemoryDoesNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 72 MB")
	}
	alloc := func(size int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := ParseLog(&parseBenchReader{size: size}, func(Result) error { return nil }); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(8<<20), alloc(64<<20)
	t.Logf("allocated %d bytes for 8 MB, %d for 64 MB", small, large)
	if large > small+256<<10 {
		t.Errorf("parsing 64 MB allocated %d bytes, 8 MB %d: memory grows with the log", large, small)
	}
}
