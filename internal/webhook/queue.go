package webhook

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// decision is what the queue did with an offered job.
type decision string

const (
	decStarted    decision = "started"    // nothing was running: the job runs now
	decQueued     decision = "queued"     // took the empty waiting slot
	decReplaced   decision = "replaced"   // replaced an older waiting job
	decCoalesced  decision = "coalesced"  // the same version is already running or waiting
	decSuperseded decision = "superseded" // a newer version is already running or waiting
	decClosed     decision = "closed"     // shutdown has begun: refused
)

// queue runs one job at a time and keeps at most one waiting job, always the
// newest version offered.
type queue struct {
	runner Runner
	clock  func() time.Time
	redact func(string) string
	log    zerolog.Logger
	base   context.Context    // parent of every job's context
	abort  context.CancelFunc // cancels base: shutdown after its timeout

	// failed is told of a job whose run failed: its deliveries are
	// forgotten, so that a manual redelivery is not taken for a duplicate
	// (GitHub never redelivers by itself), and a poll looks again.
	failed func(Job)

	mu      sync.Mutex
	closed  bool
	running *runInfo
	waiting *Job
	last    *runReport
	idle    chan struct{} // closed when the worker stops; nil when never started
	runs    map[string]uint64
}

// runInfo is the job being run.
type runInfo struct {
	Job     Job
	Started time.Time
}

// runReport is a finished run, as /healthz shows it.
type runReport struct {
	Version        string    `json:"version"`
	Tag            string    `json:"tag"`
	Event          string    `json:"event"`
	Delivery       string    `json:"delivery"`
	Status         string    `json:"status"`
	Detail         string    `json:"detail,omitempty"`
	PullRequestURL string    `json:"pull_request_url,omitempty"`
	Error          string    `json:"error,omitempty"`
	Started        time.Time `json:"started"`
	Finished       time.Time `json:"finished"`
}

func newQueue(runner Runner, clock func() time.Time, redact func(string) string, failed func(Job), log zerolog.Logger) *queue {
	base, abort := context.WithCancel(context.Background())
	return &queue{runner: runner, clock: clock, redact: redact, failed: failed, log: log,
		base: base, abort: abort, runs: make(map[string]uint64)}
}

// offer hands job to the queue. replaced is the waiting job it displaced.
func (q *queue) offer(job Job) (d decision, replaced *Job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.closed:
		return decClosed, nil
	case q.running == nil:
		q.start(job)
		return decStarted, nil
	case q.waiting == nil:
		if d := against(job, q.running.Job); d != "" {
			q.running.Job.fold(job, d)
			return d, nil
		}
		q.waiting = &job
		return decQueued, nil
	}
	if d := against(job, *q.waiting); d != "" {
		q.waiting.fold(job, d)
		return d, nil
	}
	old := q.waiting
	q.waiting = &job
	return decReplaced, old
}

// fold records job's delivery in j when the queue coalesced job into it.
func (j *Job) fold(job Job, d decision) {
	if d == decCoalesced && job.DeliveryID != "" {
		j.coalesced = append(j.coalesced, job.DeliveryID)
	}
}

// against says why job is not worth keeping next to held, or "" when job
// is newer.
func against(job, held Job) decision {
	switch c, _ := version.Compare(job.Version, held.Version); {
	case c == 0:
		return decCoalesced
	case c < 0:
		return decSuperseded
	}
	return ""
}

// start runs job on a new worker goroutine; q.mu is held.
func (q *queue) start(job Job) {
	q.running = &runInfo{Job: job, Started: q.clock()}
	q.idle = make(chan struct{})
	go q.work(job)
}

