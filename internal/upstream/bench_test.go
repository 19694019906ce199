package upstream_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// pollCases are the two ways a scheduled poll authenticates. A personal
// access token (or a long-running `hashbot serve`) keeps one token; in
// GitHub Actions, GITHUB_TOKEN is minted for every job, so every run comes
// with a token GitHub has not seen, and GitHub's ETags are specific to the
// token.
var pollCases = []struct {
	name  string
	token func(run int) string
	// want is what one poll where nothing changed costs, for the authentik
	// configuration: one releases page and six files.
	want ghclient.Counts
}{
	{
		name:  "one long-lived token",
		token: func(int) string { return "ghp_long_lived" },
		want:  ghclient.Counts{Requests: 7, NotModified: 7, Charged: 0},
	},
	{
		// The releases list is the one request charged: GitHub gives it
		// an ETag but no Last-Modified, and the ETag was the last job's.
		name:  "a fresh token per run, as GITHUB_TOKEN in Actions",
		token: func(run int) string { return fmt.Sprintf("ghs_job_%d", run) },
		want:  ghclient.Counts{Requests: 7, NotModified: 6, Charged: 1},
	},
}

// newChecker is a checker on e's server and state directory that sends
// token, through rt (nil: the default transport).
func newChecker(tb testing.TB, e *checkEnv, token string, rt http.RoundTripper) (*upstream.Checker, *ghclient.Stats) {
	tb.Helper()
	gh, stats, err := ghclient.New(ghclient.Options{
		BaseURL: e.srv.URL, Token: token, StateDir: e.state, HTTPClient: &http.Client{Transport: rt},
		RetryBase: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return upstream.New(upstream.Options{Client: gh}), stats
}

// pollNothingNew runs one check, as scheduled run number run with token,
// that must find everything up to date, and returns what it cost.
func pollNothingNew(tb testing.TB, e *checkEnv, p *pins.Pins, token string) ghclient.Counts {
	tb.Helper()
	c, stats := newChecker(tb, e, token, nil)
	res, err := c.Check(context.Background(), e.cfg, p, upstream.CheckOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	if !res.UpToDate {
		tb.Fatalf("not up to date: %+v", res.Stale)
	}
	return stats.Snapshot()
}

// TestNoChangePollCost measures what the docs say a poll where nothing
// changed costs: pins at the newest release with the inputs recorded, and
// the cache a previous run left in the state directory.
func TestNoChangePollCost(t *testing.T) {
	for _, tt := range pollCases {
		t.Run(tt.name, func(t *testing.T) {
			e := newCheckEnv(t)
			p := pinsAt(t, "2026.2.2", true)
			pollNothingNew(t, e, p, tt.token(0))
			for run := 1; run <= 2; run++ {
				if got := pollNothingNew(t, e, p, tt.token(run)); got != tt.want {
					t.Errorf("run %d cost %v, want %v", run, got, tt.want)
				}
			}
		})
	}
}

// BenchmarkNoChangePoll measures a scheduled poll where nothing happened,
// each run a new process (a new client) on the state directory the last
// one left, with one long-lived token and with a fresh token per run.
func BenchmarkNoChangePoll(b *testing.B) {
	for _, tt := range pollCases {
		b.Run(tt.name, func(b *testing.B) {
			e := newCheckEnv(b)
			p := pinsAt(b, "2026.2.2", true)
			pollNothingNew(b, e, p, tt.token(0))
			var total ghclient.Counts
			run := 0
			for b.Loop() {
				run++
				got := pollNothingNew(b, e, p, tt.token(run))
				total.Requests += got.Requests
				total.NotModified += got.NotModified
				total.Charged += got.Charged
			}
			n := float64(b.N)
			b.ReportMetric(float64(total.Requests)/n, "requests/op")
			b.ReportMetric(float64(total.NotModified)/n, "304s/op")
			b.ReportMetric(float64(total.Charged)/n, "charged/op")
		})
	}
}
