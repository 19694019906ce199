package webhook

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// scriptedRunner runs each job once the gate opens, failing the versions
// in fail (a bogus version: its tag does not exist).
type scriptedRunner struct {
	fail    map[string]bool
	gate    chan struct{}
	started chan Job
	mu      sync.Mutex
	runs    []string
}

func (r *scriptedRunner) Run(_ context.Context, job Job) (Outcome, error) {
	r.mu.Lock()
	r.runs = append(r.runs, job.Version)
	r.mu.Unlock()
	r.started <- job
	<-r.gate
	if r.fail[job.Version] {
		return Outcome{}, errors.New("no tag version/" + job.Version + " upstream")
	}
	return Outcome{Status: "pr-opened"}, nil
}

// TestLowerVersionRunsWhenTheHigherRunFails is the relay that sends a bogus
// higher version: a legitimate lower one waiting is dropped only once a run
// of a version at least as new has succeeded, never because a higher one
// runs or waits.
func TestLowerVersionRunsWhenTheHigherRunFails(t *testing.T) {
	tests := []struct {
		name   string
		offers []string // the first runs; the rest are offered while it runs
		fail   []string
		want   []string // the runs, in order
	}{
		{name: "a bogus higher version's run fails: the lower one runs",
			offers: []string{"9999.1.0", "2026.2.4"}, fail: []string{"9999.1.0"}, want: []string{"9999.1.0", "2026.2.4"}},
		{name: "the higher version's run succeeds: the lower one is superseded",
			offers: []string{"2026.2.5", "2026.2.4"}, want: []string{"2026.2.5"}},
		{name: "a bogus version waiting ahead of a lower one",
			offers: []string{"2026.2.3", "9999.1.0", "2026.2.4"}, fail: []string{"9999.1.0"}, want: []string{"2026.2.3", "9999.1.0", "2026.2.4"}},
		{name: "two bogus versions fail in turn",
			offers: []string{"9999.1.0", "9999.0.0", "2026.2.4"}, fail: []string{"9999.1.0", "9999.0.0"}, want: []string{"9999.1.0", "9999.0.0", "2026.2.4"}},
		{name: "a success supersedes only the versions it covers",
			offers: []string{"2026.2.3", "2026.2.5", "2026.2.4", "2026.2.6"}, fail: []string{"2026.2.6"},
			want: []string{"2026.2.3", "2026.2.6", "2026.2.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := &scriptedRunner{fail: map[string]bool{}, gate: make(chan struct{}), started: make(chan Job, 10)}
			for _, v := range tt.fail {
				runner.fail[v] = true
			}
			q := newQueue(runner, time.Now, nil, nil, zeroLog())
			for i, v := range tt.offers {
				if d, _ := q.offer(Job{Version: v}); d == decSuperseded || d == decClosed {
					t.Fatalf("offer %s: %s", v, d)
				}
				if i == 0 {
					waitFor(t, runner.started, "the first run")
				}
			}
			close(runner.gate)
			waitQueueIdle(t, q)
			runner.mu.Lock()
			defer runner.mu.Unlock()
			if diff := cmp.Diff(tt.want, runner.runs); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
		})
	}
}

// waitQueueIdle waits until nothing runs or waits in q.
func waitQueueIdle(t *testing.T, q *queue) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if st, _ := q.state(); st.Running == nil && st.Waiting == nil {
			return
		}
	}
	t.Fatal("queue did not become idle")
}
