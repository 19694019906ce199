package webhook

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// Runner does the work the server queues: the bot's run for one upstream
// version. Run must return soon after ctx is cancelled (shutdown cancels a
// run that outlives the shutdown timeout).
type Runner interface {
	Run(ctx context.Context, job Job) (Outcome, error)
}

// RunnerFunc adapts a function to the Runner interface.
type RunnerFunc func(ctx context.Context, job Job) (Outcome, error)

// Run calls f(ctx, job).
func (f RunnerFunc) Run(ctx context.Context, job Job) (Outcome, error) { return f(ctx, job) }

// Job is one queued run: the upstream version a delivery (or a poll)
// announced.
type Job struct {
	Version string // the tag without the tag prefix, e.g. "2026.2.3"
	Tag     string // the tag as sent, e.g. "version/2026.2.3"
	// PullRequest, when more than 0, makes the job a fix of that pull
	// request of Options.FixRepo (a pull_request delivery); Version and Tag
	// are empty then.
	PullRequest int
	// BaseMoved makes the job a refresh of the open pull requests of
	// Options.FixRepo hashbot fixed, after a push to their base branch;
	// Version, Tag and PullRequest are empty then.
	BaseMoved  bool
	Event      string    // X-GitHub-Event ("release", "create", "push", "repository_dispatch", "pull_request") or "poll"
	DeliveryID string    // X-GitHub-Delivery; "" for a poll
	Received   time.Time // when the delivery arrived

	// coalesced are the deliveries folded into this job (the same version
	// announced again while it waited or ran): forgotten with its own when
	// the run fails, so that a manual redelivery of any of them runs again.
	coalesced []string
}

// Watcher looks at the upstream and the other sources without being told,
// for upstreams whose webhooks you cannot configure (you do not own them).
// Watch returns an opaque State that changes when any of them moves, and
// the upstream's candidate Version ("" when it has none, a branch).
type Watcher interface {
	Watch(ctx context.Context) (Watched, error)
}

// Watched is one look: State to compare with the last, Version for the job.
type Watched struct {
	State   string
	Version string
}

// Outcome is what a run reports; GET /healthz shows the last one.
type Outcome struct {
	Status         string `json:"status"`                     // a short word, e.g. "up-to-date", "pr-opened"
	Detail         string `json:"detail,omitempty"`           // one line for humans
	PullRequestURL string `json:"pull_request_url,omitempty"` // the PR opened or updated, if any
}

// Options configures a Server. Secret, Runner and UpstreamRepo or FixRepo
// are required.
type Options struct {
	Secret       []byte // webhook secret; New refuses an empty one
	UpstreamRepo string // "owner/name", matched case-insensitively against repository.full_name; "" with FixRepo only
	// FixRepo, when set, is the packaging repository ("owner/name") whose
	// pull_request deliveries (opened, synchronize, reopened) queue a Job
	// fixing that pull request's hashes; "" ignores pull_request.
	FixRepo string
	// FixBase is the base branch of FixRepo whose push deliveries queue a
	// refresh of the pull requests hashbot fixed (Job.BaseMoved); "" is
	// the repository's default branch, as the delivery names it.
	FixBase string
	// Mirrors are repositories ("owner/name") whose tag and release
	// deliveries count like the upstream's: a mirror you own that pushes the
	// upstream's tags, where you can add the webhook the upstream's owner
	// would not.
	Mirrors []string
	// Relays are repositories whose repository_dispatch deliveries of type
	// DispatchType announce a version ({"client_payload": {"version":
	// "2026.2.2"}}): a relay (a scheduled job, another bot) that watches
	// the upstream for you.
	Relays []string
	// DispatchType is the repository_dispatch event type relays send;
	// default "upstream-release".
	DispatchType string
	// Watch, with PollInterval, looks at the upstream every interval and
	// queues a run when it moved (Serve does it; New starts nothing).
	Watch        Watcher
	PollInterval time.Duration
	TagPrefix    string // e.g. "version/"; the rest of the tag is the version
	Runner       Runner // does the work
	MaxBodyBytes int64  // default 25 MiB, GitHub's own cap
	DedupSize    int    // delivery IDs remembered, default 1000
	// MaxBodiesInFlight bounds the signed bodies read at once (each up to
	// MaxBodyBytes); a delivery past it waits up to BodySlotWait for a
	// slot, unread, and is then answered 503 (a redelivery brings it
	// back). Default 2: deliveries are small and read in milliseconds.
	MaxBodiesInFlight int
	// BodySlotWait is how long a delivery waits for a body slot; default
	// 5s.
	BodySlotWait time.Duration
	// MaxConnections bounds the connections Serve accepts at once; the
	// rest wait in the kernel's backlog. Default 64.
	MaxConnections int
	// Log is the server's own logger: a server outlives every context it
	// could take one from. Each run's context carries it (zerolog.Ctx),
	// with the delivery's fields, down to the Runner.
	Log   zerolog.Logger
	Clock func() time.Time // default time.Now

	// IncludePrereleases queues pre-release versions too ("2026.2.3-rc1", or
	// a release marked prerelease), as [upstream] include-prereleases does
	// for the scheduled runs. Without it they are ignored.
	IncludePrereleases bool
	// Redact, when set, removes secrets from a run's error text before it is
	// logged or shown on /healthz (the webhook secret is always removed).
	Redact func(string) string

	ReadHeaderTimeout time.Duration // default 10s; a client slower than this is disconnected
	ReadTimeout       time.Duration // whole request incl. body, default 60s
	WriteTimeout      time.Duration // default 60s
	IdleTimeout       time.Duration // keep-alive, default 120s
	ShutdownTimeout   time.Duration // Serve: how long a running job may finish, default 30s
	CancelGrace       time.Duration // Shutdown: how long a cancelled job may take to return, default 10s
}

