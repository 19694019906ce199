package webhook

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMirrorsAndRelaysAnnounceVersions: a tag from a configured mirror, or
// a configured relay's repository_dispatch, queues a run like the
// upstream's own delivery; the same from any other repository is ignored.
func TestMirrorsAndRelaysAnnounceVersions(t *testing.T) {
	release := func(repo string) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			return edit(t, "release.published.payload.json", func(p map[string]any) {
				p["release"].(map[string]any)["tag_name"] = "version/2026.2.3"
				p["repository"].(map[string]any)["full_name"] = repo
			})
		}
	}
	dispatch := func(repo, typ string, client map[string]any) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			return edit(t, "repository_dispatch.payload.json", func(p map[string]any) {
				p["action"] = typ
				p["client_payload"] = client
				p["repository"].(map[string]any)["full_name"] = repo
			})
		}
	}
	tests := []struct {
		name, event string
		body        func(*testing.T) []byte
		wantRun     string // the version run, "" for none
		wantReason  string
	}{
		{name: "a mirror's release", event: "release", body: release("me/authentik-mirror"), wantRun: "2026.2.3"},
		{name: "another repository's release", event: "release", body: release("someone/else"),
			wantReason: "not the upstream repository or a configured mirror"},
		{name: "a relay's dispatch of a version", event: "repository_dispatch",
			body: dispatch("me/authentik-nix", "upstream-release", map[string]any{"version": "2026.2.4"}), wantRun: "2026.2.4"},
		{name: "a relay's dispatch of a tag", event: "repository_dispatch",
			body: dispatch("me/authentik-nix", "upstream-release", map[string]any{"tag": "version/2026.2.5"}), wantRun: "2026.2.5"},
		{name: "a dispatch from a repository that is no relay", event: "repository_dispatch",
			body:       dispatch("someone/else", "upstream-release", map[string]any{"version": "2026.2.4"}),
			wantReason: "repository_dispatch from a repository that is not a configured relay"},
		{name: "a relay's dispatch of another type", event: "repository_dispatch",
			body: dispatch("me/authentik-nix", "deploy", map[string]any{"version": "2026.2.4"}), wantReason: `repository_dispatch type is not "upstream-release"`},
		{name: "a relay's dispatch of something that is no version", event: "repository_dispatch",
			body: dispatch("me/authentik-nix", "upstream-release", map[string]any{"version": "$(reboot)"}), wantReason: "tag does not name a version"},
		{name: "a relay's dispatch without a version", event: "repository_dispatch",
			body: dispatch("me/authentik-nix", "upstream-release", map[string]any{}), wantReason: "repository_dispatch has no client_payload.version or tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := newFakeRunner(false)
			opts := testOptions(runner, &syncBuffer{})
			opts.Mirrors, opts.Relays = []string{"me/authentik-mirror"}, []string{"Me/Authentik-Nix"}
			s := startServer(t, opts)
			code, rep := send(t, s.url, delivery{event: tt.event, id: "d-" + tt.name, body: tt.body(t)})
			if tt.wantRun != "" {
				if code != http.StatusAccepted || rep.Status != "queued" {
					t.Fatalf("got %d %+v, want 202 queued", code, rep)
				}
				if job := waitFor(t, runner.started, "the run"); job.Version != tt.wantRun {
					t.Errorf("ran %s, want %s", job.Version, tt.wantRun)
				}
				return
			}
			if code != http.StatusAccepted || rep.Status != "ignored" || rep.Reason != tt.wantReason {
				t.Errorf("got %d %+v, want 202 ignored: %s", code, rep, tt.wantReason)
			}
		})
	}
}

