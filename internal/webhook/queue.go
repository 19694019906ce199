package webhook

import (
	"context"
	"fmt"
	"slices"
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
	decQueued     decision = "queued"     // waits, the newest version offered: it runs next
	decHeld       decision = "held"       // waits behind a newer version: it runs if that one's run fails
	decCoalesced  decision = "coalesced"  // the same version is already running or waiting
	decSuperseded decision = "superseded" // the waiting list is full of newer versions
	decClosed     decision = "closed"     // shutdown has begun: refused
	decFull       decision = "full"       // maxWaitingFixes fixes wait already: refused
)

// maxWaiting bounds the waiting jobs: the newest version offered, and the
// older ones kept in case the newer runs fail.
const maxWaiting = 4

// maxWaitingFixes bounds the fixes waiting: one per pull request, run in
// the order they came, after the waiting versions.
const maxWaitingFixes = 8

// queue runs one job at a time. The jobs waiting are distinct versions,
// newest first, and the newest runs next; an older one is dropped only once
// a run of a version at least as new has succeeded, so that a bogus higher
// version (a relay's mistake) whose run fails never costs a legitimate
// lower one its run. At most maxWaiting wait: past that the oldest goes.
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
	waiting []Job // newest first
	fixes   []Job // pull requests to fix, oldest first; one job per pull request
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
	PullRequest    int       `json:"pull_request,omitempty"`
	BaseMoved      bool      `json:"base_moved,omitempty"`
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

// offer hands job to the queue. dropped is the oldest waiting job, which
// job displaced from a full waiting list.
func (q *queue) offer(job Job) (d decision, dropped *Job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.closed:
		return decClosed, nil
	case q.running == nil:
		q.start(job)
		return decStarted, nil
	case job.isFix():
		return q.offerFix(job), nil
	case !q.running.Job.isFix() && compare(job, q.running.Job) == 0:
		q.running.Job.fold(job)
		return decCoalesced, nil
	}
	at := len(q.waiting) // where job goes: before the first older one
	for i := range q.waiting {
		c := compare(job, q.waiting[i])
		if c == 0 {
			q.waiting[i].fold(job)
			return decCoalesced, nil
		}
		if c > 0 {
			at = i
			break
		}
	}
	if at == maxWaiting {
		return decSuperseded, nil
	}
	q.waiting = slices.Insert(q.waiting, at, job)
	if len(q.waiting) > maxWaiting {
		last := q.waiting[maxWaiting]
		dropped, q.waiting = &last, q.waiting[:maxWaiting]
	}
	if at == 0 && (q.running.Job.isFix() || compare(job, q.running.Job) > 0) {
		return decQueued, dropped
	}
	return decHeld, dropped
}

// offerFix queues a fix behind the others, or folds it into the waiting
// fix of the same pull request (which reads the pull request's head when
// it runs, so it sees the newer push too). A fix of the pull request being
// fixed now waits all the same: the running one computed from an older
// head. q.mu is held.
func (q *queue) offerFix(job Job) decision {
	for i := range q.fixes {
		if q.fixes[i].PullRequest == job.PullRequest && q.fixes[i].BaseMoved == job.BaseMoved {
			q.fixes[i].fold(job)
			return decCoalesced
		}
	}
	if len(q.fixes) == maxWaitingFixes {
		return decFull
	}
	q.fixes = append(q.fixes, job)
	return decQueued
}

// isFix says whether j fixes a pull request (or refreshes those whose
// base moved) rather than runs a version.
func (j Job) isFix() bool { return j.PullRequest > 0 || j.BaseMoved }

// fold records job's delivery in j when the queue coalesced job into it.
func (j *Job) fold(job Job) {
	if job.DeliveryID != "" {
		j.coalesced = append(j.coalesced, job.DeliveryID)
	}
}

// compare orders jobs by version (version.Compare): -1, 0 or +1 as a is
// older than, the same as or newer than b. Jobs whose versions do not
// compare are the same: they coalesce.
func compare(a, b Job) int {
	c, _ := version.Compare(a.Version, b.Version)
	return c
}

