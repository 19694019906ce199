package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/safefile"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// Local is hashbot's work in the working tree of a packaging repository,
// by hand or in one job of a CI matrix: computing hashes there and writing
// them (Update, `hashbot update`), and writing hashes computed elsewhere
// (Apply, `hashbot apply`). The command line parses flags and prints what
// these return; the steps are here, beside a run's.
type Local struct {
	// Config and Stored are the working tree's configuration and pins.
	Config *config.Config
	Stored *pins.Stored
	// Engine computes hashes, prefetches archives and moves flake inputs.
	Engine localEngine
	// Sources says how a source is pinned at a rev, and where the branches
	// of the flake inputs followed as sources are (upstream.Checker).
	Sources sourceChecker
	// Commit is the commit the working tree is at ("" outside git): the one
	// Update's results name, and the one Apply's must name.
	Commit string
	// Notify tells the user of a step the files show (a flake input moved,
	// flake.lock put back); nil tells nothing.
	Notify func(msg string)
}

// localEngine is what Local asks of the hash engine (fod.Engine).
type localEngine interface {
	Compute(ctx context.Context, req fod.Request) (*fod.Report, error)
	PrefetchArchive(ctx context.Context, url string) (string, error)
	VerifyLocked(ctx context.Context, locked []byte) error
	FlakeInputUpdater
}

// sourceChecker is what Local asks of upstream (upstream.Checker).
type sourceChecker interface {
	SourcePin(cfg *config.Config, name, rev string) (pins.Source, error)
	FlakeInputHeads(ctx context.Context, cfg *config.Config) (map[string]string, error)
}

// pinsAt is a copy of the working tree's pins at version setVersion (""
// keeps theirs), refusing a downgrade unless allowDowngrade.
func (l *Local) pinsAt(setVersion string, allowDowngrade bool) (*pins.Pins, error) {
	p := l.Stored.Pins.Clone()
	if setVersion == "" {
		return p, nil
	}
	if !allowDowngrade {
		if err := version.CheckDowngrade(setVersion, p.Version()); err != nil {
			return nil, err
		}
	}
	p.SetVersion(setVersion)
	return p, nil
}

func (l *Local) notify(format string, args ...any) {
	if l.Notify != nil {
		l.Notify(fmt.Sprintf(format, args...))
	}
}

// RequestError is an update request the configuration cannot carry out:
// a --source it cannot pin (no such source, a rev it refuses, a flake
// input in a dry run), --update-input without a flake.
type RequestError struct{ Err error }

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

// UpdateRequest is what `hashbot update` asks for.
type UpdateRequest struct {
	// FODs and Systems select the targets (fod.Request).
	FODs, Systems []string
	// Verify builds each new hash once more with --check.
	Verify bool
	// DryRun computes and writes nothing (and moves no flake input).
	DryRun bool
	// Partial writes the hashes that were computed when others failed.
	Partial bool
	// MaxJobs overrides [build] max-jobs when more than 0.
	MaxJobs int
	// SetVersion computes for this upstream version and pins it; one
	// older than the pinned version is a *version.DowngradeError unless
	// AllowDowngrade.
	SetVersion     string
	AllowDowngrade bool
	// Sources pins each source at a rev first (name → rev): a source in
	// the pins with the hash Nix gives its archive, a flake input moved
	// by Nix in flake.lock, which must then lock that rev.
	Sources map[string]string
	// UpdateInputs are flake inputs moved to their newest revision first.
	UpdateInputs []string
	// SkipCheck leaves the [check] attributes unbuilt.
	SkipCheck bool
}

// UpdateOutcome is what Update computed and wrote.
type UpdateOutcome struct {
	// Report is the engine's, naming the commit it was computed on and the
	// flake.lock it was computed with when a flake input was pinned.
	Report *fod.Report
	// Changed counts the hashes that differ from the pins.
	Changed int
	// Written are the files written; none for a dry run or a failed one.
	Written []string
}

