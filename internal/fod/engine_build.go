package fod

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
)

// buildObservation is what one nix-build told about its targets: every
// result Nix reported for each, in log order, and each one's own log.
type buildObservation struct {
	results map[*target][]Result
	foreign []Result // results about derivations that are not targets
	// drvLogs are each derivation's own output, by .drv path (targets'
	// and their dependencies', before or after their paths are known).
	drvLogs map[string]*nixcmd.Tail
	tail    []string // the end of nix-build's standard error
	// realised is true when nix-build succeeded: every derivation it was
	// given is valid in the store, at the paths of outPaths.
	realised bool
	outPaths []string // the output paths nix-build printed, in its order
}

// addToTail adds line to ring, a new one of logTailLines when nil.
func addToTail(ring *nixcmd.Tail, line []byte) *nixcmd.Tail {
	if ring == nil {
		ring = nixcmd.NewTail(logTailLines)
	}
	ring.Add(string(line))
	return ring
}

// targetsByPath indexes targets by .drv and output path.
func targetsByPath(ts []*target) map[string]*target {
	byPath := map[string]*target{}
	for _, t := range ts {
		byPath[t.drv] = t
		for _, o := range t.outs {
			byPath[o] = t
		}
	}
	return byPath
}

// engBuildingRe finds a build starting in a text log; internal-json logs
// say it with a structured event instead.
var engBuildingRe = regexp.MustCompile(`(?:building|checking outputs of) '(/nix/store/[^']+\.drv)'`)

// nixBuild runs one `nix-build --keep-going` over the targets' .drv files,
// streaming standard error through the log parser, and matches every
// result to its target by .drv path (or output path, for Nix < 2.4). Where
// the Nix in use has structured logs, it asks for them: then Nix's own
// messages and a builder's output cannot be mistaken for each other.
func (r *engineRun) nixBuild(ctx context.Context, phase Phase, layer int, ts []*target, extra ...string) (*buildObservation, error) {
	drvs := make([]string, 0, len(ts))
	for _, t := range ts {
		drvs = append(drvs, t.drv)
	}
	return r.runNixBuild(ctx, phase, layer, ts, targetsByPath(ts), slices.Concat(extra, drvs))
}

