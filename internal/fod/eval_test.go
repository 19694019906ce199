package fod

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestComputeEvalErrorIsShortAndNamesTheFile(t *testing.T) {
	e, runner := newTestEngine(t)
	f := newEngFixture(t)
	entry := filepath.Join(f.dir, "nix/default.nix")
	data, _ := os.ReadFile(entry)
	os.WriteFile(entry, append(data, []byte("\n  broken = ;\n")...), 0o644)
	f.snap = snapshotTree(t, f.dir)
	_, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"flat"}})
	var ee *EvalError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *EvalError", err)
	}
	if !strings.Contains(ee.Message, "syntax error") || !strings.Contains(ee.Message, "nix/default.nix") {
		t.Errorf("message %q lacks Nix's error or the file", ee.Message)
	}
	if strings.Contains(ee.Message, "hashbot-scratch-") {
		t.Errorf("message %q shows the scratch directory", ee.Message)
	}
	if len(runner.builds) != 0 {
		t.Error("built after an evaluation error")
	}
	f.assertUntouched(t)
}

func TestShortenEvalError(t *testing.T) {
	tail := []string{
		"warning: something",
		"error: undefined variable 'x'",
		"",
		"       at /tmp/hashbot-scratch-1/repo/nix/default.nix:3:5:",
		"            2| {",
		"            3|   a = x;",
		"             |     ^",
		"            4| }",
	}
	got := shortenEvalError(tail, "/tmp/hashbot-scratch-1/repo")
	want := "error: undefined variable 'x' at nix/default.nix:3:5:"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