// Update pins what req asks, computes the selected hashes in a scratch
// copy, and writes them into the working tree's pins when every target
// succeeded (or, with Partial, the successful ones). A flake.lock that
// --update-input or a flake input's --source moved is put back as it was
// unless the hashes computed with it were written. An incomplete report
// comes back with its outcome and a *PartialError.
func (l *Local) Update(ctx context.Context, req UpdateRequest) (out *UpdateOutcome, err error) {
	cfg := l.Config
	p, err := l.pinsAt(req.SetVersion, req.AllowDowngrade)
	if err != nil {
		return nil, err
	}
	if len(req.UpdateInputs) > 0 && cfg.Flake == "" {
		return nil, &RequestError{Err: fmt.Errorf("--update-input: %s names no flake", config.FileName)}
	}
	if !req.DryRun {
		lock, err := runlock.Acquire(cfg.Dir, "hashbot update")
		if err != nil {
			return nil, err
		}
		defer lock.Release()
	}
	// Under the run lock: a moved flake.lock is put back unless written.
	defer l.keepFlakeLock(req)(&err)
	lockPinned, err := l.pinSources(ctx, p, req)
	if err != nil {
		return nil, err
	}
	for _, in := range req.UpdateInputs {
		if err := l.Engine.UpdateFlakeInput(ctx, filepath.Join(cfg.Dir, filepath.FromSlash(cfg.Flake)), in); err != nil {
			return nil, err
		}
		l.notify("moved the flake input %s (%s)", in, cfg.FlakeLockPath())
	}
	rep, err := l.Engine.Compute(ctx, fod.Request{
		Config: cfg, Pins: p, Stored: l.Stored, FODs: req.FODs, Systems: req.Systems, Verify: req.Verify, MaxJobs: req.MaxJobs,
		SkipCheck: req.SkipCheck,
	})
	if err != nil {
		return nil, err
	}
	rep.Commit = l.Commit
	if lockPinned {
		// The hashes hold for this lock: apply writes it with them.
		if rep.FlakeLock, err = pins.ReadTree(cfg.Dir)(cfg.FlakeLockPath()); err != nil {
			return nil, err
		}
	}
	out = &UpdateOutcome{Report: rep, Changed: rep.Apply(p)}
	ok := rep.OK()
	moved := req.SetVersion != "" || len(req.Sources) > 0 // the pins change even with no new hash
	if !req.DryRun && (ok || req.Partial) && (out.Changed > 0 || moved) {
		if out.Written, err = l.Stored.Save(cfg.Dir, p, nil); err != nil { // Nix wrote a moved flake.lock itself
			return out, err
		}
	}
	if !ok {
		return out, &PartialError{Report: rep}
	}
	return out, nil
}

// keepFlakeLock keeps the flake's flake.lock, which --update-input and a
// flake input's --source move before anything is computed, and returns
// what puts it back unless the run wrote what it computed with it: when
// *err is an error (a refused --source, a cancelled or failed run, results
// not written), other than the *PartialError of a Partial run, which wrote
// them.
func (l *Local) keepFlakeLock(req UpdateRequest) func(err *error) {
	cfg := l.Config
	if cfg.Flake == "" || req.DryRun || len(req.UpdateInputs) == 0 && len(req.Sources) == 0 {
		return func(*error) {}
	}
	restore, snapErr := safefile.Snapshot(cfg.Dir, cfg.FlakeLockPath())
	return func(err *error) {
		var partial *PartialError
		if *err == nil || req.Partial && errors.As(*err, &partial) {
			return
		}
		if snapErr != nil {
			*err = errors.Join(*err, fmt.Errorf("%s may have moved, and cannot be put back: %w", cfg.FlakeLockPath(), snapErr))
			return
		}
		switch changed, rerr := restore(); {
		case rerr != nil:
			*err = errors.Join(*err, fmt.Errorf("putting %s back: %w", cfg.FlakeLockPath(), rerr))
		case changed:
			l.notify("%s put back as it was", cfg.FlakeLockPath())
		}
	}
}

// pinSources pins each source of req.Sources at its rev, so that the FODs
// are computed against it and the report says so. lockPinned says whether
// a flake input was pinned so.
func (l *Local) pinSources(ctx context.Context, p *pins.Pins, req UpdateRequest) (lockPinned bool, err error) {
	cfg := l.Config
	for _, name := range slices.Sorted(maps.Keys(req.Sources)) {
		rev := req.Sources[name]
		pin, err := l.Sources.SourcePin(cfg, name, rev)
		if err != nil {
			return lockPinned, &RequestError{Err: fmt.Errorf("--source: %w", err)}
		}
		if src := cfg.Sources[name]; src.FlakeInput != "" {
			if req.DryRun {
				return lockPinned, &RequestError{Err: fmt.Errorf("--source %s: the flake input %s moves in %s: not with --dry-run", name, src.FlakeInput, cfg.FlakeLockPath())}
			}
			if err := lockFlakeInput(ctx, l.Engine, cfg, name, rev); err != nil {
				return lockPinned, err
			}
			lockPinned = true
			l.notify("the flake input %s is locked at %s (%s)", src.FlakeInput, rev, cfg.FlakeLockPath())
			continue
		}
		if pin.Hash, err = l.Engine.PrefetchArchive(ctx, pin.URL); err != nil {
			return lockPinned, fmt.Errorf("source %s: %w", name, err)
		}
		p.SetSource(name, pin)
		zerolog.Ctx(ctx).Info().Str(logfield.Source, name).Str(logfield.Rev, rev).Str(logfield.Hash, pin.Hash).Msg("source pinned")
	}
	return lockPinned, nil
}
