package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghcommit"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// upstreamChecker finds the candidate version and the stale FODs.
type upstreamChecker interface {
	Check(ctx context.Context, cfg *config.Config, p *pins.Pins, opts upstream.CheckOptions) (*upstream.Result, error)
}

// hashComputer recomputes FOD hashes with Nix, and a source archive's.
type hashComputer interface {
	Compute(ctx context.Context, req fod.Request) (*fod.Report, error)
	PrefetchArchive(ctx context.Context, url string) (string, error)
	FlakeInputUpdater
}

// prPublisher finds and opens or updates the pull request (pulls.Manager).
type prPublisher interface {
	// Lookup finds the branch's open and declined pull requests.
	Lookup(ctx context.Context, branch string) (*pulls.Existing, error)
	Publish(ctx context.Context, req pulls.Request) (*pulls.Outcome, error)
}

// apiCommitter makes the pins commit through GitHub's API ([git] sign =
// "github").
type apiCommitter interface {
	Commit(ctx context.Context, req ghcommit.Request) (string, error)
}

// Options configures a Bot. Config, Checker and Engine are required;
// GitHub (or Publisher) is required unless a run is a dry run.
type Options struct {
	// Config is hashbot.toml of the working tree. It says only where the
	// repository's remote ([git] remote) and base branch ([pull-request]
	// base) are; everything else a run takes from hashbot.toml of the base
	// commit it builds on (labels, draft, branch names, signing, systems,
	// FODs).
	Config *config.Config
	// Env finds the HASHBOT_* overrides applied to the base's
	// hashbot.toml, as they were to Config (os.LookupEnv); nil applies
	// none.
	Env func(string) (string, bool)
	// LoadConfig loads the base's configuration; default config.Load.
	LoadConfig func(dir string, opts config.LoadOptions) (*config.Config, error)
	Checker    upstreamChecker
	Engine     hashComputer
	// GitHub is the client a run's pull requests and API commits go
	// through, set up from the base's configuration; nil without GitHub
	// (a dry run).
	GitHub *github.Client
	// Publisher and APICommitter, when set, are used whatever the base's
	// configuration says, instead of ones made on GitHub.
	Publisher    prPublisher
	APICommitter apiCommitter
	// Repo is the packaging repository, opened (or cloned) by the caller;
	// nil means gitops.Open on Config.Dir with Git.
	Repo *gitops.Repo
	// Git says how to reach the remote when the bot opens Repo itself.
	Git GitOptions
	// LockRuns takes the repository's run lock (runlock) around each run;
	// tests of one run leave it off.
	LockRuns bool
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// GitOptions says how the bot reaches the packaging repository's remote.
type GitOptions struct {
	// Token authenticates pushes to https remotes; never logged.
	Token string
	// TokenSource, when set, gives the token at the start of each run
	// instead (a GitHub App's installation token, which lasts an hour).
	TokenSource func(ctx context.Context) (string, error)
	// TokenHost is the only host the token goes to (gitops.Options).
	TokenHost string
}

// RunOptions are the choices of one run.
type RunOptions struct {
	// Version pins this upstream version instead of the newest.
	Version string
	// DryRun computes everything, writes nothing, pushes nothing.
	DryRun bool
	// Verify rebuilds each new FOD with --check before trusting it.
	Verify bool
	// Command describes the run in the lock note ("hashbot run").
	Command string
	// WaitForLock waits while another run holds the repository's lock
	// instead of failing with *runlock.HeldError.
	WaitForLock bool
	// OnlyNewer ignores a Version older than the pinned one instead of
	// moving the pin back: a webhook for a backport tag (2025.12.5 after
	// 2026.2.2) must not propose a downgrade.
	OnlyNewer bool
	// AllowDowngrade takes a Version older than the pinned one (run
	// --allow-downgrade); without it, and without OnlyNewer, such a
	// Version is a *version.DowngradeError.
	AllowDowngrade bool

	// sources checks these sources at the revs given (PublishPins: the
	// revs the published hashes were computed against).
	sources map[string]string
	// Checks are the [check] results of the applied pins (PublishPins),
	// merged by `hashbot apply` from every platform's results; nil when
	// there are none.
	Checks []fod.CheckResult
	// on plans on this commit instead of the base branch's tip
	// (PublishPins: the commit the results were computed on).
	on gitops.Hash
}

// Bot runs hashbot's pipeline for one packaging repository.
type Bot struct {
	opts Options
}

// New checks opts and returns a Bot.
func New(opts Options) (*Bot, error) {
	switch {
	case opts.Config == nil:
		return nil, errors.New("bot: no configuration")
	case opts.Checker == nil:
		return nil, errors.New("bot: no upstream checker")
	case opts.Engine == nil:
		return nil, errors.New("bot: no hash engine")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LoadConfig == nil {
		opts.LoadConfig = config.Load
	}
	return &Bot{opts: opts}, nil
}

// Run checks upstream and, when something is stale, computes the new hashes,
// commits the pins on the bot's branch, pushes it and opens or updates the
// pull request. Everything is read from, built from and committed on the
// base branch's commit as fetched at the start (the plan); the working
// tree is not read but for where the remote is. With DryRun it stops
// before the commit and returns the diff and the pull request it would
// open.
func (b *Bot) Run(ctx context.Context, ro RunOptions) (*Outcome, error) {
	return b.pipeline(ctx, ro, "hashbot run", computeStep{b})
}

// step is what differs between a run that computes its hashes (Run) and
// one that publishes hashes computed elsewhere (PublishPins); the rest of
// the pipeline is one.
type step interface {
	// prepare sets what the check is asked from the plan's base.
	prepare(ctx context.Context, p *plan, ro *RunOptions) error
	// publishesAnyway says whether the change is named and published even
	// when the check finds the base up to date (hashes applied with no
	// version move).
	publishesAnyway() bool
	// produce makes the change: the new pins, and what the body shows.
	produce(ctx context.Context, p *plan, ro RunOptions, out *Outcome) (*change, error)
}

// change is what a run proposes on top of the plan's base.
type change struct {
	pins *pins.Pins
	rows []pulls.HashRow
	// report is the engine's; nil when the hashes came from results.
	report *fod.Report
	// flakeLock is the flake.lock Nix moved a source in; nil when none.
	flakeLock []byte
	// checks are the [check] results the change was built with.
	checks []fod.CheckResult
}

// pipeline is one run: plan, stop when up to date, declined or already
// proposed, produce the change with st, then show or publish it.
func (b *Bot) pipeline(ctx context.Context, ro RunOptions, command string, st step) (out *Outcome, err error) {
	out = &Outcome{Started: b.opts.Now()}
	defer func() { out.Finished = b.opts.Now() }()
	release, err := b.lock(ctx, ro, command)
	if err != nil {
		return out, err
	}
	defer release()
	if !ro.DryRun && b.opts.Publisher == nil && b.opts.GitHub == nil {
		return out, errors.New("bot: no GitHub client to publish with (use a dry run)")
	}
	p, err := b.makePlan(ctx, ro, st)
	if err != nil {
		return out, err
	}
	defer p.cleanup()
	cfg, check := p.cfg, p.check
	log := zerolog.Ctx(ctx).With().Str(logfield.Repo, cfg.Upstream.Repo).Logger()
	ctx = log.WithContext(ctx)
	out.fromCheck(ctx, p.oldPins.Version(), check)
	if p.branch == "" {
		log.Info().Str(logfield.Version, check.Candidate).Msg("up to date")
		out.Status = StatusUpToDate
		return out, nil
	}
	if !check.UpToDate {
		log.Info().Str(logfield.Pinned, check.Pinned).Str(logfield.Candidate, check.Candidate).
			Strs("stale", sortedKeys(check.Stale)).Msg("stale FODs found")
	}
	out.Branch, out.Title = p.branch, p.title
	if p.declined(ctx, out) {
		return out, nil
	}
	if !ro.DryRun {
		done, err := b.resumeBranch(ctx, p, out)
		if err != nil || done {
			return out, err
		}
	}
	ch, err := st.produce(ctx, p, ro, out)
	if err != nil || ch == nil {
		return out, err
	}
	return b.finish(ctx, p, out, ro, ch)
}

// computeStep computes the stale hashes with the engine.
type computeStep struct{ b *Bot }

func (computeStep) prepare(context.Context, *plan, *RunOptions) error { return nil }

func (computeStep) publishesAnyway() bool { return false }

func (s computeStep) produce(ctx context.Context, p *plan, ro RunOptions, out *Outcome) (*change, error) {
	b, cfg, check := s.b, p.cfg, p.check
	newPins := nextPins(p.oldPins, check)
	// A source that moved gets its archive's hash first: the FODs it feeds
	// are built against it.
	for _, m := range check.Sources {
		if m.FlakeInput != "" {
			continue // moved in flake.lock below
		}
		hash, err := b.opts.Engine.PrefetchArchive(ctx, m.URL)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", m.Name, err)
		}
		src, _ := newPins.Source(m.Name)
		src.Hash = hash
		newPins.SetSource(m.Name, src)
	}
	lock, err := b.moveFlakeInputs(ctx, p, newPins)
	if err != nil {
		return nil, err
	}
	report := &fod.Report{} // the version moved, no hash depends on it
	if len(check.Stale) > 0 {
		report, err = b.opts.Engine.Compute(ctx, fod.Request{
			Config: cfg, Pins: newPins, Stored: p.oldStored, FODs: sortedKeys(check.Stale), Verify: ro.Verify,
			InPlace: p.repo != nil, // the base's tree, written out for this run alone
		})
		if err != nil {
			return nil, fmt.Errorf("computing hashes: %w", err)
		}
	}
	out.Report = report
	if !report.OK() {
		return nil, &PartialError{Report: report}
	}
	report.Apply(newPins)
	return &change{pins: newPins, rows: rowsFromReport(report), report: report, flakeLock: lock, checks: report.Checks}, nil
}

// nextPins is the pins as they will be once the new hashes are in: the
// candidate version, its commit in branch mode, and the input hashes the
// staleness check saw.
func nextPins(old *pins.Pins, check *upstream.Result) *pins.Pins {
	p := old.Clone()
	switch {
	case check.Rev != "": // branch mode: the candidate is a commit
		if check.Rev != old.Rev() {
			p.SetRev(check.Rev)
		}
	case check.Candidate != "" && check.Candidate != old.Version():
		p.SetVersion(check.Candidate)
	}
	for _, path := range sortedKeys(check.NewInputs) {
		p.SetInput(path, check.NewInputs[path])
	}
	for _, m := range check.Sources {
		if m.FlakeInput == "" { // a flake input's pin is in flake.lock
			p.SetSource(m.Name, pins.Source{Rev: m.To, Version: m.Version, URL: m.URL})
		}
	}
	return p
}

// refLabels is how the pinned and candidate refs appear in branch names,
// titles and commit messages: versions as they are, commits (branch mode)
// cut to 12 hex digits. When only sources moved, the candidate's label
// carries them as build metadata ("2026.2.2+nixpkgs.1a2b3c4d5e6f"): a
// branch of its own, of the same version.
func refLabels(check *upstream.Result) (oldLabel, newLabel string) {
	oldLabel, newLabel = check.Pinned, check.Candidate
	if check.Rev != "" {
		oldLabel, newLabel = shortRev(check.Pinned), shortRev(check.Candidate)
	}
	if !check.Moved && len(check.Sources) > 0 {
		for i, m := range check.Sources {
			sep := "."
			if i == 0 {
				sep = "+"
			}
			newLabel += sep + m.Name + "." + shortRev(m.To)
		}
	}
	return oldLabel, newLabel
}

// shortRev cuts a commit to 12 hex digits; tags and versions pass.
func shortRev(s string) string { return s[:min(len(s), 12)] }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Status says, without computing or writing anything, what a run would
// do: StatusUpToDate when nothing is stale or an open pull request already
// proposes exactly this change (Outcome.PR set), StatusDeclined when the
// change's pull request was closed without merging, and StatusStale when
// a run has work to do. The check it made is returned with it, for the
// caller to show. It is what a CI workflow asks before starting the
// per-platform builds.
func (b *Bot) Status(ctx context.Context, ro RunOptions) (*Outcome, *upstream.Result, error) {
	out := &Outcome{Started: b.opts.Now()}
	defer func() { out.Finished = b.opts.Now() }()
	p, err := b.makePlan(ctx, ro, computeStep{b})
	if err != nil {
		return out, nil, err
	}
	defer p.cleanup()
	out.fromCheck(ctx, p.oldPins.Version(), p.check)
	if p.check.UpToDate {
		out.Status = StatusUpToDate
		return out, p.check, nil
	}
	out.Branch, out.Title = p.branch, p.title
	if p.declined(ctx, out) {
		return out, p.check, nil
	}
	out.Status = StatusStale
	head, _, err := p.answeringBranch()
	if err != nil || head == nil || p.existing == nil || p.existing.Open == nil {
		return out, p.check, err
	}
	out.Commit, out.PR, out.Status = head.Hash.String(), p.existing.Open, StatusUpToDate
	return out, p.check, nil
}