// work runs job, then the waiting jobs, until none is left.
func (q *queue) work(job Job) {
	for {
		report := q.runOne(job)
		q.mu.Lock()
		job = q.running.Job // with the deliveries coalesced into it meanwhile
		if (report.Status == "error" || report.Status == "cancelled") && q.failed != nil {
			q.failed(job)
		}
		q.last = &report
		q.runs[resultOf(report)]++
		if q.waiting == nil {
			q.running = nil
			close(q.idle)
			q.mu.Unlock()
			return
		}
		job = *q.waiting
		q.waiting = nil
		q.running = &runInfo{Job: job, Started: q.clock()}
		q.mu.Unlock()
	}
}

// runOne runs one job and reports how it ended. A panicking Runner is
// reported as an error instead of taking the server down.
func (q *queue) runOne(job Job) (report runReport) {
	log := q.log.With().Str(logfield.Delivery, job.DeliveryID).Str(logfield.Event, job.Event).
		Str(logfield.Version, job.Version).Logger()
	ctx, cancel := context.WithCancel(log.WithContext(q.base))
	defer cancel()
	report = runReport{Version: job.Version, Tag: job.Tag, Event: job.Event, Delivery: job.DeliveryID, Started: q.clock()}
	log.Info().Msg("run started")
	defer func() {
		if p := recover(); p != nil {
			report.Status = "error"
			report.Error = q.clean(fmt.Sprintf("runner panicked: %v", p))
		}
		report.Finished = q.clock()
		ev := log.Info()
		if report.Error != "" {
			ev = log.Error().Str(logfield.Error, report.Error)
		}
		ev.Str(logfield.Status, report.Status).Dur(logfield.Took, report.Finished.Sub(report.Started)).Msg("run finished")
	}()
	out, err := q.runner.Run(ctx, job)
	report.Status, report.Detail, report.PullRequestURL = out.Status, q.clean(out.Detail), out.PullRequestURL
	switch {
	case err != nil && ctx.Err() != nil:
		report.Status, report.Error = "cancelled", q.clean(err.Error())
	case err != nil:
		report.Status, report.Error = "error", q.clean(err.Error())
	case report.Status == "":
		report.Status = "ok"
	}
	return report
}

// resultOf is a run's result as a metrics label: ok, error or cancelled.
func resultOf(r runReport) string {
	if r.Error == "" {
		return "ok"
	}
	return r.Status
}

// clean removes secrets from text shown to the outside and bounds its length.
func (q *queue) clean(s string) string {
	if q.redact != nil {
		s = q.redact(s)
	}
	const maxLen = 2000
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// close refuses further jobs and drops the waiting one, which it returns.
// It returns the channel closed when the running job (if any) has returned.
func (q *queue) close() (dropped *Job, idle <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	dropped, q.waiting = q.waiting, nil
	if q.idle == nil {
		done := make(chan struct{})
		close(done)
		return dropped, done
	}
	return dropped, q.idle
}

// queueState is the queue as /healthz shows it.
type queueState struct {
	Accepting bool       `json:"accepting"`
	Running   *jobState  `json:"running"`
	Waiting   *jobState  `json:"waiting"`
	LastRun   *runReport `json:"last_run"`
}

// jobState is a running or waiting job.
type jobState struct {
	Version  string     `json:"version"`
	Tag      string     `json:"tag"`
	Event    string     `json:"event"`
	Delivery string     `json:"delivery"`
	Received time.Time  `json:"received"`
	Started  *time.Time `json:"started,omitempty"`
}

func stateOf(j Job) *jobState {
	return &jobState{Version: j.Version, Tag: j.Tag, Event: j.Event, Delivery: j.DeliveryID, Received: j.Received}
}

// state is a snapshot of the queue.
func (q *queue) state() (queueState, map[string]uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	st := queueState{Accepting: !q.closed}
	if q.running != nil {
		st.Running = stateOf(q.running.Job)
		started := q.running.Started
		st.Running.Started = &started
	}
	if q.waiting != nil {
		st.Waiting = stateOf(*q.waiting)
	}
	if q.last != nil {
		last := *q.last
		st.LastRun = &last
	}
	runs := make(map[string]uint64, len(q.runs))
	for k, v := range q.runs {
		runs[k] = v
	}
	return st, runs
}
