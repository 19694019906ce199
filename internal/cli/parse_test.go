package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
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

var (
	parseCmdMismatch = map[string]any{
		"kind": "mismatch", "path": "/nix/store/xqwiyngfyp521pswkwwmil6zx2wcfkbl-b.drv",
		"specified": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"got":       "sha256-NMx+yw2D2LsXDfU63xsE0KXpFNzTdO7VwoTewbWb598=", "line": 4.0,
	}
	parseCmdDownload = map[string]any{
		"kind": "download-mismatch", "url": "https://example.org/x.tar.gz",
		"specified": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"got":       "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", "line": 8.0,
	}
	parseCmdFailed = map[string]any{
		"kind": "build-failed", "path": "/nix/store/rmckpbiciaiwwygdh970xqbgn2zsjfry-d.drv", "exit_code": 3.0, "line": 3.0,
	}
	parseCmdUnavailable = map[string]any{
		"kind": "unavailable", "path": "/nix/store/gkrmbz4ym2hkyqkanmjmpx3cxi0pqzxn-c.drv",
		"system": "riscv64-linux", "host": "x86_64-linux", "line": 7.0,
	}
	parseCmdIncomplete = map[string]any{
		"kind": "incomplete", "path": "/nix/store/0v6r2z9l7p1q8w3x5y4c2e0g9i8k7l6n-cut.drv", "line": 11.0,
	}
)

func TestParseCommand(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "build.log")
	if err := os.WriteFile(logFile, []byte(parseCmdLog), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no-such.log")
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    []map[string]any
		wantStderr string // a substring; "" means stderr may hold anything
	}{
		{name: "file", args: []string{"parse", logFile}, wantOut: []map[string]any{parseCmdMismatch, parseCmdDownload}, wantStderr: "incomplete"},
		{name: "stdin without FILE", args: []string{"parse"}, stdin: parseCmdLog, wantOut: []map[string]any{parseCmdMismatch, parseCmdDownload}},
		{name: "stdin as -", args: []string{"parse", "-"}, stdin: parseCmdLog, wantOut: []map[string]any{parseCmdMismatch, parseCmdDownload}},
		{name: "all kinds", args: []string{"parse", "--all", logFile},
			wantOut: []map[string]any{parseCmdFailed, parseCmdMismatch, parseCmdUnavailable, parseCmdDownload, parseCmdIncomplete}},
		{name: "nothing found is success", args: []string{"parse"}, stdin: "got: sha256-NMx+yw2D2LsXDfU63xsE0KXpFNzTdO7VwoTewbWb598=\n"},
		{name: "empty input", args: []string{"parse"}},
		{name: "missing file", args: []string{"parse", missing}, wantCode: ExitUsage, wantStderr: missing},
		{name: "directory", args: []string{"parse", dir}, wantCode: ExitUsage, wantStderr: dir},
		{name: "two files", args: []string{"parse", logFile, logFile}, wantCode: ExitUsage, wantStderr: "at most one FILE"},
		{name: "unknown flag", args: []string{"parse", "--bogus"}, wantCode: ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			var got []map[string]any
			dec := json.NewDecoder(&stdout)
			for dec.More() {
				var obj map[string]any
				if err := dec.Decode(&obj); err != nil {
					t.Fatalf("stdout is not JSON lines: %v", err)
				}
				got = append(got, obj)
			}
			if diff := cmp.Diff(tt.wantOut, got); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestParseCommandOneObjectPerLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"parse", "--all"}, strings.NewReader(parseCmdLog), &stdout, &stderr); code != ExitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d lines, want 5:\n%s", len(lines), stdout.String())
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("line %q is not one JSON object", l)
		}
	}
}

// TestParseCommandStopsOnInterruptWhileStdinBlocks feeds part of a log
// through a pipe that stays open (a terminal, `tail -f`) and cancels: the
// command must return at once with what it found, not wait for more input.
func TestParseCommandStopsOnInterruptWhileStdinBlocks(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	var stdout bytes.Buffer
	g := &globalOptions{stdin: pr, stdout: &stdout, log: zerolog.Nop()}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- parseRun(ctx, g, &parseOptions{}) }()
	first, _, _ := strings.Cut(parseCmdLog, "error: a 'riscv64-linux'")
	if _, err := io.WriteString(pw, first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the parser block on the next read
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("parse still waits on standard input after the interrupt")
	}
	if !strings.Contains(stdout.String(), parseCmdMismatch["got"].(string)) {
		t.Errorf("the mismatch read before the interrupt was not printed: %q", stdout.String())
	}
}
