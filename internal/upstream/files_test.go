package upstream_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// inFlight counts the requests under way through it, and the most at once.
type inFlight struct {
	now, most atomic.Int64
}

func (f *inFlight) RoundTrip(req *http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
	}
	return http.DefaultTransport.RoundTrip(req)
}

// GitHub asks for requests one after the other, not concurrently, to stay
// clear of secondary rate limits: the input files (six at the candidate,
// four more at the pinned release, all uncached) are read one at a time.
func TestFilesAreReadOneAtATime(t *testing.T) {
	e := newCheckEnv(t)
	var f inFlight
	c, _ := newChecker(t, e, "test-token", &f)
	res, err := c.Check(context.Background(), e.cfg, pinsAt(t, "2026.2.1", true), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summaries) == 0 {
		t.Fatalf("no summaries, so no file was read at the pinned release: %+v", res)
	}
	if got := f.most.Load(); got != 1 {
		t.Errorf("up to %d requests at once, want 1", got)
	}
}
