package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// ApplyRequest is what `hashbot apply` asks for.
type ApplyRequest struct {
	// Reports are the results files, read (fod.ReadReportFile).
	Reports []fod.NamedReport
	// FODs the results must cover; empty means all.
	FODs []string
	// SetVersion is the upstream version they were computed for, pinned
	// with them (an older one than the pins' only with AllowDowngrade).
	SetVersion     string
	AllowDowngrade bool
	// DryRun checks and writes nothing.
	DryRun bool
}

// ApplyOutcome is what Apply found and wrote.
type ApplyOutcome struct {
	// Results are the merged results, Old and Status against the pins.
	Results []fod.TargetResult
	// Changed counts the hashes that differ from the pins.
	Changed int
	// Written are the files written (none for a dry run, or when the pins
	// already hold everything).
	Written []string
	// Checks are the [check] results of every report, merged
	// (fod.MergeChecks); Version is the pins' version they were built for.
	Checks  []fod.CheckResult
	Version string
}

// Apply merges results computed on other machines (one per system) and
// writes them into the working tree's pins, with the source pins and the
// flake.lock they were computed with: only results computed on Commit,
// for the pins' version, that agree with each other and cover every
// required target, with source pins hashbot.toml would write and a
// flake.lock that moves only the followed inputs, to the heads of their
// branches, with the narHash Nix finds there. Anything else is refused and
// nothing is written; a *fod.MergeError says what.
func (l *Local) Apply(ctx context.Context, req ApplyRequest) (*ApplyOutcome, error) {
	cfg, stored := l.Config, l.Stored
	if len(req.Reports) == 0 {
		return nil, errors.New("no results to apply")
	}
	versionMoved := req.SetVersion != "" && req.SetVersion != stored.Pins.Version()
	p, err := l.pinsAt(req.SetVersion, req.AllowDowngrade)
	if err != nil {
		return nil, err
	}
	merged, err := fod.MergeReports(cfg, req.FODs, p.Version(), l.Commit, req.Reports)
	if err != nil {
		return nil, fmt.Errorf("refusing to write %s: %w", cfg.Pins, err)
	}
	first := req.Reports[0].Report
	movedSources, err := l.applySources(p, first.Sources)
	if err != nil {
		return nil, err
	}
	// The flake.lock the results were computed with (a flake input moved
	// by update --source), unless it is already the working tree's.
	lock := first.FlakeLock
	if string(lock) == string(stored.Files()[cfg.FlakeLockPath()]) {
		lock = nil
	} else if lock != nil && stored.Layout().FlakeLock != "" { // else Save refuses it
		revs, err := l.proveResultsLock(ctx, stored.Files()[cfg.FlakeLockPath()], lock)
		if err != nil {
			return nil, err
		}
		stored.ExpectLocked(revs)
	}
	for i, r := range merged {
		old, _ := p.Hash(r.FOD, r.PinSystem())
		merged[i].Old = old
		merged[i].Status = fod.StatusChanged
		if old == r.New {
			merged[i].Status = fod.StatusUnchanged
		}
		merged[i].Message, merged[i].LogTail = "", nil
	}
	rep := &fod.Report{Results: merged}
	out := &ApplyOutcome{Results: merged, Changed: rep.Apply(p), Checks: fod.MergeChecks(cfg, req.Reports), Version: p.Version()}
	if req.DryRun || out.Changed == 0 && !versionMoved && movedSources == 0 && lock == nil {
		return out, nil
	}
	if out.Written, err = stored.Save(cfg.Dir, p, lock); err != nil {
		return out, err
	}
	return out, nil
}

// applySources pins the sources the results were computed against (every
// report has the same ones, MergeReports checked), each as hashbot.toml
// would pin it at that rev, and says how many moved.
func (l *Local) applySources(p *pins.Pins, sources map[string]pins.Source) (int, error) {
	cfg := l.Config
	moved := 0
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		got := sources[name]
		want, err := l.Sources.SourcePin(cfg, name, got.Rev)
		if err != nil {
			return 0, fmt.Errorf("refusing to write %s: the results' sources.%s: %w", cfg.Pins, name, err)
		}
		if want.URL != got.URL || want.Version != got.Version {
			return 0, fmt.Errorf("refusing to write %s: the results were computed against sources.%s at %s, but [source.%s] puts %s at %s",
				cfg.Pins, name, got.URL, name, got.Rev, want.URL)
		}
		if old, _ := p.Source(name); old != got && got.Hash != "" {
			p.SetSource(name, got)
			moved++
		}
	}
	return moved, nil
}

// proveResultsLock checks the flake.lock a results file carries (old is
// the working tree's) before Apply writes it: it moves only the flake
// inputs followed as sources, each in its own node and its own
// repository, to the commit GitHub gives for the branch it follows now
// (pins.GuardFlakeLock), and Nix fetches each moved input's locked
// reference and finds the narHash the lock says (fod.Engine.VerifyLocked).
// It returns those commits, by input, for pins.Stored.ExpectLocked.
func (l *Local) proveResultsLock(ctx context.Context, old, lock []byte) (map[string]string, error) {
	cfg := l.Config
	refuse := func(err error) error {
		return fmt.Errorf("refusing to write %s: the results' flake_lock: %w", cfg.FlakeLockPath(), err)
	}
	heads, err := l.Sources.FlakeInputHeads(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pins.GuardFlakeLock(cfg.FlakeLockPath(), old, lock, heads); err != nil {
		return nil, refuse(err)
	}
	moved, err := pins.MovedInputs(old, lock, slices.Sorted(maps.Keys(heads)))
	if err != nil {
		return nil, refuse(err)
	}
	for _, in := range slices.Sorted(maps.Keys(moved)) {
		if err := l.Engine.VerifyLocked(ctx, moved[in]); err != nil {
			return nil, refuse(fmt.Errorf("the input %s: %w", in, err))
		}
	}
	return heads, nil
}
