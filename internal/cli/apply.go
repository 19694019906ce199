package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// applyOptions are the flags and arguments of `hashbot apply` and what it
// runs with.
type applyOptions struct {
	IO      *ioStreams
	Factory *factory

	Files      []string
	FODs       []string
	DryRun     bool
	SetVersion string
	// AllowDowngrade takes a SetVersion older than the pinned one.
	AllowDowngrade bool
}

func newApplyCmd(f *factory, runF func(*applyOptions) error) *cobra.Command {
	opts := &applyOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "apply FILE...",
		Short: "Write the pins from the JSON results of per-platform `hashbot update --json` runs",
		Long: `apply merges the results that ` + "`hashbot update --json`" + ` wrote on each
platform's machine (e.g. one CI runner per system) and writes the pins.

It refuses conflicting results (two different hashes for one FOD and system,
or results computed for another version) and incomplete ones (a configured
FOD and system, among --fod or all, with no successful result), and then
writes nothing.

The results' [check] outcomes are merged too (a failure on any platform
wins) and kept in the state directory for ` + "`hashbot run --publish-only`" + `
on the same commit.`,
		Example: `  hashbot apply --set-version 2026.2.2 results/*.json
  hashbot apply --dry-run results/x86_64-linux.json results/aarch64-linux.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if err := checkVersionFlag("--set-version", opts.SetVersion); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.FODs, "fod", nil, "FOD the results must cover (repeatable; default: all)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "check and print, write nothing")
	fl.StringVar(&opts.SetVersion, "set-version", "", "the upstream version the results were computed for (update --set-version); written to the pins")
	fl.BoolVar(&opts.AllowDowngrade, "allow-downgrade", false, "take a --set-version older than the pinned one (refused without it)")
	return cmd
}

func applyRun(ctx context.Context, opts *applyOptions) error {
	f := opts.Factory
	cfg, stored, err := f.loadRepo()
	if err != nil {
		return err
	}
	p := stored.Pins.Clone()
	if err := checkDowngrade(opts.SetVersion, p.Version(), opts.AllowDowngrade); err != nil {
		return err
	}
	versionMoved := opts.SetVersion != "" && opts.SetVersion != p.Version()
	if versionMoved {
		p.SetVersion(opts.SetVersion)
	}
	var reports []fod.NamedReport
	for _, f := range opts.Files {
		r, err := fod.ReadReportFile(f)
		if err != nil {
			return usageError(err)
		}
		reports = append(reports, fod.NamedReport{Name: f, Report: r})
	}
	commit, err := f.workingCommit(ctx)
	if err != nil {
		return err
	}
	merged, err := fod.MergeReports(cfg, opts.FODs, p.Version(), commit, reports)
	if err != nil {
		var me *fod.MergeError
		if errors.As(err, &me) && len(me.Conflicts) == 0 {
			return &ExitError{Code: ExitPartial, Err: fmt.Errorf("refusing to write %s: %w", cfg.Pins, err)}
		}
		return fmt.Errorf("refusing to write %s: %w", cfg.Pins, err)
	}
	movedSources, err := applySources(f, cfg, p, reports[0].Report.Sources)
	if err != nil {
		return err
	}
	// The flake.lock the results were computed with (a flake input moved
	// by update --source), unless it is already the working tree's.
	lock := reports[0].Report.FlakeLock
	if string(lock) == string(stored.Files()[cfg.FlakeLockPath()]) {
		lock = nil
	} else if lock != nil && stored.Layout().FlakeLock != "" { // else Save refuses it
		revs, err := proveResultsLock(ctx, f, cfg, stored.Files()[cfg.FlakeLockPath()], lock)
		if err != nil {
			return err
		}
		stored.ExpectLocked(revs)
	}
	rep := &fod.Report{Results: merged}
	for i, r := range rep.Results {
		old, _ := p.Hash(r.FOD, r.PinSystem())
		rep.Results[i].Old = old
		rep.Results[i].Status = fod.StatusChanged
		if old == r.New {
			rep.Results[i].Status = fod.StatusUnchanged
		}
		rep.Results[i].Message, rep.Results[i].LogTail = "", nil
	}
	printReport(opts.IO.Out, rep.Results)
	checks := fod.MergeChecks(cfg, reports)
	if !opts.DryRun {
		if checks, err = keepAppliedChecks(f, cfg, commit, p.Version(), reports); err != nil {
			return err
		}
	}
	printChecks(opts.IO.Out, checks)
	n := rep.Apply(p)
	switch {
	case opts.DryRun:
		fmt.Fprintf(opts.IO.ErrOut, "hashbot: %d hash(es) would change; dry run, %s not written\n", n, cfg.PinsName())
	case n == 0 && !versionMoved && movedSources == 0 && lock == nil:
		fmt.Fprintf(opts.IO.ErrOut, "hashbot: %s already up to date\n", cfg.PinsName())
	default:
		written, err := stored.Save(cfg.Dir, p, lock)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "hashbot: wrote %d hash(es) to %s from %d results file(s)\n", n, strings.Join(written, ", "), len(opts.Files))
	}
	return nil
}

// applySources pins the sources the results were computed against (every
// report has the same ones, MergeReports checked), each as hashbot.toml
// would pin it at that rev, and says how many moved.
func applySources(f *factory, cfg *config.Config, p *pins.Pins, sources map[string]pins.Source) (int, error) {
	if len(sources) == 0 {
		return 0, nil
	}
	checker, err := f.sourcePinner()
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		got := sources[name]
		want, err := checker.SourcePin(cfg, name, got.Rev)
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
