package fod

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// EngineOptions configure an Engine.
type EngineOptions struct {
	// Nix runs Nix; usually nixcmd.New(…).
	Nix nixcmd.Runner
	// MaxJobs is nix-build's --max-jobs; 0 means one job per target
	// (FOD builds wait on the network more than on the CPU).
	MaxJobs int
	// Progress, when set, is called as builds start and finish, and every
	// TickEvery while Nix builds. It must not block.
	Progress func(ProgressEvent)
	// TickEvery is the interval of "still building" events; 0 means 10 s.
	TickEvery time.Duration
	// BuildLog, when set, opens a writer for the log of one nix-build
	// invocation (GitHub Actions folds each into a group); every line of
	// Nix's standard error is copied to it as text, and it is closed after.
	BuildLog func(phase Phase, layer int) io.WriteCloser
	// Redact, when set, takes secrets out of the log tails the report
	// carries (a builder may print its environment).
	Redact func(string) string
	// StateDir keeps what Nix says of itself between runs (its version and
	// settings, under StateDir/nix: nixcmd.ProbeHostWith), so that a run
	// asks it only when the Nix binary or its configuration changed; ""
	// asks Nix every run.
	StateDir string
}

// Engine recomputes FOD hashes with Nix.
type Engine struct {
	opts EngineOptions
}

// NewEngine returns an Engine.
func NewEngine(opts EngineOptions) *Engine {
	if opts.TickEvery <= 0 {
		opts.TickEvery = 10 * time.Second
	}
	return &Engine{opts: opts}
}

// Request says what to compute.
type Request struct {
	// Config is the repository's loaded hashbot.toml; Config.Dir is copied.
	Config *config.Config
	// Pins are the pins to compute against (the caller may have set a new
	// version in them). Compute never writes them.
	Pins *pins.Pins
	// Stored is where the pins are kept (pins.Layout.Load), for the
	// scratch copy's files; nil means the pins file alone, which a
	// configuration with hashes in Nix files (hash-file) refuses.
	Stored *pins.Stored
	// FODs names the FODs to compute; empty means all.
	FODs []string
	// Systems names the systems to compute; empty means each FOD's systems,
	// or this machine's for a system-independent FOD. A system-independent
	// FOD is computed only when Systems is empty or holds this machine's.
	Systems []string
	// SkipCheck leaves the [check] attributes unbuilt (Report.Checks nil).
	SkipCheck bool
	// Verify builds each new hash once more with --check and marks a
	// target whose output differs unreproducible. (Every new hash is
	// confirmed by Nix, Verify or not.)
	Verify bool
	// InPlace says that Config.Dir is a throw-away tree of the caller's
	// (the bot's base commit, written out), in a directory of its own:
	// placeholder pins are written into it, and the evaluation files
	// beside it, instead of into a copy. The caller removes both.
	InPlace bool
	// MaxJobs is nix-build's --max-jobs; 0 takes EngineOptions.MaxJobs,
	// then Config's [build] max-jobs, then one job per target.
	MaxJobs int
}

// Compute recomputes the selected targets' hashes in a scratch copy of the
// repository and reports each one's outcome; then, unless req.SkipCheck,
// it builds the [check] attributes with those hashes (Report.Checks).
// Neither the repository nor req.Pins is changed: the caller applies the
// report (Report.Apply).
//
// Errors are for the run as a whole: a bad request (*RequestError), an attr
// the entry lacks (*AttrError), an evaluation failure (*EvalError), Nix not
// installed (*nixcmd.NotFoundError), or a cancelled ctx.
func (e *Engine) Compute(ctx context.Context, req Request) (*Report, error) {
	start := time.Now()
	if req.Config == nil || req.Pins == nil {
		return nil, errors.New("fod: Compute needs a Config and Pins")
	}
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	buildCtx := ctx
	if limit := req.Config.Build.Timeout.Duration; limit > 0 {
		var cancel context.CancelFunc
		buildCtx, cancel = context.WithTimeoutCause(ctx, limit, &TimeoutError{Limit: limit})
		defer cancel()
	}
	rep, err := e.compute(buildCtx, ctx, req, start)
	if cause := context.Cause(buildCtx); err != nil && cause != nil && errors.As(cause, new(*TimeoutError)) {
		return nil, cause
	}
	return rep, err
}

// TimeoutError is a Compute stopped by [build] timeout: its Nix builds
// were killed and nothing was computed.
type TimeoutError struct {
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s [build] timeout %s reached: the Nix builds were stopped, no hash was computed", config.FileName, e.Limit)
}

