package fod

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
)

// buildObservation is what one nix-build told about its targets.
type buildObservation struct {
	mismatch    map[*target]Result
	unavailable map[*target]Result
	failed      map[*target]Result
	depFailed   map[*target]bool
	foreign     []Result // results about derivations that are not targets
	tail        []string
}

var (
	engBuildingRe  = regexp.MustCompile(`(?:building|checking outputs of) '(/nix/store/[^']+\.drv)'`)
	engDepFailedRe = regexp.MustCompile(`dependencies of derivation '(/nix/store/[^']+\.drv)' failed to build`)
	engANSIRe      = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]")
)

// nixBuild runs one `nix-build --keep-going` over the targets' .drv files,
// streaming standard error through the log parser, and matches every
// result to its target by .drv path (or output path, for Nix < 2.4).
func (r *engineRun) nixBuild(ctx context.Context, phase Phase, layer int, ts []*target, extra ...string) (*buildObservation, error) {
	byPath := map[string]*target{}
	drvs := make([]string, 0, len(ts))
	for _, t := range ts {
		byPath[t.drv] = t
		for _, o := range t.outs {
			byPath[o] = t
		}
		drvs = append(drvs, t.drv)
	}
	jobs := r.e.opts.MaxJobs
	if jobs <= 0 {
		jobs = len(ts)
	}
	if r.host.BuildUsers > 0 && len(ts) > r.host.BuildUsers && min(jobs, len(ts)) > r.host.BuildUsers {
		r.warn(fmt.Sprintf("%d targets but only %d build users in group %s: Nix runs at most %d builds at once "+
			"and a waiting build polls every 5 s; add build users (nix.conf build-users-group) to build all at once",
			len(ts), r.host.BuildUsers, r.host.BuildUsersGroup, r.host.BuildUsers))
	}
	obs := &buildObservation{
		mismatch: map[*target]Result{}, unavailable: map[*target]Result{},
		failed: map[*target]Result{}, depFailed: map[*target]bool{},
	}
	prog := r.e.startProgress(phase, layer, len(ts), r.start)
	defer prog.close()
	emit := func(res Result) {
		t, ok := byPath[res.Path]
		if !ok {
			obs.foreign = append(obs.foreign, res)
			return
		}
		switch res.Kind {
		case KindMismatch:
			obs.mismatch[t] = res
			prog.finished(t.label())
		case KindUnavailable:
			obs.unavailable[t] = res
		case KindBuildFailed:
			obs.failed[t] = res
			prog.finished(t.label())
		}
	}
	parser := NewParser()
	var buildLog io.WriteCloser
	if r.e.opts.BuildLog != nil {
		buildLog = r.e.opts.BuildLog(phase, layer)
		defer buildLog.Close()
	}
	args := append([]string{"--keep-going", "--no-out-link", "--max-jobs", strconv.Itoa(jobs)}, extra...)
	out, err := r.e.opts.Nix.Run(ctx, nixcmd.Command{
		Name: "nix-build",
		Args: append(args, drvs...),
		Dir:  r.scratch.repo,
		Stderr: func(line []byte) {
			r.e.opts.Log.Debug().Bytes("nix", line).Msg("nix-build")
			if buildLog != nil {
				// line's buffer is the runner's: write it as it is.
				buildLog.Write(line)
				buildLog.Write([]byte{'\n'})
			}
			parser.Feed(line, emit)
			if !bytes.Contains(line, []byte("/nix/store/")) {
				return
			}
			plain := engANSIRe.ReplaceAll(line, nil)
			if m := engBuildingRe.FindSubmatch(plain); m != nil {
				if t, ok := byPath[string(m[1])]; ok {
					prog.started(t.label())
				}
			}
			if m := engDepFailedRe.FindSubmatch(plain); m != nil {
				if t, ok := byPath[string(m[1])]; ok {
					obs.depFailed[t] = true
				}
			}
		},
	})
	parser.Flush(emit)
	var exitErr *nixcmd.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("building %d FODs: %w", len(ts), err)
	}
	if out != nil {
		obs.tail = out.StderrTail
	}
	return obs, nil
}