// runNixBuild runs one `nix-build --keep-going` of ts with args (options,
// then what to build), matching results to targets through byPath; those
// it does not match are foreign.
func (r *engineRun) runNixBuild(ctx context.Context, phase Phase, layer int, ts []*target, byPath map[string]*target, args []string) (*buildObservation, error) {
	jobs := r.req.MaxJobs
	if jobs <= 0 {
		jobs = r.e.opts.MaxJobs
	}
	if jobs <= 0 && r.req.Config != nil {
		jobs = r.req.Config.Build.MaxJobs
	}
	if jobs <= 0 {
		jobs = len(ts)
	}
	r.warnBuildUsers(len(ts), jobs)
	obs := &buildObservation{results: map[*target][]Result{}, drvLogs: map[string]*nixcmd.Tail{}}
	prog := r.e.startProgress(phase, layer, len(ts), r.start)
	defer prog.close()

	var buildLog io.WriteCloser
	if r.e.opts.BuildLog != nil {
		buildLog = r.e.opts.BuildLog(phase, layer)
		defer buildLog.Close()
	}
	writeLog := func(prefix string, line []byte) {
		if buildLog == nil {
			return
		}
		buildLog.Write([]byte(prefix))
		buildLog.Write(line)
		buildLog.Write([]byte{'\n'})
	}
	structured := r.host.StructuredLogs()
	opts := ParserOptions{Format: LogText}
	if structured {
		opts = ParserOptions{
			Format: LogStructured,
			BuildStarted: func(drv string) {
				writeLog("", []byte("building '"+drv+"'..."))
				r.buildStarted(prog, byPath[drv])
			},
			BuildOutput: func(drv string, line []byte) {
				writeLog(drvName(drv)+"> ", line)
				obs.drvLogs[drv] = addToTail(obs.drvLogs[drv], line)
			},
			Message: func(text string) { writeLog("", []byte(text)) },
		}
	}
	parser := NewParserWith(opts)
	// The runner calls Stderr, and so the parser and its hooks, from one
	// goroutine: obs needs no lock.
	emit := func(res Result) {
		t, ok := byPath[res.Path]
		if !ok {
			obs.foreign = append(obs.foreign, res)
			return
		}
		obs.results[t] = append(obs.results[t], res)
		if res.Kind != KindUnavailable {
			prog.finished(t.label())
		}
	}
	all := []string{"--keep-going", "--no-out-link", "--max-jobs", strconv.Itoa(jobs)}
	all = append(all, r.host.BuildArgs(min(jobs, len(ts)))...)
	if structured {
		all = append(all, "--log-format", "internal-json")
	}
	out, err := r.e.opts.Nix.Run(ctx, nixcmd.Command{
		Name: "nix-build",
		Args: append(all, args...),
		Dir:  r.scratch.repo,
		Stderr: func(line []byte) {
			r.log.Debug().Bytes("nix", line).Msg("nix-build")
			if !structured {
				writeLog("", line) // line's buffer is the runner's: write it as it is
				if bytes.Contains(line, []byte("/nix/store/")) {
					if m := engBuildingRe.FindSubmatch(parseStripANSI(nil, line)); m != nil {
						r.buildStarted(prog, byPath[string(m[1])])
					}
				}
			}
			parser.Feed(line, emit)
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
	if err == nil {
		obs.realised = true
		for _, l := range strings.Split(string(out.Stdout), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				obs.outPaths = append(obs.outPaths, l)
			}
		}
	}
	return obs, nil
}

func (r *engineRun) buildStarted(prog *buildProgress, t *target) {
	if t != nil {
		prog.started(t.label())
	}
}

// warnBuildUsers warns, once, when Nix will build fewer targets at once than
// asked because it has fewer build users than that.
func (r *engineRun) warnBuildUsers(targets, jobs int) {
	h := r.host
	if parallel := min(jobs, targets); h.BuildUsersCap(parallel) == parallel {
		return
	}
	r.warn(fmt.Sprintf("%d targets but only %d build users in group %s: Nix runs at most %d builds at once "+
		"and a waiting build polls every 5 s; %s", targets, h.BuildUsers, h.BuildUsersGroup, h.BuildUsers,
		h.BuildUsersAdvice()))
}

// verdict is what a build's results say of one target.
type verdict struct {
	kind     Kind   // the outcome: KindMismatch (got is set), a failure, or "" (nothing said)
	got      string // the one hash Nix computed
	result   Result // the result that decided
	conflict []string
}

// judge reads every result Nix reported for a target. Only one outcome is
// possible for one derivation, so a failure outweighs any mismatch (a
// builder that prints a mismatch block of its own and then fails has no
// hash), and two different hashes for one target mean that at least one of
// them is not Nix's: neither is taken.
func judge(results []Result) verdict {
	var v verdict
	gots := map[string]bool{}
	for _, res := range results {
		switch res.Kind {
		case KindUnavailable, KindBuildFailed, KindDependencyFailed:
			if v.kind == "" || v.kind == KindMismatch {
				v.kind, v.result = res.Kind, res
			}
		case KindMismatch:
			if !gots[res.Got] {
				gots[res.Got] = true
				v.conflict = append(v.conflict, res.Got)
			}
			if v.kind == "" {
				v.kind, v.got, v.result = KindMismatch, res.Got, res
			}
		}
	}
	if len(v.conflict) < 2 || v.kind != KindMismatch {
		v.conflict = nil
	}
	return v
}

// buildLayer builds the layer's targets with their placeholder hashes and
// resolves each from what Nix reported. A build Nix aborts because a system
// is unavailable (Nix 2.8 stops everything even with --keep-going) is run
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
		aborted := len(foreignUnavailable) > 0
		for _, t := range remaining {
			if judge(obs.results[t]).kind == KindUnavailable {
				aborted = true
			}
		}
		var again []*target
		for _, t := range remaining {
			v := judge(obs.results[t])
			switch {
			case v.conflict != nil:
				t.resolve(StatusFailed, "", conflictMessage(v.conflict), nil)
			case v.kind == KindMismatch:
				t.resolveGot(v.got)
			case v.kind == KindUnavailable:
				t.resolve(StatusUnavailable, "", unavailableMessage(r.host, t.system, v.result.Features), nil)
			case v.kind == KindBuildFailed:
				t.resolve(StatusFailed, "", fmt.Sprintf("builder failed with exit code %d", v.result.ExitCode),
					r.targetLogTail(ctx, t, obs))
			case (v.kind == KindDependencyFailed || aborted) && r.needsAny(t, foreignUnavailable) != nil:
				dep := r.needsAny(t, foreignUnavailable)
				t.resolve(StatusUnavailable, "", fmt.Sprintf("its dependency %s needs %s: %s",
					dep.Path, dependencyNeeds(dep), unavailableMessage(r.host, dep.System, dep.Features)), nil)
			case v.kind == KindDependencyFailed:
				t.resolve(StatusFailed, "", "a dependency failed to build"+foreignSummary(obs.foreign), r.redactTail(obs.tail))
			case aborted:
				again = append(again, t) // Nix stopped before this target finished
			default:
				t.resolve(StatusFailed, "", "nix-build reported no hash for it", r.redactTail(obs.tail))
			}
		}
		if len(again) == len(remaining) {
			for _, t := range again {
				t.resolve(StatusFailed, "", "nix-build stopped before building it", r.redactTail(obs.tail))
			}
			again = nil
		}
		remaining = again
	}
	return nil
}

// dependencyNeeds says what an unavailable dependency needs: its system, or
// the features it requires (Nix 2.34 names only those).
func dependencyNeeds(dep *Result) string {
	if len(dep.Features) > 0 && dep.System == "" {
		return "the system features {" + strings.Join(dep.Features, ", ") + "}"
	}
	return dep.System
}

// conflictMessage says why a target with several reported hashes failed.
func conflictMessage(gots []string) string {
	return fmt.Sprintf("the build log reports %d different hashes for it (%s): at least one was not written by Nix "+
		"(a builder printing a mismatch of its own?), so hashbot takes none", len(gots), strings.Join(gots, ", "))
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

// logTailLines is how many raw lines of a failed builder's log are read
// before they are made readable (readableTail keeps fewer).
const logTailLines = 200

// targetLogTail returns the readable end of t's own build log (drvLogTail).
func (r *engineRun) targetLogTail(ctx context.Context, t *target, obs *buildObservation) []string {
	return r.drvLogTail(ctx, t.drv, obs)
}

// redactTail makes a log tail readable and takes every secret out of it.
func (r *engineRun) redactTail(lines []string) []string {
	out := readableTail(lines)
	if r.e.opts.Redact != nil {
		for i, l := range out {
			out[i] = r.e.opts.Redact(l)
		}
	}
	return out
}

func lastLines(lines []string, n int) []string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return append([]string(nil), lines...)
}

// drvName is the name of a derivation's store path, for log prefixes:
// "/nix/store/<hash>-src.drv" gives "src".
func drvName(drv string) string {
	base := strings.TrimSuffix(path.Base(drv), ".drv")
	if _, name, ok := strings.Cut(base, "-"); ok {
		return name
	}
	return base
}
