package webhook

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReplayedDeliveryRunsOnce(t *testing.T) {
	var logs syncBuffer
	runner := newFakeRunner(false)
	s := startServer(t, testOptions(runner, &logs))
	body := releaseWithTag(t, "release.published.payload.json", "version/2026.2.3")
	d := delivery{event: "release", id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", body: body}

	code, rep := send(t, s.url, d)
	if code != http.StatusAccepted || rep.Status != "queued" {
		t.Fatalf("first delivery: got %d %+v, want 202 queued", code, rep)
	}
	waitFor(t, runner.ended, "the run")
	code, rep = send(t, s.url, d)
	if code != http.StatusOK || rep.Status != "duplicate" {
		t.Fatalf("redelivery: got %d %+v, want 200 duplicate", code, rep)
	}
	if got := runner.versions(); !cmp.Equal(got, []string{"2026.2.3"}) {
		t.Errorf("runs = %v, want exactly one for 2026.2.3", got)
	}
}

func TestBurstRunsAtMostTwiceAndNewestWins(t *testing.T) {
	runner := newFakeRunner(true)
	opts := testOptions(runner, &syncBuffer{})
	opts.IncludePrereleases = true // the burst mixes in a release candidate
	s := startServer(t, opts)
	versions := []string{"2026.2.3-rc1", "2026.2.9", "2026.2.10", "2026.2.3", "2025.12.4"}
	const newest = "2026.2.10"
	bodies := map[string][]byte{}
	for _, v := range versions {
		bodies[v] = releaseWithTag(t, "release.published.payload.json", testPrefix+v)
	}

	var wg sync.WaitGroup
	codes := make(chan string, 50)
	for i := range 50 {
		v := versions[i%len(versions)]
		wg.Go(func() {
			code, rep := send(t, s.url, delivery{event: "release", id: fmt.Sprintf("burst-%d", i), body: bodies[v]})
			codes <- fmt.Sprintf("%d %s", code, rep.Status)
		})
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		switch c {
		case "202 queued", "202 coalesced", "202 superseded":
		default:
			t.Errorf("a burst delivery got %q, want 202 queued, coalesced or superseded", c)
		}
	}

	first := waitFor(t, runner.started, "the first run")
	st, _ := s.queue.state()
	want := []string{first.Version}
	if first.Version != newest {
		if st.Waiting == nil || st.Waiting.Version != newest {
			t.Fatalf("running %s, waiting %+v; want %s waiting", first.Version, st.Waiting, newest)
		}
		want = append(want, newest)
	}
	// The older versions wait behind in case a newer run fails; the newest
	// run's success drops them.
	close(runner.gate)
	for range want {
		waitFor(t, runner.ended, "a run to end")
	}
	waitIdle(t, s.Server)
	if got := runner.versions(); !cmp.Equal(got, want) {
		t.Errorf("runs = %v, want %v", got, want)
	}
}

// waitIdle waits until nothing runs or waits.
func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if st, _ := s.queue.state(); st.Running == nil && st.Waiting == nil && len(st.Fixes) == 0 {
			return
		}
	}
	t.Fatal("queue did not become idle")
}

func TestQueueCoalescing(t *testing.T) {
	// Each step offers a version while "2026.2.5" runs; want is the decision
	// and the waiting versions afterwards, newest (next to run) first.
	steps := []struct {
		offer, want string
		waiting     []string
	}{
		{"2026.2.5", "coalesced", nil},
		{"2026.2.4", "held", []string{"2026.2.4"}},
		{"2026.2.6-rc1", "queued", []string{"2026.2.6-rc1", "2026.2.4"}},
		{"2026.2.6-rc1", "coalesced", []string{"2026.2.6-rc1", "2026.2.4"}},
		{"2026.2.4", "coalesced", []string{"2026.2.6-rc1", "2026.2.4"}},
		{"2026.2.6-rc2", "queued", []string{"2026.2.6-rc2", "2026.2.6-rc1", "2026.2.4"}},
		{"2026.2.10", "queued", []string{"2026.2.10", "2026.2.6-rc2", "2026.2.6-rc1", "2026.2.4"}},
		// Full: a version among them displaces the oldest; one older
		// than all of them is dropped.
		{"2026.2.9", "held", []string{"2026.2.10", "2026.2.9", "2026.2.6-rc2", "2026.2.6-rc1"}},
		{"2026.2.6-rc1", "coalesced", []string{"2026.2.10", "2026.2.9", "2026.2.6-rc2", "2026.2.6-rc1"}},
		{"2026.2.4", "superseded", []string{"2026.2.10", "2026.2.9", "2026.2.6-rc2", "2026.2.6-rc1"}},
		{"2026.3", "queued", []string{"2026.3", "2026.2.10", "2026.2.9", "2026.2.6-rc2"}},
		{"2026.3.0", "coalesced", []string{"2026.3", "2026.2.10", "2026.2.9", "2026.2.6-rc2"}},
	}
	runner := newFakeRunner(true)
	q := newQueue(runner, time.Now, nil, nil, zeroLog())
	if d, _ := q.offer(Job{Version: "2026.2.5"}); d != decStarted {
		t.Fatalf("first offer: %s, want started", d)
	}
	waitFor(t, runner.started, "the first run")
	for _, st := range steps {
		d, _ := q.offer(Job{Version: st.offer})
		if got := waitingVersions(q); string(d) != st.want || !cmp.Equal(got, st.waiting) {
			t.Errorf("offer %s: got %s (waiting %q), want %s (waiting %q)", st.offer, d, got, st.want, st.waiting)
		}
	}
	dropped, idle := q.close()
	var droppedVersions []string
	for _, j := range dropped {
		droppedVersions = append(droppedVersions, j.Version)
	}
	if want := []string{"2026.3", "2026.2.10", "2026.2.9", "2026.2.6-rc2"}; !cmp.Equal(droppedVersions, want) {
		t.Errorf("close dropped %v, want the waiting %v", droppedVersions, want)
	}
	if d, _ := q.offer(Job{Version: "2027.1.1"}); d != decClosed {
		t.Errorf("offer after close: %s, want closed", d)
	}
	close(runner.gate)
	waitFor(t, idle, "the worker to stop")
	if got := runner.versions(); !cmp.Equal(got, []string{"2026.2.5"}) {
		t.Errorf("runs = %v, want only the running 2026.2.5 (the waiting ones are dropped on close)", got)
	}
}

// waitingVersions are the versions of the queue's waiting jobs, the next
// to run first.
func waitingVersions(q *queue) []string {
	st, _ := q.state()
	var out []string
	if st.Waiting != nil {
		out = append(out, st.Waiting.Version)
	}
	for _, j := range st.Behind {
		out = append(out, j.Version)
	}
	return out
}
