package fod

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestCheckBuildsTheAttrsWithTheNewHashes builds a package from two FODs
// with the hashes just computed, on both systems, and says of each
// attribute × system whether it built, which derivation failed (with its
// log, redacted), or why it was not tried.
func TestCheckBuildsTheAttrsWithTheNewHashes(t *testing.T) {
	testutil.RequireNix(t)
	tests := []struct {
		name string
		// flags are files dropped in nix/ to break the package.
		flags []string
		// systems is Request.Systems.
		systems []string
		want    map[string]CheckStatus
		failed  string // the derivation named as failed
		inLog   string // a line of the failed derivation's log
		// timeout is [check] timeout; message a part of every failure's.
		timeout time.Duration
		message string
	}{
		{name: "a package that builds is built on every system",
			want: map[string]CheckStatus{"assembled (aarch64-linux)": CheckBuilt, "assembled (x86_64-linux)": CheckBuilt}},
		{name: "a failing dependency is named, with its log",
			flags:  []string{"worker-broken"},
			want:   map[string]CheckStatus{"assembled (aarch64-linux)": CheckFailed, "assembled (x86_64-linux)": CheckFailed},
			failed: "app-worker", inLog: "error: Cargo.lock has no vendor FOD"},
		{name: "a system whose FODs failed is not tried",
			flags: []string{"deps-broken"},
			want:  map[string]CheckStatus{"assembled (aarch64-linux)": CheckNotTried, "assembled (x86_64-linux)": CheckNotTried}},
		{name: "the check's own timeout stops its builds, not the hashes",
			flags: []string{"worker-slow"}, systems: []string{"x86_64-linux"}, timeout: time.Second,
			want:    map[string]CheckStatus{"assembled (x86_64-linux)": CheckFailed},
			message: "[check] timeout"},
		{name: "only the systems asked for",
			systems: []string{"aarch64-linux"},
			want:    map[string]CheckStatus{"assembled (aarch64-linux)": CheckBuilt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEngFixtureFrom(t, "testdata/engine/check-repo")
			for _, flag := range tt.flags {
				if err := os.WriteFile(filepath.Join(f.dir, "nix", flag), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			f.cfg.Check.Timeout.Duration = tt.timeout
			e := NewEngine(EngineOptions{Nix: nixcmd.New(nixcmd.Options{}),
				Redact: func(s string) string { return strings.ReplaceAll(s, "SECRET-TOKEN", "***") }})
			rep, err := e.Compute(context.Background(), Request{Config: f.cfg, Pins: f.pins, Systems: tt.systems})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]CheckStatus{}
			for _, c := range rep.Checks {
				got[c.Label()] = c.Status
				if c.Status == CheckFailed && tt.message != "" {
					if !strings.Contains(c.Message, tt.message) {
						t.Errorf("%s: message %q, want %q in it", c.Label(), c.Message, tt.message)
					}
					continue
				}
				if c.Status == CheckFailed {
					if c.Failed != tt.failed {
						t.Errorf("%s: failed derivation %q, want %q (%s)", c.Label(), c.Failed, tt.failed, c.Message)
					}
					log := strings.Join(c.LogTail, "\n")
					if !strings.Contains(log, tt.inLog) || strings.Contains(log, "SECRET-TOKEN") || !strings.Contains(log, "token=***") {
						t.Errorf("%s: log tail %q: want %q in it, redacted", c.Label(), log, tt.inLog)
					}
				}
				if c.Status == CheckNotTried && !strings.Contains(c.Message, "deps") {
					t.Errorf("%s: not tried because %q: want the failed FOD named", c.Label(), c.Message)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckIsSkippedWhenAsked(t *testing.T) {
	testutil.RequireNix(t)
	f := newEngFixtureFrom(t, "testdata/engine/check-repo")
	e := NewEngine(EngineOptions{Nix: nixcmd.New(nixcmd.Options{})})
	rep, err := e.Compute(context.Background(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"src"}, SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checks != nil {
		t.Errorf("Checks = %v, want none", rep.Checks)
	}
}

func TestMergeChecksSaysAFailureFoundAnywhere(t *testing.T) {
	cfg, err := config.Parse([]byte("[upstream]\nrepo = \"o/r\"\n[fod.deps]\nattr = \"deps\"\nsystems = [\"x86_64-linux\", \"aarch64-linux\"]\n[check]\nattrs = [\"assembled\"]\n"), "/repo")
	if err != nil {
		t.Fatal(err)
	}
	report := func(checks ...CheckResult) *Report { return &Report{Checks: checks} }
	built := func(sys string) CheckResult { return CheckResult{Attr: "assembled", System: sys, Status: CheckBuilt} }
	failed := CheckResult{Attr: "assembled", System: "x86_64-linux", Status: CheckFailed, Failed: "app-worker"}
	notTried := CheckResult{Attr: "assembled", System: "aarch64-linux", Status: CheckNotTried}
	tests := []struct {
		name    string
		reports []NamedReport
		want    map[string]CheckStatus
	}{
		{"each platform's own", []NamedReport{{"x.json", report(built("x86_64-linux"))}, {"a.json", report(built("aarch64-linux"))}},
			map[string]CheckStatus{"assembled (aarch64-linux)": CheckBuilt, "assembled (x86_64-linux)": CheckBuilt}},
		{"a failure wins over a build", []NamedReport{{"x.json", report(built("x86_64-linux"), built("aarch64-linux"))}, {"y.json", report(failed)}},
			map[string]CheckStatus{"assembled (aarch64-linux)": CheckBuilt, "assembled (x86_64-linux)": CheckFailed}},
		{"a build wins over not tried", []NamedReport{{"x.json", report(built("x86_64-linux"), notTried)}, {"a.json", report(built("aarch64-linux"))}},
			map[string]CheckStatus{"assembled (aarch64-linux)": CheckBuilt, "assembled (x86_64-linux)": CheckBuilt}},
		{"a platform without results is not tried", []NamedReport{{"x.json", report(built("x86_64-linux"))}},
			map[string]CheckStatus{"assembled (aarch64-linux)": CheckNotTried, "assembled (x86_64-linux)": CheckBuilt}},
		{"an attribute hashbot.toml does not check is left out",
			[]NamedReport{{"x.json", report(built("x86_64-linux"), built("aarch64-linux"), CheckResult{Attr: "evil", System: "x86_64-linux", Status: CheckFailed})}},
			map[string]CheckStatus{"assembled (aarch64-linux)": CheckBuilt, "assembled (x86_64-linux)": CheckBuilt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]CheckStatus{}
			for _, c := range MergeChecks(cfg, tt.reports) {
				got[c.Label()] = c.Status
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
