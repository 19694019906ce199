package upstream_test

import (
	"testing"

	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// BenchmarkNoChangePoll measures a scheduled poll where nothing happened:
// pins at the newest release with the inputs recorded and a warm cache.
// Target: every request a 304, none charged to the rate limit.
func BenchmarkNoChangePoll(b *testing.B) {
	e := newCheckEnv(b)
	c, stats := e.checker(b)
	p := pinsAt(b, "2026.2.2", true)
	if _, err := c.Check(b.Context(), e.cfg, p, upstream.CheckOptions{}); err != nil {
		b.Fatal(err)
	}
	before := stats.Snapshot()
	for b.Loop() {
		res, err := c.Check(b.Context(), e.cfg, p, upstream.CheckOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if !res.UpToDate {
			b.Fatalf("not up to date: %+v", res.Stale)
		}
	}
	after := stats.Snapshot()
	n := float64(b.N)
	b.ReportMetric(float64(after.Requests-before.Requests)/n, "requests/op")
	b.ReportMetric(float64(after.Charged-before.Charged)/n, "charged/op")
	b.ReportMetric(float64(after.NotModified-before.NotModified)/n, "304s/op")
}
