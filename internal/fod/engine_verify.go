package fod

import (
	"context"
	"fmt"
	"strings"
)

// verify builds every target that got a hash again, with its new hash, and
// then with --check; a target whose output differs is unreproducible and
// its hash is not kept.
func (r *engineRun) verify(ctx context.Context) error {
	var ok []*target
	for _, t := range r.all {
		if t.done() && t.res.Status.Succeeded() {
			ok = append(ok, t)
		}
	}
	if len(ok) == 0 {
		return nil
	}
	if err := r.writePins(nil, false); err != nil {
		return err
	}
	if err := r.e.evaluate(ctx, r.scratch, r.req.Config, ok); err != nil {
		return err
	}
	// The first build is usually a no-op (Nix registers a mismatched
	// output under its real hash); --check then builds each once more.
	for _, extra := range [][]string{nil, {"--check"}} {
		obs, err := r.nixBuild(ctx, PhaseVerify, 0, ok, extra...)
		if err != nil {
			return err
		}
		var next, depFailed []*target
		for _, t := range ok {
			switch {
			case obs.mismatch[t].Got != "":
				t.res.Status = StatusUnreproducible
				t.res.Message = fmt.Sprintf("a second build gave %s instead of %s: the output is not reproducible", obs.mismatch[t].Got, t.res.New)
			case obs.failed[t].Kind != "":
				t.res.Status = StatusFailed
				t.res.Message = fmt.Sprintf("building it again with its new hash failed with exit code %d", obs.failed[t].ExitCode)
				t.res.LogTail = r.drvLogTail(ctx, t.drv, obs.tail)
			case obs.depFailed[t]:
				depFailed = append(depFailed, t)
			default:
				next = append(next, t)
			}
		}
		// After the others, so that a dependency's own outcome is known.
		for _, t := range depFailed {
			t.res.Status = StatusFailed
			t.res.Message = "building it again with its new hash: a dependency failed" +
				r.failedTargetsIn(t) + foreignSummary(obs.foreign)
			t.res.LogTail = lastLines(obs.tail, logTailLines)
		}
		ok = next
	}
	return nil
}

// failedTargetsIn names the targets in t's closure that ended without a
// usable hash ("" when none): "(clocksrc: unreproducible)".
func (r *engineRun) failedTargetsIn(t *target) string {
	var parts []string
	for _, d := range r.all {
		if d == t || !d.done() || d.res.Status.Succeeded() || d.drv == "" {
			continue
		}
		if in, err := r.graph.closureHas(t.drv, d.drv); err == nil && in {
			parts = append(parts, d.label()+": "+string(d.res.Status))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
