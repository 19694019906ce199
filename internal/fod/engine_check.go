package fod

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
)

// CheckStatus is the outcome of one [check] attribute on one system.
type CheckStatus string

// The outcomes of a check attribute.
const (
	// CheckBuilt is an attribute Nix built with the new hashes.
	CheckBuilt CheckStatus = "built"
	// CheckFailed is an attribute whose build (or evaluation) failed.
	CheckFailed CheckStatus = "failed"
	// CheckNotTried is an attribute not built: no builder for its system,
	// or an FOD of that system without a hash.
	CheckNotTried CheckStatus = "not tried"
)

// CheckResult is one [check] attribute built for one system.
type CheckResult struct {
	// Attr is the attribute as hashbot.toml names it (with {system}).
	Attr string `json:"attr"`
	// System is the platform it was evaluated and built for.
	System string `json:"system"`
	// Status is the outcome.
	Status CheckStatus `json:"status"`
	// Failed names the derivation that failed ("authentik-worker"): the
	// attribute's own or one in its closure.
	Failed string `json:"failed,omitempty"`
	// Message explains a status other than built.
	Message string `json:"message,omitempty"`
	// LogTail is the readable, redacted end of the failed derivation's log.
	LogTail []string `json:"log_tail,omitempty"`
}

// Label names the result for people: "assembled (x86_64-linux)".
func (c CheckResult) Label() string { return c.Attr + " (" + c.System + ")" }

// CheckTimeoutError is a check stopped by its timeout ([check] timeout, or
// [build] timeout): its builds were killed.
type CheckTimeoutError struct {
	Limit time.Duration
}

func (e *CheckTimeoutError) Error() string {
	return fmt.Sprintf("the check's timeout (%s [check] timeout, else [build] timeout) of %s was reached: its builds were stopped", config.FileName, e.Limit)
}

// PhaseCheck builds the [check] attributes with the new hashes.
const PhaseCheck Phase = "check"

// checkSystems are the systems the check builds for: the request's, else
// every system an FOD lists, else this machine's.
func (r *engineRun) checkSystems() []string {
	switch {
	case len(r.req.Systems) > 0:
		return r.req.Systems
	case len(r.req.Config.CheckSystems()) > 0:
		return r.req.Config.CheckSystems()
	}
	return []string{r.host.System}
}

// check builds every [check] attribute for every check system, in one
// nix-build --keep-going after the FOD layers, with every hash computed so
// far in the scratch pins, and records each outcome in the report. Only a
// cancelled ctx is an error: a failed evaluation or build, or the check's
// timeout, is an outcome.
func (r *engineRun) check(parent context.Context) error {
	cfg := r.req.Config
	ctx := parent
	if limit := cfg.CheckTimeout(); limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(parent, limit, &CheckTimeoutError{Limit: limit})
		defer cancel()
	}
	var ts []*target
	for _, sys := range r.checkSystems() {
		failed := r.failedFor(sys)
		for _, attr := range cfg.Check.Attrs {
			res := CheckResult{Attr: attr, System: sys}
			switch {
			case !r.host.CanBuild(sys):
				res.Status, res.Message = CheckNotTried, unavailableMessage(r.host, sys, nil)
			case len(failed) > 0:
				res.Status, res.Message = CheckNotTried, "not every FOD it is built from has a hash: "+strings.Join(failed, ", ")
			default:
				ts = append(ts, &target{fod: config.FOD{Name: attr, Attr: attr}, system: sys, pinSystem: sys, check: true})
				continue
			}
			r.rep.Checks = append(r.rep.Checks, res)
		}
	}
	if len(ts) > 0 {
		results, err := r.buildChecks(ctx, ts)
		if cause := context.Cause(ctx); cause != nil && parent.Err() == nil {
			results = make([]CheckResult, len(ts))
			for i, t := range ts {
				results[i] = CheckResult{Attr: t.fod.Name, System: t.system, Status: CheckFailed, Message: cause.Error()}
			}
		} else if err != nil {
			return err
		}
		r.rep.Checks = append(r.rep.Checks, results...)
	}
	slices.SortFunc(r.rep.Checks, func(a, b CheckResult) int {
		if c := strings.Compare(a.Attr, b.Attr); c != 0 {
			return c
		}
		return strings.Compare(a.System, b.System)
	})
	return nil
}

