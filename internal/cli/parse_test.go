package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// parseCmdLog is a Nix 2.8 --keep-going log (as captured in
// internal/fod/testdata/logs) with a failed builder, a mismatch and a
// builder's own "got:" line.
const parseCmdLog = `building '/nix/store/xqwiyngfyp521pswkwwmil6zx2wcfkbl-b.drv'...
got: fake
error: builder for '/nix/store/rmckpbiciaiwwygdh970xqbgn2zsjfry-d.drv' failed with exit code 3
error: hash mismatch in fixed-output derivation '/nix/store/xqwiyngfyp521pswkwwmil6zx2wcfkbl-b.drv':
         specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
            got:    sha256-NMx+yw2D2LsXDfU63xsE0KXpFNzTdO7VwoTewbWb598=
error: a 'riscv64-linux' with features {} is required to build '/nix/store/gkrmbz4ym2hkyqkanmjmpx3cxi0pqzxn-c.drv', but I am a 'x86_64-linux' with features {kvm}
error: hash mismatch in file downloaded from 'https://example.org/x.tar.gz':
         specified: sha256:0000000000000000000000000000000000000000000000000000
         got:       sha256:1hd77wkri4blx24dflddfzwplq08r94s8ws1c4l10zs1qsfdhgzi
error: hash mismatch in fixed-output derivation '/nix/store/0v6r2z9l7p1q8w3x5y4c2e0g9i8k7l6n-cut.drv':
`

// parseCmdGot is the hash the log's fixed-output derivation got.
const parseCmdGot = "sha256-NMx+yw2D2LsXDfU63xsE0KXpFNzTdO7VwoTewbWb598="

func TestParseFlags(t *testing.T) {
	testFlags(t, newParseCmd, []flagCase[parseOptions]{
		{name: "no FILE reads standard input", want: parseOptions{}},
		{name: "a FILE", args: []string{"build.log"}, want: parseOptions{File: "build.log"}},
		{name: "- is standard input", args: []string{"-"}, want: parseOptions{File: "-"}},
		{name: "--all", args: []string{"--all", "build.log"}, want: parseOptions{File: "build.log", All: true}},
		{name: "two files are refused", args: []string{"a.log", "b.log"},
			wantErr: "parse takes at most one FILE, got 2 arguments", wantUsage: true},
		{name: "an unknown flag is refused", args: []string{"--bogus"}, wantErr: "unknown flag: --bogus"},
	})
}

// TestParseCommandStopsOnInterruptWhileStdinBlocks feeds part of a log
// through a pipe that stays open (a terminal, `tail -f`) and cancels: the
// command must return at once with what it found, not wait for more input.
func TestParseCommandStopsOnInterruptWhileStdinBlocks(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	var stdout bytes.Buffer
	opts := &parseOptions{IO: &ioStreams{In: pr, Out: &stdout, ErrOut: io.Discard}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- parseRun(ctx, opts) }()
	first, _, _ := strings.Cut(parseCmdLog, "error: a 'riscv64-linux'")
	if _, err := io.WriteString(pw, first); err != nil {
		t.Fatal(err)
	}
	// A pipe's write returns once the reader took it: when this second
	// one does, the parser has read all of the first and asks for more.
	if _, err := io.WriteString(pw, "\n"); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("parse still waits on standard input after the interrupt")
	}
	if !strings.Contains(stdout.String(), parseCmdGot) {
		t.Errorf("the mismatch read before the interrupt was not printed: %q", stdout.String())
	}
}
