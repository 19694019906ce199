package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/hashbot-nix/hashbot/internal/bot"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/version"
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
	l, err := f.local(ctx)
	if err != nil {
		return err
	}
	var reports []fod.NamedReport
	for _, f := range opts.Files {
		r, err := fod.ReadReportFile(f)
		if err != nil {
			return usageError(err)
		}
		reports = append(reports, fod.NamedReport{Name: f, Report: r})
	}
	out, err := l.Apply(ctx, bot.ApplyRequest{Reports: reports, FODs: opts.FODs, SetVersion: opts.SetVersion,
		AllowDowngrade: opts.AllowDowngrade, DryRun: opts.DryRun})
	var (
		me        *fod.MergeError
		downgrade *version.DowngradeError
	)
	switch {
	case errors.As(err, &me) && len(me.Conflicts) == 0:
		return &ExitError{Code: ExitPartial, Err: err}
	case errors.As(err, &downgrade):
		return usageError(err)
	case err != nil:
		return err
	}
	printReport(opts.IO.Out, out.Results)
	cfg := l.Config
	checks := out.Checks
	if !opts.DryRun {
		if err := keepAppliedChecks(f, l.Commit, out.Version, checks); err != nil {
			return err
		}
	}
	printChecks(opts.IO.Out, checks)
	switch {
	case opts.DryRun:
		fmt.Fprintf(opts.IO.ErrOut, "hashbot: %d hash(es) would change; dry run, %s not written\n", out.Changed, cfg.PinsName())
	case len(out.Written) == 0:
		fmt.Fprintf(opts.IO.ErrOut, "hashbot: %s already up to date\n", cfg.PinsName())
	default:
		fmt.Fprintf(opts.IO.ErrOut, "hashbot: wrote %d hash(es) to %s from %d results file(s)\n", out.Changed, strings.Join(out.Written, ", "), len(opts.Files))
	}
	return nil
}
