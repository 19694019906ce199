package fod

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
)

// confirm has Nix itself vouch for every hash read from its log: each target
// with a new hash is evaluated with that hash in the pins and realised
// again. Nix keeps the output of a mismatching FOD under the store path of
// its real hash, so for a hash Nix computed this builds nothing; a hash Nix
// did not compute (a builder forged the block) names an output that does not
// exist, and building it fails or gives another hash. A target keeps its
// hash only when its output is valid in the store afterwards.
func (r *engineRun) confirm(ctx context.Context) error {
	ok := r.succeeded()
	if len(ok) == 0 {
		return nil
	}
	if err := r.writePins(nil, false); err != nil {
		return err
	}
	if err := r.e.evaluate(ctx, r.scratch, r.req.Config, ok); err != nil {
		return err
	}
	obs, err := r.nixBuild(ctx, PhaseConfirm, 0, ok)
	if err != nil {
		return err
	}
	invalid, err := r.invalidOutputs(ctx, ok)
	if err != nil {
		return err
	}
	for _, t := range ok {
		v := judge(obs.results[t])
		if v.kind == "" && !invalid[t] {
			continue
		}
		why := "its output is not in the store"
		switch v.kind {
		case KindMismatch:
			why = "building it with that hash gave " + v.got
		case KindBuildFailed:
			why = fmt.Sprintf("building it with that hash failed with exit code %d", v.result.ExitCode)
		case KindDependencyFailed:
			why = "building it with that hash: a dependency failed" + r.failedTargetsIn(t) + foreignSummary(obs.foreign)
		case KindUnavailable:
			why = "it could not be built again here"
		}
		t.res.Status = StatusFailed
		t.res.Message = fmt.Sprintf("Nix did not confirm the hash %s read from its log (%s): it is not taken", t.res.New, why)
		t.res.LogTail = r.targetLogTail(ctx, t, obs)
		t.res.New = ""
	}
	return nil
}

// verify builds every confirmed target once more with --check; a target
// whose output differs is unreproducible and its hash is not kept.
func (r *engineRun) verify(ctx context.Context) error {
	ok := r.succeeded()
	if len(ok) == 0 {
		return nil
	}
	obs, err := r.nixBuild(ctx, PhaseVerify, 0, ok, "--check")
	if err != nil {
		return err
	}
	var depFailed []*target
	for _, t := range ok {
		v := judge(obs.results[t])
		switch v.kind {
		case KindMismatch:
			t.res.Status = StatusUnreproducible
			t.res.Message = fmt.Sprintf("a second build gave %s instead of %s: the output is not reproducible", v.got, t.res.New)
		case KindBuildFailed:
			t.res.Status = StatusFailed
			t.res.Message = fmt.Sprintf("building it again with its new hash failed with exit code %d", v.result.ExitCode)
			t.res.LogTail = r.targetLogTail(ctx, t, obs)
		case KindDependencyFailed, KindUnavailable:
			depFailed = append(depFailed, t)
		}
	}
	// After the others, so that a dependency's own outcome is known.
	for _, t := range depFailed {
		t.res.Status = StatusFailed
		t.res.Message = "building it again with its new hash: a dependency failed" +
			r.failedTargetsIn(t) + foreignSummary(obs.foreign)
		t.res.LogTail = r.redactTail(obs.tail)
	}
	return nil
}

// succeeded lists the targets that have a hash so far.
func (r *engineRun) succeeded() []*target {
	var ok []*target
	for _, t := range r.all {
		if t.done() && t.res.Status.Succeeded() {
			ok = append(ok, t)
		}
	}
	return ok
}

// invalidOutputs asks the store which of the targets' outputs are not valid
// (nix-store --check-validity --print-invalid).
func (r *engineRun) invalidOutputs(ctx context.Context, ts []*target) (map[*target]bool, error) {
	args := []string{"--check-validity", "--print-invalid"}
	byOut := map[string]*target{}
	for _, t := range ts {
		for _, o := range t.outs {
			byOut[o] = t
			args = append(args, o)
		}
	}
	out, err := r.e.opts.Nix.Run(ctx, nixcmd.Command{Name: "nix-store", Args: args})
	if err != nil {
		return nil, fmt.Errorf("asking the store which outputs exist: %w", err)
	}
	invalid := map[*target]bool{}
	for _, l := range strings.Split(string(out.Stdout), "\n") {
		if t, ok := byOut[strings.TrimSpace(l)]; ok {
			invalid[t] = true
		}
	}
	return invalid, nil
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