// failedFor names the FOD targets for sys (or for every system) that
// ended without a hash.
func (r *engineRun) failedFor(sys string) []string {
	var out []string
	for _, t := range r.all {
		if (t.pinSystem == "" || t.system == sys) && t.done() && !t.res.Status.Succeeded() {
			out = append(out, t.label()+": "+string(t.res.Status))
		}
	}
	return out
}

// buildChecks evaluates and builds the check targets and says what became
// of each.
func (r *engineRun) buildChecks(ctx context.Context, ts []*target) ([]CheckResult, error) {
	if err := r.writePins(nil, false); err != nil {
		return nil, err
	}
	r.e.progress(ProgressEvent{Kind: ProgressPhase, Phase: PhaseEvaluate, Total: len(ts), Elapsed: time.Since(r.start)})
	if err := r.e.evaluate(ctx, r.scratch, r.req.Config, ts); err != nil {
		var ee *EvalError
		var ae *AttrError
		if !errors.As(err, &ee) && !errors.As(err, &ae) {
			return nil, err
		}
		out := make([]CheckResult, len(ts))
		for i, t := range ts {
			out[i] = CheckResult{Attr: t.fod.Name, System: t.system, Status: CheckFailed, Message: err.Error()}
		}
		return out, nil
	}
	obs, err := r.nixBuild(ctx, PhaseCheck, 0, ts)
	if err != nil {
		return nil, err
	}
	invalid, err := r.invalidOutputs(ctx, ts, obs)
	if err != nil {
		return nil, err
	}
	out := make([]CheckResult, len(ts))
	for i, t := range ts {
		out[i] = CheckResult{Attr: t.fod.Name, System: t.system, Status: CheckBuilt}
		if !invalid[t] {
			continue
		}
		out[i] = r.checkFailure(ctx, t, obs)
	}
	return out, nil
}

// checkFailure says why the check target t was not built: the derivation
// that failed (its own, else the first failed one of its closure) with
// the readable end of its log, or the system it needs that no builder
// offers.
func (r *engineRun) checkFailure(ctx context.Context, t *target, obs *buildObservation) CheckResult {
	res := CheckResult{Attr: t.fod.Name, System: t.system, Status: CheckFailed}
	v := judge(obs.results[t])
	switch v.kind {
	case KindBuildFailed:
		res.Failed = drvName(t.drv)
		res.Message = fmt.Sprintf("builder of %s failed with exit code %d", res.Failed, v.result.ExitCode)
		res.LogTail = r.targetLogTail(ctx, t, obs)
		return res
	case KindUnavailable:
		res.Status, res.Message = CheckNotTried, unavailableMessage(r.host, t.system, v.result.Features)
		return res
	}
	for _, f := range obs.foreign {
		if f.Kind != KindBuildFailed && f.Kind != KindMismatch && f.Kind != KindUnavailable {
			continue
		}
		if in, err := r.graph.closureHas(t.drv, f.Path); err != nil || !in {
			continue
		}
		res.Failed = drvName(f.Path)
		switch f.Kind {
		case KindUnavailable:
			res.Status, res.Failed = CheckNotTried, ""
			res.Message = fmt.Sprintf("its dependency %s needs %s: %s", f.Path, dependencyNeeds(&f), unavailableMessage(r.host, f.System, f.Features))
		case KindMismatch:
			res.Message = fmt.Sprintf("%s is a fixed-output derivation whose hash is not right (got %s)", res.Failed, f.Got)
		default:
			res.Message = fmt.Sprintf("builder of %s failed with exit code %d", res.Failed, f.ExitCode)
			res.LogTail = r.drvLogTail(ctx, f.Path, obs)
		}
		return res
	}
	res.Message = "nix-build did not build it"
	res.LogTail = r.redactTail(obs.tail)
	return res
}

// drvLogTail returns the readable end of the build log of drv: the
// builder's output the structured log carried, else the log Nix kept for
// it (nix-store --read-log), else the end of nix-build's output.
func (r *engineRun) drvLogTail(ctx context.Context, drv string, obs *buildObservation) []string {
	if ring := obs.drvLogs[drv]; ring != nil {
		return r.redactTail(ring.Lines())
	}
	out, err := r.e.opts.Nix.Run(ctx, nixcmd.Command{Name: "nix-store", Args: []string{"--read-log", drv}})
	if err != nil || len(strings.TrimSpace(string(out.Stdout))) == 0 {
		return r.redactTail(obs.tail)
	}
	lines := strings.Split(strings.TrimRight(string(out.Stdout), "\n"), "\n")
	return r.redactTail(lastLines(lines, logTailLines))
}