// TestAFailedRunCanBeRedelivered: GitHub never redelivers by itself; a
// maintainer redelivers by hand after fixing what failed, and that
// delivery runs again instead of being taken for a duplicate (the
// deliveries coalesced into the failed run too).
func TestAFailedRunCanBeRedelivered(t *testing.T) {
	runner := newFakeRunner(true)
	runner.err = errors.New("nix-build failed")
	s := startServer(t, testOptions(runner, &syncBuffer{}))
	body := releaseWithTag(t, "release.published.payload.json", "version/2026.2.3")
	first := delivery{event: "release", id: "first", body: body}
	again := delivery{event: "release", id: "again", body: body}
	send(t, s.url, first)
	waitFor(t, runner.started, "the run")
	if _, rep := send(t, s.url, again); rep.Reason != "the same version is already running or waiting" {
		t.Fatalf("the second delivery: %+v, want it coalesced", rep)
	}
	runner.gate <- struct{}{}
	if err := waitFor(t, runner.ended, "the failed run"); err == nil {
		t.Fatal("the run did not fail")
	}
	waitIdle(t, s.Server)
	runner.err = nil
	for _, d := range []delivery{first, again} {
		code, rep := send(t, s.url, d)
		if code != http.StatusAccepted || rep.Status == "duplicate" {
			t.Errorf("redelivering %s after the failed run: %d %+v, want it accepted", d.id, code, rep)
		}
		runner.gate <- struct{}{}
		waitFor(t, runner.ended, "the rerun")
		waitIdle(t, s.Server)
	}
	if code, rep := send(t, s.url, first); code != http.StatusOK || rep.Status != "duplicate" {
		t.Errorf("a delivery whose run succeeded, sent again: %d %+v, want 200 duplicate", code, rep)
	}
}

// fakeWatcher answers Watch with the states given, one per call, then the
// last one forever.
type fakeWatcher struct {
	mu     sync.Mutex
	states []Watched
	errs   []error
	calls  int
	looked chan struct{}
}

func (f *fakeWatcher) Watch(context.Context) (Watched, error) {
	f.mu.Lock()
	defer func() {
		f.mu.Unlock()
		f.looked <- struct{}{}
	}()
	i := min(f.calls, len(f.states)-1)
	f.calls++
	var err error
	if i < len(f.errs) {
		err = f.errs[i]
	}
	return f.states[i], err
}

// TestPollQueuesARunWhenTheUpstreamMoves: serve --poll looks at once and
// every interval; a run is queued for the first look and for each one that
// differs from the last queued, not for an unchanged or failed look, and a
// look after a failed run queues again.
func TestPollQueuesARunWhenTheUpstreamMoves(t *testing.T) {
	v1 := Watched{State: "upstream=version/2026.2.2 nixpkgs=aaa", Version: "2026.2.2"}
	v2 := Watched{State: "upstream=version/2026.2.2 nixpkgs=bbb", Version: "2026.2.2"}
	v3 := Watched{State: "upstream=version/2026.2.3 nixpkgs=bbb", Version: "2026.2.3"}
	w := &fakeWatcher{
		states: []Watched{v1, v1, {}, v2, v2, v3, v3},
		errs:   []error{nil, nil, errors.New("GitHub unreachable")},
		looked: make(chan struct{}, 100),
	}
	runner := newFakeRunner(false)
	opts := testOptions(runner, &syncBuffer{})
	opts.Watch, opts.PollInterval = w, 10*time.Millisecond
	s := startServer(t, opts)
	for range 7 {
		waitFor(t, w.looked, "a look at the upstream")
		waitIdle(t, s.Server)
	}
	if got := runner.versions(); !cmp.Equal(got, []string{"2026.2.2", "2026.2.2", "2026.2.3"}) {
		t.Errorf("runs %v, want one for the first look, one when nixpkgs moved, one for 2026.2.3", got)
	}
	for range 3 {
		if j := waitFor(t, runner.started, "the runs' starts"); j.Event != "poll" || j.DeliveryID != "" {
			t.Errorf("job %+v, want a poll's", j)
		}
	}
	_, polls := s.stats.snapshot()
	if polls["failed"] != 1 || polls["queued"] != 3 {
		t.Errorf("poll counts %v, want 1 failed and 3 queued", polls)
	}

	// A run that fails makes the next look queue again, moved or not.
	s.runFailed(Job{Event: eventPoll})
	waitFor(t, w.looked, "a look after the failure")
	if j := waitFor(t, runner.started, "the run after the failure"); j.Version != "2026.2.3" {
		t.Errorf("after the failed run the poll queued %+v, want 2026.2.3 again", j)
	}
}

func TestPollOptionsGoTogether(t *testing.T) {
	opts := testOptions(newFakeRunner(false), &syncBuffer{})
	opts.PollInterval = time.Minute
	if _, err := New(opts); err == nil {
		t.Error("New accepted a PollInterval without a Watcher")
	}
	opts.PollInterval, opts.Watch = 0, &fakeWatcher{}
	if _, err := New(opts); err == nil {
		t.Error("New accepted a Watcher without a PollInterval")
	}
	opts.PollInterval, opts.Mirrors = time.Minute, []string{"not a repo"}
	if _, err := New(opts); err == nil {
		t.Error("New accepted a mirror that is not owner/name")
	}
}
