package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
)

// runOptions are the flags of `hashbot run` and what it runs with.
type runOptions struct {
	IO      *ioStreams
	Factory *factory

	DryRun      bool
	Version     string
	Verify      bool
	Clone       string
	PublishOnly bool
	JSON        bool
	// AllowDowngrade takes a Version older than the pinned one.
	AllowDowngrade bool
}

func newRunCmd(f *factory, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Check upstream, recompute stale hashes, push a branch and open one pull request",
		Long: `run is the whole job: check upstream for a new release (or lock-file
change), recompute the stale FOD hashes with one Nix build, commit only the
pins on the branch hashbot/<name>-<version>, push it (never over someone
else's commit) and open or update one pull request, closing older ones.

Nothing is written when nothing is stale. A run that fails leaves no pushed
branch and the working tree as it was; --dry-run does everything up to the
commit and prints the pins diff and the pull request it would open.

GITHUB_TOKEN authenticates to GitHub (API and pushes); GITHUB_API_URL points
at GitHub Enterprise. Only one run per repository at a time (exit code 4).`,
		Example: `  hashbot run --dry-run
  hashbot run --version 2026.2.2
  hashbot run --version 2025.12.5 --allow-downgrade   # move the pin back on purpose
  GITHUB_TOKEN=… hashbot run --clone https://github.com/me/authentik-nix`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkVersionFlag("--version", opts.Version); err != nil {
				return err
			}
			if err := checkCloneFlag(opts.Clone); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.DryRun, "dry-run", false, "compute, then print the pins diff and the pull request instead of pushing")
	fl.StringVar(&opts.Version, "version", "", "pin this upstream version instead of the newest release")
	fl.BoolVar(&opts.AllowDowngrade, "allow-downgrade", false, allowDowngradeUsage)
	fl.BoolVar(&opts.Verify, "verify", false, "rebuild each new FOD with --check before trusting its hash")
	fl.StringVar(&opts.Clone, "clone", "", "clone this packaging repository (shallow) into the state dir and work there")
	fl.BoolVar(&opts.PublishOnly, "publish-only", false, "commit and publish the pins as they are (after `hashbot apply`), computing nothing")
	fl.BoolVar(&opts.JSON, "json", false, "print the outcome as JSON")
	return cmd
}

func runRun(ctx context.Context, opts *runOptions) error {
	f := opts.Factory
	if err := f.clone(ctx, opts.Clone); err != nil {
		return err
	}
	cfg, b, err := f.loadBot(ctx, !opts.DryRun)
	if err != nil {
		return err
	}
	if err := cfg.RequireUpstream(); err != nil {
		return usageError(err)
	}
	ro := bot.RunOptions{Version: opts.Version, DryRun: opts.DryRun, Verify: opts.Verify, Command: "hashbot run",
		AllowDowngrade: opts.AllowDowngrade}
	var out *bot.Outcome
	if opts.PublishOnly {
		if ro.Checks, err = publishedChecks(ctx, f, cfg, opts.IO.ErrOut); err != nil {
			return err
		}
		out, err = b.PublishPins(ctx, ro)
	} else {
		out, err = b.Run(ctx, ro)
	}
	reportToActions(f.actions(), cfg, out, err)
	if out != nil {
		if opts.JSON {
			if werr := writeJSON(opts.IO.Out, out); werr != nil {
				return werr
			}
		} else {
			printOutcome(opts.IO.Out, cfg, out)
		}
	}
	return runError(err)
}

// printOutcome tells a person what the run did.
func printOutcome(w io.Writer, cfg *config.Config, out *bot.Outcome) {
	if out.Report != nil && len(out.Report.Results) > 0 {
		printReport(w, out.Report.Results)
		fmt.Fprintln(w)
	}
	if len(out.Checks) > 0 {
		fmt.Fprintf(w, "check: %s\n", checkSentence(out.Checks))
		printChecks(w, out.Checks)
		fmt.Fprintln(w)
	}
	switch out.Status {
	case bot.StatusUpToDate:
		if out.PR != nil {
			fmt.Fprintf(w, "up to date: %s is already proposed in %s\n", out.Candidate, out.PR.URL)
		} else {
			fmt.Fprintf(w, "up to date: %s pins %s\n", cfg.Pins, out.Candidate)
		}
	case bot.StatusDeclined:
		fmt.Fprintf(w, "declined: pull request #%d for %s was closed without merging; not opening it again (a newer version opens a new one): %s\n",
			out.PR.Number, out.Branch, out.PR.URL)
	case bot.StatusDryRun:
		upstreamContext{Candidate: out.Candidate, Locks: out.UnclaimedLocks, Advisories: out.Advisories}.write(w)
		fmt.Fprintf(w, "dry run: would commit on %s\n\n%s\n", out.Branch, out.Diff)
		fmt.Fprintf(w, "pull request: %s\n\n%s\n", out.Title, out.Body)
	case bot.StatusUpdated:
		upstreamContext{Candidate: out.Candidate, Locks: out.UnclaimedLocks, Advisories: out.Advisories}.write(w)
		fmt.Fprintf(w, "pushed %.12s to %s\n", out.Commit, out.Branch)
		if out.PR != nil {
			verb := "updated"
			if out.PR.Created {
				verb = "opened"
			}
			state := ""
			switch {
			case out.PR.Draft:
				state = " (draft)"
			case out.PR.MarkedReady:
				state = " (marked ready for review)"
			}
			fmt.Fprintf(w, "%s pull request #%d%s: %s\n", verb, out.PR.Number, state, out.PR.URL)
			if out.PR.AutoMerge != "" {
				fmt.Fprintf(w, "auto-merge (%s) is on: GitHub merges it once the required checks pass\n", out.PR.AutoMerge)
			}
			for _, n := range out.PR.Superseded {
				fmt.Fprintf(w, "closed superseded pull request #%d\n", n)
			}
			for _, warning := range out.PR.Warnings {
				fmt.Fprintf(w, "warning: %s\n", warning)
			}
		}
	}
}
