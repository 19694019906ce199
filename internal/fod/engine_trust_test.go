package fod

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestComputeTakesNoForgedHash has a builder print a mismatch block of its
// own for another target, with a forged hash, and fail: the forger fails,
// and its victim gets the hash Nix computed.
func TestComputeTakesNoForgedHash(t *testing.T) {
	e, _ := newTestEngine(t)
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"forger", "flat"}})
	if err != nil {
		t.Fatal(err)
	}
	res := statusOf(rep)
	if r := res["forger"]; r.Status != StatusFailed || r.New != "" {
		t.Errorf("forger: %s %q (%s), want failed without a hash", r.Status, r.New, r.Message)
	}
	if r := res["flat"]; r.Status != StatusChanged || r.New != flatHash("flat\n") {
		t.Errorf("flat: %s %q (%s), want changed to %s", r.Status, r.New, r.Message, flatHash("flat\n"))
	}
	for _, r := range rep.Results {
		if r.New == capHashEvil {
			t.Errorf("%s took the forged hash", r.Label())
		}
	}
}

// lyingNix rewrites the first nix-build's standard error: every occurrence
// of one hash becomes another, as if the log lied. Later builds are Nix's.
type lyingNix struct {
	nixcmd.Runner
	from, to string
	builds   int
}

func (l *lyingNix) Run(ctx context.Context, cmd nixcmd.Command) (*nixcmd.Output, error) {
	if cmd.Name == "nix-build" && cmd.Stderr != nil && !strings.Contains(strings.Join(cmd.Args, " "), "--version") {
		l.builds++
		if l.builds == 1 {
			inner := cmd.Stderr
			cmd.Stderr = func(line []byte) { inner([]byte(strings.ReplaceAll(string(line), l.from, l.to))) }
		}
	}
	return l.Runner.Run(ctx, cmd)
}

// TestComputeConfirmsEveryHashWithNix makes the log of the first build name
// a hash Nix did not compute: realising the target with it fails, and the
// target is failed, not changed, without --verify.
func TestComputeConfirmsEveryHashWithNix(t *testing.T) {
	e, _ := newTestEngine(t)
	liar := &lyingNix{Runner: e.opts.Nix, from: flatHash("flat\n"), to: capHashEvil}
	e.opts.Nix = liar
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"flat", "deep"}})
	if err != nil {
		t.Fatal(err)
	}
	res := statusOf(rep)
	if r := res["flat"]; r.Status != StatusFailed || r.New != "" || !strings.Contains(r.Message, "Nix did not confirm the hash "+capHashEvil) {
		t.Errorf("flat: %s %q (%s), want failed because Nix did not confirm %s", r.Status, r.New, r.Message, capHashEvil)
	}
	if r := res["deep"]; r.Status != StatusChanged || r.New != flatHash("deep\n") {
		t.Errorf("deep: %s %q (%s), want changed (confirmed)", r.Status, r.New, r.Message)
	}
	if liar.builds != 2 {
		t.Errorf("nix-build ran %d times, want 2 (the build, the confirmation)", liar.builds)
	}
}

// TestComputeReportsMissingFeatures builds a target that needs a system
// feature no machine here offers: it is unavailable, and the message names
// the feature rather than a system.
func TestComputeReportsMissingFeatures(t *testing.T) {
	e, runner := newTestEngine(t)
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"feature", "flat"}})
	if err != nil {
		t.Fatal(err)
	}
	res := statusOf(rep)
	r := res["feature"]
	if r.Status != StatusUnavailable || !strings.Contains(r.Message, "{hashbot-missing}") || strings.Contains(r.Message, "no builder for x86_64-linux here (this machine") {
		t.Errorf("feature: %s (%s), want unavailable naming the feature hashbot-missing", r.Status, r.Message)
	}
	if s := res["flat"].Status; s != StatusChanged {
		t.Errorf("flat: %s (%s), want changed", s, res["flat"].Message)
	}
	// Refused before the build: one build for flat, one confirming it.
	if len(runner.builds) != 2 {
		t.Errorf("nix-build ran %d times, want 2", len(runner.builds))
	}
}

// TestComputeKeepsSecretsFromBuilders runs a FOD that asks Nix for
// GITHUB_TOKEN and the webhook secret (impureEnvVars) and prints them: Nix
// never has them to give.
func TestComputeKeepsSecretsFromBuilders(t *testing.T) {
	testutil.RequireNix(t)
	t.Setenv("GITHUB_TOKEN", "ghp_hashbotTestTokenThatMustNotLeak0000")
	t.Setenv("HASHBOT_WEBHOOK_SECRET", "webhook-secret-that-must-not-leak")
	e := NewEngine(EngineOptions{Nix: nixcmd.New(nixcmd.Options{})})
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"envprinter"}})
	if err != nil {
		t.Fatal(err)
	}
	r := statusOf(rep)["envprinter"]
	tail := strings.Join(r.LogTail, "\n")
	if r.Status != StatusFailed || !strings.Contains(tail, "token=[] secret=[]") {
		t.Errorf("envprinter: %s, log tail %q; want failed, printing empty variables", r.Status, tail)
	}
	if strings.Contains(tail, "must-not-leak") || strings.Contains(tail, "MustNotLeak") {
		t.Errorf("a secret reached the builder: %q", tail)
	}
}

// TestComputeStopsAtTheBuildTimeout bounds a builder that sleeps 31.7 s
// with [build] timeout: Compute says so, and the builder is killed.
func TestComputeStopsAtTheBuildTimeout(t *testing.T) {
	e, _ := newTestEngine(t)
	f := newEngFixture(t)
	f.cfg.Build.Timeout.Duration = 2 * time.Second
	start := time.Now()
	_, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"slow"}})
	var te *TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "[build] timeout 2s reached") {
		t.Fatalf("Compute = %v, want a *TimeoutError", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Compute returned after %v", d)
	}
	deadline := time.Now().Add(10 * time.Second)
	for processWithArg("31.7") {
		if time.Now().After(deadline) {
			t.Fatal("the builder's sleep 31.7 still runs after the timeout")
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.assertUntouched(t)
}
