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
//
// One nix-build evaluates the targets with their new hashes and realises
// them (confirmBuild): when it succeeds, every output is valid, and that is
// Nix's confirmation of every hash. When it fails, the targets are
// evaluated on their own to learn which derivation is whose, and the store
// says which outputs are valid. With Verify, which builds each target's
// new .drv again, they are evaluated first and their .drv files realised.
func (r *engineRun) confirm(ctx context.Context) error {
	ok := r.succeeded()
	if len(ok) == 0 {
		return nil
	}
	if err := r.writePins(nil, false); err != nil {
		return err
	}
	var obs *buildObservation
	if !r.req.Verify {
		var err error
		if obs, err = r.confirmBuild(ctx, ok); err != nil {
			return err
		}
		if obs.realised && len(obs.outPaths) == len(ok) {
			return nil
		}
	}
	if err := r.e.evaluate(ctx, r.scratch, r.req.Config, ok); err != nil {
		return err
	}
	if obs != nil {
		obs.attribute(ok)
	} else {
		var err error
		if obs, err = r.nixBuild(ctx, PhaseConfirm, 0, ok); err != nil {
			return err
		}
	}
	invalid, err := r.invalidOutputs(ctx, ok, obs)
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

// confirmBuild evaluates the targets with the scratch pins and realises
// them in one nix-build (buildExpr). Until the targets' new .drv paths are
// known, every result it reports is foreign (buildObservation.attribute).
func (r *engineRun) confirmBuild(ctx context.Context, ts []*target) (*buildObservation, error) {
	expr, err := writeEvalFiles(r.scratch, r.req.Config, ts, "build.nix", buildExpr)
	if err != nil {
		return nil, err
	}
	var args []string
	if r.req.Config.Flake != "" {
		args = nixcmd.FlakeArgs()
	}
	return r.runNixBuild(ctx, PhaseConfirm, 0, ts, nil, append(args, expr))
}

// attribute matches the foreign results to the targets by the paths of
// their latest evaluation, for a build that ran before it knew them
// (confirmBuild).
func (o *buildObservation) attribute(ts []*target) {
	byPath := targetsByPath(ts)
	var rest []Result
	for _, res := range o.foreign {
		if t, ok := byPath[res.Path]; ok {
			o.results[t] = append(o.results[t], res)
			continue
		}
		rest = append(rest, res)
	}
	o.foreign = rest
}

// invalidOutputs returns the targets whose output is not valid in the
// store: none when the build realised them and printed every one, else
// what the store says (nix-store --check-validity --print-invalid).
func (r *engineRun) invalidOutputs(ctx context.Context, ts []*target, obs *buildObservation) (map[*target]bool, error) {
	printed := map[string]bool{}
	if obs.realised {
		for _, p := range obs.outPaths {
			printed[p] = true
		}
	}
	args := []string{"--check-validity", "--print-invalid"}
	byOut := map[string]*target{}
	allPrinted := true
	for _, t := range ts {
		for _, o := range t.outs {
			byOut[o] = t
			args = append(args, o)
			allPrinted = allPrinted && printed[o]
		}
	}
	if allPrinted {
		return map[*target]bool{}, nil
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
