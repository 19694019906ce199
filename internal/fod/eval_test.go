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
	if !strings.Contains(ee.Message, "syntax error") || !strings.Contains(ee.Message, "(at nix/default.nix:") {
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
	const root = "/tmp/hashbot-scratch-1"
	const repo = root + "/repo"
	tests := []struct {
		name string
		tail []string
		want string
	}{
		{"Nix 2.8: the message, then its position", []string{
			"warning: something",
			"error: undefined variable 'x'",
			"",
			"       at " + repo + "/nix/default.nix:3:5:",
			"            2| {",
			"            3|   a = x;",
			"             |     ^",
			"            4| }",
		}, "undefined variable 'x' (at nix/default.nix:3:5)"},
		{"Nix 2.26 and later: frames first, through hashbot's own expression", []string{
			"error:",
			"       … while evaluating list element at index 0",
			"",
			"       … while evaluating a branch condition",
			"         at " + root + "/eval.nix:15:5:",
			"           14|     let r = walk bySystem.${t.system} t.path; in",
			"           15|     if r ? missing then { missing = r.missing; }",
			"             |     ^",
			"",
			"       … while calling the 'throw' builtin",
			"         at " + repo + "/nix/default.nix:19:13:",
			"           18|   ok = 1;",
			"           19|   thrower = throw \"hashbot test: this attribute throws\";",
			"             |             ^",
			"           20| }",
			"",
			"       error: hashbot test: this attribute throws",
		}, "hashbot test: this attribute throws (at nix/default.nix:19:13)"},
		{"ANSI colours of a terminal", []string{
			"\x1b[31;1merror:\x1b[0m",
			"       … while calling the '\x1b[35;1mthrow\x1b[0m' builtin",
			"         \x1b[34;1mat \x1b[35;1m" + repo + "/nix/app.nix:2:3\x1b[0m:",
			"       \x1b[31;1merror:\x1b[0m boom",
		}, "boom (at nix/app.nix:2:3)"},
		{"a position only in hashbot's expression is left out", []string{
			"error:",
			"       … while evaluating a branch condition",
			"         at " + root + "/eval.nix:15:5:",
			"       error: attribute 'x' missing",
		}, "attribute 'x' missing"},
		{"a position outside the repository (nixpkgs) is kept", []string{
			"error: assertion failed",
			"       at /nix/store/abc-source/lib/asserts.nix:4:5:",
		}, "assertion failed (at /nix/store/abc-source/lib/asserts.nix:4:5)"},
		{"no error line: the last lines", []string{"something odd", "happened in " + repo + "/x.nix"},
			"something odd happened in x.nix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shortenEvalError(tt.tail, root, repo); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
