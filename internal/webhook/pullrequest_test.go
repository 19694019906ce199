package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testPackaging is the packaging repository of the pull request fixtures.
const testPackaging = "Codertocat/Hello-World"

// pullDelivery is the pull_request fixture with change applied.
func pullDelivery(t *testing.T, change func(p map[string]any)) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		if change == nil {
			return fixture(t, "pull_request.synchronize.payload.json")
		}
		return edit(t, "pull_request.synchronize.payload.json", change)
	}
}

// withNumber sets the delivery's number, raw, at the top level and in
// pull_request.
func withNumber(raw string) func(p map[string]any) {
	return func(p map[string]any) {
		p["number"] = json.RawMessage(raw)
		p["pull_request"].(map[string]any)["number"] = json.RawMessage(raw)
	}
}

func TestPullRequestDeliveries(t *testing.T) {
	fix := &Job{PullRequest: 2, Event: "pull_request", DeliveryID: "d"}
	tests := []struct {
		name    string
		opts    func(*Options)
		event   string
		body    func(t *testing.T) []byte
		code    int
		status  string
		wantJob *Job
	}{
		{name: "synchronize queues a fix of the pull request", event: "pull_request", body: pullDelivery(t, nil),
			code: http.StatusAccepted, status: "queued", wantJob: fix},
		{name: "opened queues a fix", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) { p["action"] = "opened" }),
			code: http.StatusAccepted, status: "queued", wantJob: fix},
		{name: "reopened queues a fix", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) { p["action"] = "reopened" }),
			code: http.StatusAccepted, status: "queued", wantJob: fix},
		{name: "packaging repository matches case-insensitively", event: "pull_request", body: pullDelivery(t, nil),
			opts: func(o *Options) { o.FixRepo = "codertocat/HELLO-world" },
			code: http.StatusAccepted, status: "queued", wantJob: fix},
		{name: "a packaging repository without upstream takes pull requests", event: "pull_request", body: pullDelivery(t, nil),
			opts: func(o *Options) { o.UpstreamRepo, o.TagPrefix = "", "" },
			code: http.StatusAccepted, status: "queued", wantJob: fix},
		{name: "closed is ignored", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) { p["action"] = "closed" }),
			code: http.StatusAccepted, status: "ignored"},
		{name: "labeled is ignored", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) { p["action"] = "labeled" }),
			code: http.StatusAccepted, status: "ignored"},
		{name: "an unrelated repository's pull request is ignored", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) {
				p["repository"].(map[string]any)["full_name"] = "someone/else"
			}),
			code: http.StatusAccepted, status: "ignored"},
		{name: "the upstream's pull request is ignored", event: "pull_request", body: pullDelivery(t, nil),
			opts: func(o *Options) { o.FixRepo = "me/hello-world-nix" },
			code: http.StatusAccepted, status: "ignored"},
		{name: "a delivery without repository is ignored", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) { delete(p, "repository") }),
			code: http.StatusAccepted, status: "ignored"},
		{name: "pull requests are ignored when fixing is off", event: "pull_request", body: pullDelivery(t, nil),
			opts: func(o *Options) { o.FixRepo = "" },
			code: http.StatusAccepted, status: "ignored"},
		{name: "a number as a string is ignored", event: "pull_request", body: pullDelivery(t, withNumber(`"2"`)),
			code: http.StatusAccepted, status: "ignored"},
		{name: "a number that differs from pull_request.number is ignored", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) { p["number"] = 3 }),
			code: http.StatusAccepted, status: "ignored"},
		{name: "a delivery without pull_request is ignored", event: "pull_request",
			body: pullDelivery(t, func(p map[string]any) { delete(p, "pull_request") }),
			code: http.StatusAccepted, status: "ignored"},
		{name: "a release without upstream is ignored", event: "release",
			body: func(t *testing.T) []byte {
				return edit(t, "release.published.payload.json", func(p map[string]any) { delete(p, "repository") })
			},
			opts: func(o *Options) { o.UpstreamRepo = "" },
			code: http.StatusAccepted, status: "ignored"},
		{name: "a pull request number of the wrong JSON type is 400", event: "pull_request",
			body: func(*testing.T) []byte { return []byte(`{"action":"synchronize","pull_request":[]}`) },
			code: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			runner := newFakeRunner(false)
			opts := testOptions(runner, &logs)
			opts.FixRepo = testPackaging
			opts.Clock = func() time.Time { return testNow }
			if tt.opts != nil {
				tt.opts(&opts)
			}
			s := startServer(t, opts)
			code, rep := send(t, s.url, delivery{event: tt.event, id: "d", body: tt.body(t)})
			if code != tt.code || rep.Status != tt.status {
				t.Fatalf("got %d %+v, want %d with status %q", code, rep, tt.code, tt.status)
			}
			if !expectQueued(t, s, runner, tt.wantJob, "the queued fix") {
				return
			}
			if rep.PullRequest != tt.wantJob.PullRequest {
				t.Errorf("reply names pull request %d, want %d", rep.PullRequest, tt.wantJob.PullRequest)
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

func TestPullNumberIsStrict(t *testing.T) {
	tests := []struct {
		raw     string
		want    int
		wantErr bool
	}{
		{raw: "2", want: 2},
		{raw: "2147483647", want: 1<<31 - 1},
		{raw: "", wantErr: true},
		{raw: "null", wantErr: true},
		{raw: `"2"`, wantErr: true},
		{raw: "0", wantErr: true},
		{raw: "-2", wantErr: true},
		{raw: "+2", wantErr: true},
		{raw: "02", wantErr: true},
		{raw: "2.0", wantErr: true},
		{raw: "2e1", wantErr: true},
		{raw: "2147483648", wantErr: true},
		{raw: "99999999999999999999", wantErr: true},
		{raw: " 2", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := pullNumber(json.RawMessage(tt.raw))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("pullNumber(%q) = %d, %v; want %d (error %v)", tt.raw, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestReplayedPullRequestDeliveryFixesOnce(t *testing.T) {
	runner := newFakeRunner(false)
	opts := testOptions(runner, &syncBuffer{})
	opts.FixRepo = testPackaging
	s := startServer(t, opts)
	d := delivery{event: "pull_request", id: "pr-2-sync", body: fixture(t, "pull_request.synchronize.payload.json")}
	if code, rep := send(t, s.url, d); code != http.StatusAccepted || rep.Status != "queued" {
		t.Fatalf("first delivery: got %d %+v, want 202 queued", code, rep)
	}
	waitFor(t, runner.ended, "the fix")
	if code, rep := send(t, s.url, d); code != http.StatusOK || rep.Status != "duplicate" {
		t.Fatalf("redelivery: got %d %+v, want 200 duplicate", code, rep)
	}
	waitIdle(t, s.Server)
	if n := len(runner.versions()); n != 1 {
		t.Errorf("runs = %d, want exactly one fix", n)
	}
}

func TestQueueFixes(t *testing.T) {
	// Each step offers a job while the version "2026.2.5" runs; want is the
	// decision and the queue afterwards: versions, then pull requests.
	type step struct {
		offer    Job
		want     decision
		versions []string
		fixes    []int
	}
	steps := []step{
		{Job{PullRequest: 2}, decQueued, nil, []int{2}},
		{Job{PullRequest: 2}, decCoalesced, nil, []int{2}},
		{Job{PullRequest: 3}, decQueued, nil, []int{2, 3}},
		// A version offered while fixes wait goes before them, and a
		// fix never coalesces with a version (its Version is empty).
		{Job{Version: "2026.2.6"}, decQueued, []string{"2026.2.6"}, []int{2, 3}},
		{Job{Version: "2026.2.5"}, decCoalesced, []string{"2026.2.6"}, []int{2, 3}},
	}
	all := []int{2, 3}
	for n := 4; n <= maxWaitingFixes+1; n++ {
		all = append(all, n)
		steps = append(steps, step{Job{PullRequest: n}, decQueued, []string{"2026.2.6"}, slices.Clone(all)})
	}
	// maxWaitingFixes wait (2 to 9): the next is refused.
	steps = append(steps, step{Job{PullRequest: 100}, decFull, []string{"2026.2.6"}, all})
	runner := newFakeRunner(true)
	q := newQueue(runner, time.Now, nil, nil, zeroLog())
	if d, _ := q.offer(Job{Version: "2026.2.5"}); d != decStarted {
		t.Fatalf("first offer: %s, want started", d)
	}
	waitFor(t, runner.started, "the first run")
	for _, st := range steps {
		d, _ := q.offer(st.offer)
		versions, fixes := queued(q)
		if d != st.want || !cmp.Equal(versions, st.versions) || !cmp.Equal(fixes, st.fixes) {
			t.Errorf("offer %+v: got %s (versions %q, fixes %v), want %s (versions %q, fixes %v)",
				st.offer, d, versions, fixes, st.want, st.versions, st.fixes)
		}
	}
	// Let everything run: the version first, then the fixes in order; a
	// fix that succeeds drops no waiting version.
	var order []string
	for range 2 + maxWaitingFixes {
		runner.gate <- struct{}{}
		j := waitFor(t, runner.started, "the next job")
		order = append(order, describe(j))
		if j.PullRequest == 2 {
			// A version offered while a fix runs is queued, not coalesced.
			if d, _ := q.offer(Job{Version: "2026.2.7"}); d != decQueued {
				t.Errorf("a version offered while a fix runs: %s, want queued", d)
			}
		}
	}
	close(runner.gate)
	want := []string{"2026.2.6", "#2", "2026.2.7", "#3", "#4", "#5", "#6", "#7", "#8", "#9"}
	if !cmp.Equal(order, want) {
		t.Errorf("run order %v, want %v", order, want)
	}
}

// queued are the versions waiting (the next first) and the pull requests
// waiting to be fixed, in order.
func queued(q *queue) (versions []string, fixes []int) {
	st, _ := q.state()
	versions = waitingVersions(q)
	for _, j := range st.Fixes {
		fixes = append(fixes, j.PR)
	}
	return versions, fixes
}

// describe names a job for a test: its version, or "#N" for a fix.
func describe(j Job) string {
	if j.isFix() {
		return fmt.Sprintf("#%d", j.PullRequest)
	}
	return j.Version
}