// buildLayer builds the layer's targets with their placeholder hashes and
// resolves each from its mismatch. A build Nix aborts because a system is
// unavailable (Nix 2.8 stops everything even with --keep-going) is run
// again without the targets that need that system.
func (r *engineRun) buildLayer(ctx context.Context, layer int, ts []*target) error {
	remaining := ts
	for len(remaining) > 0 {
		obs, err := r.nixBuild(ctx, PhaseBuild, layer, remaining)
		if err != nil {
			return err
		}
		var foreignUnavailable []Result
		for _, res := range obs.foreign {
			if res.Kind == KindUnavailable {
				foreignUnavailable = append(foreignUnavailable, res)
			}
		}
		aborted := len(obs.unavailable) > 0 || len(foreignUnavailable) > 0
		var again []*target
		for _, t := range remaining {
			switch {
			case obs.mismatch[t].Got != "":
				t.resolveGot(obs.mismatch[t].Got)
			case obs.unavailable[t].Kind != "":
				t.resolve(StatusUnavailable, "", unavailableMessage(r.host, obs.unavailable[t].System), nil)
			case obs.failed[t].Kind != "":
				t.resolve(StatusFailed, "", fmt.Sprintf("builder failed with exit code %d", obs.failed[t].ExitCode),
					r.drvLogTail(ctx, t.drv, obs.tail))
			case obs.depFailed[t]:
				t.resolve(StatusFailed, "", "a dependency failed to build"+foreignSummary(obs.foreign), obs.tail)
			case aborted:
				if dep := r.needsAny(t, foreignUnavailable); dep != nil {
					t.resolve(StatusUnavailable, "", fmt.Sprintf("its dependency %s needs %s: %s",
						dep.Path, dep.System, unavailableMessage(r.host, dep.System)), nil)
					continue
				}
				again = append(again, t) // Nix stopped before this target finished
			default:
				t.resolve(StatusFailed, "", "nix-build reported no hash for it", lastLines(obs.tail, logTailLines))
			}
		}
		if len(again) == len(remaining) {
			for _, t := range again {
				t.resolve(StatusFailed, "", "nix-build stopped before building it", lastLines(obs.tail, logTailLines))
			}
			again = nil
		}
		remaining = again
	}
	return nil
}

// needsAny returns the first of the unavailable derivations in t's closure.
func (r *engineRun) needsAny(t *target, unavailable []Result) *Result {
	for i, u := range unavailable {
		if ok, err := r.graph.closureHas(t.drv, u.Path); err == nil && ok {
			return &unavailable[i]
		}
	}
	return nil
}

// foreignSummary describes results about derivations that are not
// targets (a dependency's mismatch or failure), for a dependent's message.
func foreignSummary(rs []Result) string {
	var parts []string
	for _, res := range rs {
		if res.Kind == KindMismatch || res.Kind == KindBuildFailed {
			parts = append(parts, fmt.Sprintf("%s: %s", res.Kind, res.Path))
		}
		if len(parts) == 3 {
			break
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// logTailLines is how many lines of a failed builder's log are kept.
const logTailLines = 25

// drvLogTail returns the end of the build log Nix kept for drv
// (nix-store --read-log), or fallback when there is none.
func (r *engineRun) drvLogTail(ctx context.Context, drv string, fallback []string) []string {
	out, err := r.e.opts.Nix.Run(ctx, nixcmd.Command{Name: "nix-store", Args: []string{"--read-log", drv}})
	if err != nil || len(bytes.TrimSpace(out.Stdout)) == 0 {
		return lastLines(fallback, logTailLines)
	}
	lines := strings.Split(strings.TrimRight(string(out.Stdout), "\n"), "\n")
	return lastLines(lines, logTailLines)
}

func lastLines(lines []string, n int) []string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return append([]string(nil), lines...)
}