// supersede drops the waiting jobs no newer than done, whose run
// succeeded; q.mu is held.
func (q *queue) supersede(done Job) {
	q.waiting = slices.DeleteFunc(q.waiting, func(j Job) bool {
		if compare(j, done) > 0 {
			return false
		}
		q.log.Info().Str(logfield.Version, j.Version).Str(logfield.Delivery, j.DeliveryID).
			Str("superseded_by", done.Version).Msg("a run of a version at least as new succeeded: dropping the waiting one")
		return true
	})
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
		failed := report.Status == "error" || report.Status == "cancelled"
		if failed && q.failed != nil {
			q.failed(job)
		}
		if !failed && !job.isFix() {
			q.supersede(job)
		}
		q.last = &report
		q.runs[resultOf(report)]++
		switch {
		case len(q.waiting) > 0:
			job, q.waiting = q.waiting[0], q.waiting[1:]
		case len(q.fixes) > 0:
			job, q.fixes = q.fixes[0], q.fixes[1:]
		default:
			q.running = nil
			close(q.idle)
			q.mu.Unlock()
			return
		}
		q.running = &runInfo{Job: job, Started: q.clock()}
		q.mu.Unlock()
	}
}

// runOne runs one job and reports how it ended. A panicking Runner is
// reported as an error instead of taking the server down.
func (q *queue) runOne(job Job) (report runReport) {
	lc := q.log.With().Str(logfield.Delivery, job.DeliveryID).Str(logfield.Event, job.Event)
	switch {
	case job.BaseMoved:
		lc = lc.Bool("base_moved", true)
	case job.isFix():
		lc = lc.Int(logfield.PR, job.PullRequest)
	default:
		lc = lc.Str(logfield.Version, job.Version)
	}
	log := lc.Logger()
	ctx, cancel := context.WithCancel(log.WithContext(q.base))
	defer cancel()
	report = runReport{Version: job.Version, Tag: job.Tag, PullRequest: job.PullRequest, BaseMoved: job.BaseMoved, Event: job.Event,
		Delivery: job.DeliveryID, Started: q.clock()}
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

// close refuses further jobs and drops the waiting ones, which it returns.
// It returns the channel closed when the running job (if any) has returned.
func (q *queue) close() (dropped []Job, idle <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	dropped, q.waiting = append(q.waiting, q.fixes...), nil
	q.fixes = nil
	if q.idle == nil {
		done := make(chan struct{})
		close(done)
		return dropped, done
	}
	return dropped, q.idle
}

// queueState is the queue as /healthz shows it.
type queueState struct {
	Accepting bool      `json:"accepting"`
	Running   *jobState `json:"running"`
	// Waiting is the job that runs next; Behind are the older ones, each
	// run only if every newer run fails, newest first.
	Waiting *jobState   `json:"waiting"`
	Behind  []*jobState `json:"behind,omitempty"`
	// Fixes are the pull requests waiting to be fixed, in the order they
	// run (after the versions).
	Fixes   []*jobState `json:"fixes,omitempty"`
	LastRun *runReport  `json:"last_run"`
}

// jobState is a running or waiting job.
type jobState struct {
	Version   string     `json:"version"`
	Tag       string     `json:"tag"`
	PR        int        `json:"pull_request,omitempty"`
	BaseMoved bool       `json:"base_moved,omitempty"`
	Event     string     `json:"event"`
	Delivery  string     `json:"delivery"`
	Received  time.Time  `json:"received"`
	Started   *time.Time `json:"started,omitempty"`
}

func stateOf(j Job) *jobState {
	return &jobState{Version: j.Version, Tag: j.Tag, PR: j.PullRequest, BaseMoved: j.BaseMoved, Event: j.Event, Delivery: j.DeliveryID, Received: j.Received}
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
	for i, j := range q.waiting {
		if i == 0 {
			st.Waiting = stateOf(j)
		} else {
			st.Behind = append(st.Behind, stateOf(j))
		}
	}
	for _, j := range q.fixes {
		st.Fixes = append(st.Fixes, stateOf(j))
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
