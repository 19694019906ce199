package bot

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// contextChecker is fakeChecker with what upstream changed besides.
type contextChecker struct {
	fakeChecker
	add func(*upstream.Result)
}

func (c *contextChecker) Check(ctx context.Context, cfg *config.Config, p *pins.Pins, o upstream.CheckOptions) (*upstream.Result, error) {
	r, err := c.fakeChecker.Check(ctx, cfg, p, o)
	if err == nil {
		c.add(r)
	}
	return r, err
}

func TestTheRunCarriesWhatUpstreamChangedToThePR(t *testing.T) {
	tests := []struct {
		name       string
		add        func(*upstream.Result)
		wantLabels []string
		wantBody   []string
	}{
		{"an advisory fixed: listed, and the security label", func(r *upstream.Result) {
			r.Advisories = []upstream.Advisory{{GHSAID: "GHSA-aaaa-bbbb-cccc", CVEID: "CVE-2026-40165", Severity: "high", Summary: "bypass"}}
		}, []string{pulls.SecurityLabel}, []string{"| GHSA-aaaa-bbbb-cccc | CVE-2026-40165 | high | bypass |"}},
		{"releases, notes and a lock no FOD reads: no label", func(r *upstream.Result) {
			r.Releases = []upstream.Release{{Tag: "version/2026.2.2", Version: "2026.2.2", HTMLURL: "https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2"}}
			r.Notes = "thanks @alice"
			r.UnclaimedLocks = []upstream.LockFile{{Path: "Cargo.lock", New: true}}
		}, nil, []string{"- [version/2026.2.2](https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2)\n",
			"thanks @\u200balice", "authentik 2026.2.2 added `Cargo.lock`; no FOD reads it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			cfg, err := config.Load(f.work, config.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checker := &contextChecker{add: tt.add}
			b, err := New(Options{Config: cfg, Checker: checker, Engine: f.engine, Publisher: f.pub, LockRuns: true})
			if err != nil {
				t.Fatal(err)
			}
			out, err := b.Run(t.Context(), RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.pub.published) != 1 {
				t.Fatalf("published %d pull requests", len(f.pub.published))
			}
			req := f.pub.published[0]
			if !slices.Equal(req.Labels, tt.wantLabels) {
				t.Errorf("labels %q, want %q", req.Labels, tt.wantLabels)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(req.Body, w) {
					t.Errorf("body lacks %q:\n%s", w, req.Body)
				}
			}
			if tt.wantLabels == nil && len(out.Advisories) != 0 || tt.wantLabels != nil && len(out.Advisories) != 1 {
				t.Errorf("outcome advisories %v", out.Advisories)
			}
		})
	}
}