// probeHost asks Nix for its version and settings, or the cache in the
// state directory when Nix and its configuration are the ones it answered for.
func (e *Engine) probeHost(ctx context.Context) (*nixcmd.Host, error) {
	opts := nixcmd.ProbeOptions{}
	if e.opts.StateDir != "" {
		opts.CacheDir = filepath.Join(e.opts.StateDir, "nix")
	}
	return nixcmd.ProbeHostWith(ctx, e.opts.Nix, opts)
}

// compute computes the FODs under ctx ([build] timeout), then builds the
// [check] attributes under checkCtx (the check's own timeout).
func (e *Engine) compute(ctx, checkCtx context.Context, req Request, start time.Time) (*Report, error) {
	host, err := e.probeHost(ctx)
	if err != nil {
		return nil, err
	}
	targets, err := selectTargets(req, host)
	if err != nil {
		return nil, err
	}
	rep := &Report{Version: req.Pins.Version(), Host: host.System, NixVersion: host.Version, Sources: req.Pins.Sources()}
	for _, b := range host.Builders {
		rep.Builders = append(rep.Builders, b.URI)
	}
	run := &engineRun{e: e, log: zerolog.Ctx(ctx), req: req, host: host, rep: rep, all: targets, start: start, graph: newDrvGraph(),
		stored: req.Stored}
	if run.stored == nil {
		run.stored = pins.StoredJSON(req.Config.Pins, req.Pins)
	}
	var pending []*target
	for _, t := range targets {
		if !host.CanBuild(t.system) {
			t.resolve(StatusUnavailable, "", unavailableMessage(host, t.system, nil), nil)
			continue
		}
		pending = append(pending, t)
	}
	checking := len(req.Config.Check.Attrs) > 0 && !req.SkipCheck
	if len(pending) > 0 || checking {
		entry := req.Config.Entry
		if req.Config.Flake != "" {
			entry = req.Config.Flake
		}
		s, err := newScratch(req.Config.Dir, entry, run.stored.Layout().Paths(), req.InPlace)
		if err != nil {
			return nil, err
		}
		defer s.remove()
		run.scratch = s
		if err := run.layers(ctx, pending); err != nil {
			return nil, err
		}
		if err := run.confirm(ctx); err != nil {
			return nil, err
		}
		if req.Verify {
			if err := run.verify(ctx); err != nil {
				return nil, err
			}
		}
		if checking {
			if err := run.check(checkCtx); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range targets {
		rep.Results = append(rep.Results, *t.res)
	}
	sortResults(rep.Results)
	rep.Duration = time.Since(start)
	e.progress(ProgressEvent{Kind: ProgressDone, Total: len(targets), Done: len(targets), Elapsed: rep.Duration})
	return rep, nil
}

// engineRun is the state of one Compute.
type engineRun struct {
	e       *Engine
	log     *zerolog.Logger // the context's (zerolog.Ctx)
	stored  *pins.Stored    // where the pins are kept (Request.Stored)
	req     Request
	host    *nixcmd.Host
	rep     *Report
	all     []*target
	scratch *scratch
	graph   *drvGraph
	start   time.Time
}

// layers builds the pending targets layer by layer: a target whose closure
// holds another pending target's placeholder output waits until that
// target's real hash is known and written into the scratch pins.
func (r *engineRun) layers(ctx context.Context, pending []*target) error {
	for layer := 1; len(pending) > 0; layer++ {
		r.e.progress(ProgressEvent{Kind: ProgressPhase, Phase: PhaseEvaluate, Layer: layer, Total: len(pending), Elapsed: time.Since(r.start)})
		if err := r.writePins(pending, true); err != nil {
			return err
		}
		if err := r.e.evaluate(ctx, r.scratch, r.req.Config, pending); err != nil {
			return err
		}
		buildable, err := r.dropIgnoringPins(pending)
		if err != nil {
			return err
		}
		if buildable, err = r.dropUnbuildable(buildable); err != nil || len(buildable) == 0 {
			return err
		}
		now, later, err := nextLayer(r.graph, buildable)
		if err != nil {
			return err
		}
		r.rep.Layers = layer
		if err := r.buildLayer(ctx, layer, now); err != nil {
			return err
		}
		next := later[:0:0]
		for _, t := range later {
			if dep := failedDependency(t); dep != nil {
				status := StatusFailed
				if dep.res.Status == StatusUnavailable {
					status = StatusUnavailable
				}
				t.resolve(status, "", fmt.Sprintf("needs %s, which is %s", dep.label(), dep.res.Status), nil)
				continue
			}
			next = append(next, t)
		}
		pending = next
	}
	return nil
}

// dropIgnoringPins resolves as failed the targets whose derivation did not
// take the placeholder hash from the scratch pins (it would build, or fail,
// with a hash hashbot does not control) and returns the others.
func (r *engineRun) dropIgnoringPins(ts []*target) ([]*target, error) {
	var keep []*target
	for _, t := range ts {
		ok, err := r.graph.usesHash(t.drv, t.fake)
		if err != nil {
			return nil, err
		}
		if !ok {
			t.resolve(StatusFailed, "", fmt.Sprintf("its derivation does not take its outputHash from %s: "+
				"hashbot cannot set the hash it builds with", r.stored.Where(t.fod.Name, t.pinSystem)), nil)
			continue
		}
		keep = append(keep, t)
	}
	return keep, nil
}

// dropUnbuildable resolves as unavailable the targets whose derivation needs
// system features that neither this machine nor a remote builder for its
// system offers (Nix 2.8 would abort the whole build on them) and returns
// the others.
func (r *engineRun) dropUnbuildable(ts []*target) ([]*target, error) {
	var keep []*target
	for _, t := range ts {
		features, err := r.graph.requiredFeatures(t.drv)
		if err != nil {
			return nil, err
		}
		if missing := r.host.MissingFeatures(t.system, features); len(missing) > 0 {
			t.resolve(StatusUnavailable, "", unavailableMessage(r.host, t.system, missing), nil)
			continue
		}
		keep = append(keep, t)
	}
	return keep, nil
}

// failedDependency returns a target t waits on that ended without a hash.
func failedDependency(t *target) *target {
	for _, d := range t.waitOn {
		if d.done() && !d.res.Status.Succeeded() {
			return d
		}
	}
	return nil
}

// writePins writes the scratch pins: the request's pins with every hash
// computed so far, and, when withFakes, each pending target's placeholder.
func (r *engineRun) writePins(pending []*target, withFakes bool) error {
	p := r.req.Pins.Clone()
	for _, t := range r.all {
		if t.done() && t.res.Status.Succeeded() {
			p.SetHash(t.fod.Name, t.pinSystem, t.res.New)
		}
	}
	if withFakes {
		for _, t := range pending {
			p.SetHash(t.fod.Name, t.pinSystem, t.fake)
		}
	}
	files, err := r.stored.Render(p)
	if err != nil {
		return fmt.Errorf("writing scratch pins: %w", err)
	}
	return r.scratch.writePins(files)
}

func (r *engineRun) warn(msg string) {
	for _, w := range r.rep.Warnings {
		if w == msg {
			return
		}
	}
	r.rep.Warnings = append(r.rep.Warnings, msg)
	r.log.Warn().Msg(msg)
}

// unavailableMessage says why a derivation for system that needs features
// cannot be built here and how to fix it. With features, it is they that
// are missing (the system is one Nix builds).
func unavailableMessage(h *nixcmd.Host, system string, features []string) string {
	if len(features) == 0 || system != "" && !h.CanBuild(system) {
		extra := "none"
		if len(h.ExtraPlatforms) > 0 {
			extra = strings.Join(h.ExtraPlatforms, ", ")
		}
		return fmt.Sprintf("no builder for %s here (this machine is %s, extra-platforms: %s, remote builders: %d): "+
			"add a remote builder for %s (nix.conf builders), or emulate it with binfmt and extra-platforms = %s, "+
			"or compute it on a machine that is %s (hashbot update --system %s --json) and merge the results with hashbot apply",
			system, h.System, extra, len(h.Builders), system, system, system, system)
	}
	offered := "none"
	if len(h.SystemFeatures) > 0 {
		offered = strings.Join(h.SystemFeatures, ", ")
	}
	forSystem := ""
	if system != "" {
		forSystem = " for " + system
	}
	return fmt.Sprintf("it needs the system features {%s}, which no builder%s here offers (this machine offers {%s}, "+
		"remote builders: %d): add them to system-features in nix.conf if this machine has them, or add a remote builder "+
		"that offers them (the features field of its builders line)",
		strings.Join(features, ", "), forSystem, offered, len(h.Builders))
}