// ErrNoSecret is returned by New when Options.Secret is empty.
var ErrNoSecret = errors.New("webhook secret is empty: refusing to accept unsigned deliveries")

// defaultMaxBody is GitHub's cap on payloads.
const defaultMaxBody = 25 << 20

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if len(o.Secret) == 0 {
		return o, ErrNoSecret
	}
	if (o.UpstreamRepo != "" || o.FixRepo == "") && !ghrepo.Valid(o.UpstreamRepo) {
		return o, fmt.Errorf("webhook upstream repository %q: want owner/name", o.UpstreamRepo)
	}
	if o.FixRepo != "" && !ghrepo.Valid(o.FixRepo) {
		return o, fmt.Errorf("webhook packaging repository %q: want owner/name", o.FixRepo)
	}
	if o.FixBase != "" && !ghrepo.ValidRef(o.FixBase) {
		return o, fmt.Errorf("webhook base branch %q: not a branch name", o.FixBase)
	}
	for _, r := range append(append([]string(nil), o.Mirrors...), o.Relays...) {
		if !ghrepo.Valid(r) {
			return o, fmt.Errorf("webhook mirror or relay %q: want owner/name", r)
		}
	}
	if o.DispatchType == "" {
		o.DispatchType = "upstream-release"
	}
	if (o.Watch == nil) != (o.PollInterval <= 0) {
		return o, fmt.Errorf("webhook options: Watch and a positive PollInterval (%s) go together", o.PollInterval)
	}
	if o.Runner == nil {
		return o, errors.New("webhook options: Runner is nil")
	}
	if o.MaxBodyBytes < 0 || o.DedupSize < 0 || o.MaxBodiesInFlight < 0 || o.MaxConnections < 0 {
		return o, fmt.Errorf("webhook options: MaxBodyBytes %d, DedupSize %d, MaxBodiesInFlight %d and MaxConnections %d must not be negative",
			o.MaxBodyBytes, o.DedupSize, o.MaxBodiesInFlight, o.MaxConnections)
	}
	o.MaxBodyBytes = orDefault(o.MaxBodyBytes, defaultMaxBody)
	o.DedupSize = orDefault(o.DedupSize, 1000)
	o.MaxBodiesInFlight = orDefault(o.MaxBodiesInFlight, 2)
	if o.BodySlotWait <= 0 {
		o.BodySlotWait = 5 * time.Second
	}
	o.MaxConnections = orDefault(o.MaxConnections, 64)
	o.ReadHeaderTimeout = orDefault(o.ReadHeaderTimeout, 10*time.Second)
	o.ReadTimeout = orDefault(o.ReadTimeout, 60*time.Second)
	o.WriteTimeout = orDefault(o.WriteTimeout, 60*time.Second)
	o.IdleTimeout = orDefault(o.IdleTimeout, 120*time.Second)
	o.ShutdownTimeout = orDefault(o.ShutdownTimeout, 30*time.Second)
	o.CancelGrace = orDefault(o.CancelGrace, 10*time.Second)
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o, nil
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
