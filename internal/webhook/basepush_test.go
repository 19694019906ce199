package webhook

import (
	"net/http"
	"testing"
	"time"
)

// basePush is GitHub's push fixture (a push to master, the default branch
// of the packaging repository) with change applied.
func basePush(change func(p map[string]any)) func(*testing.T) []byte {
	return func(t *testing.T) []byte {
		if change == nil {
			return fixture(t, "push.with-new-branch.payload.json")
		}
		return edit(t, "push.with-new-branch.payload.json", change)
	}
}

func TestBasePushDeliveries(t *testing.T) {
	refresh := &Job{BaseMoved: true, Event: "push", DeliveryID: "d"}
	tests := []struct {
		name    string
		opts    func(*Options)
		body    func(t *testing.T) []byte
		status  string
		wantJob *Job
	}{
		{name: "a push to the default branch queues a refresh", body: basePush(nil), status: "queued", wantJob: refresh},
		{name: "a push to the configured base queues a refresh", body: basePush(func(p map[string]any) { p["ref"] = "refs/heads/release" }),
			opts: func(o *Options) { o.FixBase = "release" }, status: "queued", wantJob: refresh},
		{name: "a repository without upstream takes base pushes", body: basePush(nil),
			opts: func(o *Options) { o.UpstreamRepo, o.TagPrefix = "", "" }, status: "queued", wantJob: refresh},
		{name: "a push to another branch is ignored", body: basePush(func(p map[string]any) { p["ref"] = "refs/heads/dependabot/x" }),
			status: "ignored"},
		{name: "the default branch is not the base when one is configured", body: basePush(nil),
			opts: func(o *Options) { o.FixBase = "release" }, status: "ignored"},
		{name: "a push deleting the base is ignored", body: basePush(func(p map[string]any) { p["deleted"] = true }),
			status: "ignored"},
		{name: "a push naming no default branch is ignored", body: basePush(func(p map[string]any) {
			delete(p["repository"].(map[string]any), "default_branch")
		}), status: "ignored"},
		{name: "another repository's push is ignored", body: basePush(func(p map[string]any) {
			p["repository"].(map[string]any)["full_name"] = "someone/else"
		}), status: "ignored"},
		{name: "base pushes are ignored when fixing is off", body: basePush(nil),
			opts: func(o *Options) { o.FixRepo = "" }, status: "ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := newFakeRunner(false)
			opts := testOptions(runner, &syncBuffer{})
			opts.FixRepo = testPackaging
			opts.Clock = func() time.Time { return testNow }
			if tt.opts != nil {
				tt.opts(&opts)
			}
			s := startServer(t, opts)
			code, rep := send(t, s.url, delivery{event: "push", id: "d", body: tt.body(t)})
			if code != http.StatusAccepted || rep.Status != tt.status {
				t.Fatalf("got %d %+v, want 202 with status %q", code, rep, tt.status)
			}
			if !expectQueued(t, s, runner, tt.wantJob, "the queued refresh") {
				return
			}
			if !rep.BaseMoved {
				t.Errorf("reply %+v does not say the base moved", rep)
			}
		})
	}
}

func TestQueueCoalescesRefreshesAndKeepsThemApartFromFixes(t *testing.T) {
	runner := newFakeRunner(true)
	q := newQueue(runner, time.Now, nil, nil, zeroLog())
	if d, _ := q.offer(Job{Version: "2026.2.5"}); d != decStarted {
		t.Fatalf("first offer: %s, want started", d)
	}
	waitFor(t, runner.started, "the first run")
	steps := []struct {
		offer Job
		want  decision
	}{
		{Job{BaseMoved: true}, decQueued},
		{Job{PullRequest: 2}, decQueued},
		{Job{BaseMoved: true}, decCoalesced}, // it reads the newest base when it runs
		{Job{PullRequest: 2}, decCoalesced},
	}
	for _, st := range steps {
		if d, _ := q.offer(st.offer); d != st.want {
			t.Errorf("offer %+v: %s, want %s", st.offer, d, st.want)
		}
	}
	var order []Job
	for range 2 {
		runner.gate <- struct{}{}
		order = append(order, waitFor(t, runner.started, "the next job"))
	}
	close(runner.gate)
	if !order[0].BaseMoved || order[1].PullRequest != 2 {
		t.Errorf("run order after the version %+v, want the refresh, then #2", order)
	}
}
