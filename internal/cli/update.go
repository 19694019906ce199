package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghactions"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// updateOptions are the flags of `hashbot update` and what it runs with.
type updateOptions struct {
	IO      *ioStreams
	Factory *factory

	FODs    []string
	Systems []string
	Verify  bool
	// NoCheck leaves the [check] attributes unbuilt.
	NoCheck    bool
	DryRun     bool
	Partial    bool
	JSON       bool
	MaxJobs    int
	SetVersion string
	// AllowDowngrade takes a SetVersion older than the pinned one.
	AllowDowngrade bool
	Sources        []string
	// UpdateInputs are flake inputs moved to their newest revision first.
	UpdateInputs []string
}

func newUpdateCmd(f *factory, runF func(*updateOptions) error) *cobra.Command {
	opts := &updateOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Recompute FOD hashes for every platform in one Nix build and write the pins",
		Long: `update recomputes the hashes of the fixed-output derivations named in
hashbot.toml (default: all) for their systems (default: each FOD's systems,
or this machine's for a system-independent FOD), in a scratch copy of the
repository, with one nix-build per layer of FODs feeding each other.

The pins file is written (atomically, only the hashes that changed) when
every selected target succeeded; with --partial the successful ones are
written even when others failed (exit code 3). --json prints the results
as JSON, the input of ` + "`hashbot apply`" + `.`,
		Example: `  hashbot update                                  # every FOD, every system it lists
  hashbot update --fod python-deps --system aarch64-linux
  hashbot update --verify --dry-run               # compute and check reproducibility, write nothing
  hashbot update --system x86_64-linux --set-version 2026.2.2 --json > results/x86_64-linux.json
  hashbot update --source nixpkgs=3f1c2a9b0d4e5f60718293a4b5c6d7e8f9012345 --json > results/x86_64-linux.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.MaxJobs < 0 {
				return usageErrorf("--max-jobs %d: must be 0 or more", opts.MaxJobs)
			}
			if err := checkVersionFlag("--set-version", opts.SetVersion); err != nil {
				return err
			}
			if err := checkSourceFlags(opts.Sources); err != nil {
				return err
			}
			if len(opts.UpdateInputs) > 0 && opts.DryRun {
				return usageErrorf("--update-input writes the flake's flake.lock: not with --dry-run")
			}
			for _, in := range opts.UpdateInputs {
				if !config.ValidName(in) {
					return usageErrorf("--update-input %q: not a flake input's name", in)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.FODs, "fod", nil, "FOD to recompute (repeatable; default: all)")
	fl.StringArrayVar(&opts.Systems, "system", nil, "system to compute the per-system FODs for (repeatable; default: each FOD's systems); system-independent FODs are computed here with any")
	fl.BoolVar(&opts.Verify, "verify", false, "build each new hash again with --check; an unreproducible FOD is not written")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "compute and print, write nothing")
	fl.BoolVar(&opts.Partial, "partial", false, "write the hashes that were computed even when other targets failed")
	fl.BoolVar(&opts.JSON, "json", false, "print the results as JSON (the input of hashbot apply)")
	fl.IntVar(&opts.MaxJobs, "max-jobs", 0, "nix-build --max-jobs (default: [build] max-jobs, else one per target)")
	fl.StringVar(&opts.SetVersion, "set-version", "", "compute for this upstream version (written to the pins with the hashes)")
	fl.BoolVar(&opts.AllowDowngrade, "allow-downgrade", false, "take a --set-version older than the pinned one (refused without it)")
	fl.StringArrayVar(&opts.UpdateInputs, "update-input", nil, "move this input of the flake to its newest revision first, writing flake.lock (repeatable; `nix flake update NAME`)")
	fl.BoolVar(&opts.NoCheck, "no-check", false, "do not build the [check] attributes after the hashes")
	fl.StringArrayVar(&opts.Sources, "source", nil, "pin [source.NAME] at REV first, its hash from Nix, and compute against it: NAME=REV (repeatable; the revs `check --json` gives)")
	return cmd
}

// updateRun computes and writes the pins (bot.Local.Update) and prints
// the report.
func updateRun(ctx context.Context, opts *updateOptions) error {
	f := opts.Factory
	l, err := f.local(ctx)
	if err != nil {
		return err
	}
	sources := map[string]string{}
	for _, flag := range opts.Sources {
		name, rev, _ := strings.Cut(flag, "=")
		sources[name] = rev
	}
	out, err := l.Update(ctx, bot.UpdateRequest{
		FODs: opts.FODs, Systems: opts.Systems, Verify: opts.Verify, DryRun: opts.DryRun, Partial: opts.Partial,
		MaxJobs: opts.MaxJobs, SetVersion: opts.SetVersion, AllowDowngrade: opts.AllowDowngrade,
		Sources: sources, UpdateInputs: opts.UpdateInputs, SkipCheck: opts.NoCheck,
	})
	var partial *bot.PartialError
	if err != nil && !errors.As(err, &partial) {
		f.actions().Error(err.Error(), ghactions.Annotation{Title: "hashbot update failed"})
		return updateError(err)
	}
	rep := out.Report
	reportTargetsToActions(f.actions(), l.Config, rep.Results)
	reportChecksToActions(f.actions(), rep.Checks)
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, rep); err != nil {
			return err
		}
	} else {
		printReport(opts.IO.Out, rep.Results)
		printChecks(opts.IO.Out, rep.Checks)
	}
	printUpdate(opts.IO.ErrOut, l.Config, out, opts)
	if partial != nil {
		return &ExitError{Code: ExitPartial}
	}
	return nil
}

// updateError maps Update's errors to exit codes.
func updateError(err error) error {
	var (
		held      *runlock.HeldError
		request   *bot.RequestError
		downgrade *version.DowngradeError
	)
	switch {
	case errors.As(err, &held):
		return &ExitError{Code: ExitLocked, Err: err}
	case errors.As(err, &request), errors.As(err, &downgrade):
		return usageError(err)
	}
	return computeError(err)
}

// computeError maps the engine's errors to exit codes: problems with the
// configuration or the Nix code the user must fix are usage errors.
func computeError(err error) error {
	var (
		reqErr  *fod.RequestError
		attrErr *fod.AttrError
		evalErr *fod.EvalError
	)
	if errors.As(err, &reqErr) || errors.As(err, &attrErr) || errors.As(err, &evalErr) {
		return usageError(err)
	}
	return err
}

// printUpdate says what update wrote, or why it did not.
func printUpdate(stderr io.Writer, cfg *config.Config, out *bot.UpdateOutcome, opts *updateOptions) {
	rep := out.Report
	ok := rep.OK()
	moved := opts.SetVersion != "" || len(opts.Sources) > 0
	switch {
	case opts.DryRun:
		fmt.Fprintf(stderr, "hashbot: %s; dry run, %s not written\n", rep.Summary(), cfg.PinsName())
	case !ok && !opts.Partial:
		fmt.Fprintf(stderr, "hashbot: %s; %s not written (--partial writes the successful ones)\n", rep.Summary(), cfg.PinsName())
	case out.Changed == 0 && !moved && !ok:
		fmt.Fprintf(stderr, "hashbot: %s; no new hash to write to %s\n", rep.Summary(), cfg.PinsName())
	case len(out.Written) == 0:
		fmt.Fprintf(stderr, "hashbot: %s; %s already up to date\n", rep.Summary(), cfg.PinsName())
	default:
		fmt.Fprintf(stderr, "hashbot: %s; wrote %d hash(es) to %s\n", rep.Summary(), out.Changed, strings.Join(out.Written, ", "))
	}
}

func writeJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// printReport prints one row per target, then the reasons of those that
// did not succeed with the tail of their logs.
func printReport(w io.Writer, results []fod.TargetResult) {
	if len(results) == 0 {
		fmt.Fprintln(w, "nothing to compute for the selected FODs and systems")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FOD\tSYSTEM\tSTATUS\tHASH")
	for _, r := range results {
		sys := config.SystemLabel(r.PinSystem())
		hash := r.New
		switch {
		case r.Status == fod.StatusChanged && r.Old != "":
			hash = r.Old + " -> " + r.New
		case r.Status == fod.StatusChanged:
			hash = "null -> " + r.New
		case hash == "":
			hash = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.FOD, sys, r.Status, hash)
	}
	tw.Flush()
	for _, r := range results {
		printWhy(w, r.Label(), string(r.Status), r.Message, r.LogTail)
	}
}

// printWhy prints why a target or a check ended as it did, with the tail
// of its log; nothing when there is no message.
func printWhy(w io.Writer, label, status, message string, tail []string) {
	if message == "" {
		return
	}
	fmt.Fprintf(w, "\n%s: %s: %s\n", label, status, message)
	for _, l := range tail {
		fmt.Fprintf(w, "  > %s\n", l)
	}
}

// progressLogger reports the engine's progress through the logger on
// standard error, so that a long build is never silent.
func progressLogger(logger zerolog.Logger) func(fod.ProgressEvent) {
	return func(ev fod.ProgressEvent) {
		log := logger.Info().Str("elapsed", ev.Elapsed.Round(time.Second/10).String())
		switch ev.Kind {
		case fod.ProgressPhase:
			log.Str(logfield.Phase, string(ev.Phase)).Int(logfield.Layer, ev.Layer).Int("targets", ev.Total).Msg(phaseMessage(ev.Phase))
		case fod.ProgressStarted:
			logger.Debug().Str(logfield.Target, ev.Target).Msg("building")
		case fod.ProgressFinished:
			log.Str(logfield.Target, ev.Target).Str("progress", fmt.Sprintf("%d/%d", ev.Done, ev.Total)).Msg("finished")
		case fod.ProgressTick:
			log.Str("building", strings.Join(ev.Building, ", ")).
				Str("progress", fmt.Sprintf("%d/%d", ev.Done, ev.Total)).Msg("still building")
		case fod.ProgressDone:
			log.Msg("done")
		}
	}
}

func phaseMessage(p fod.Phase) string {
	switch p {
	case fod.PhaseEvaluate:
		return "evaluating"
	case fod.PhaseConfirm:
		return "confirming the new hashes with Nix"
	case fod.PhaseVerify:
		return "verifying (building again with --check)"
	default:
		return "building"
	}
}
