package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// fixOptions are the flags of `hashbot fix` and what it runs with.
type fixOptions struct {
	IO      *ioStreams
	Factory *factory

	PR     int
	DryRun bool
	JSON   bool
	// Apply are the results of --json runs: files, or directories of
	// *.json files (one per system, as the compute jobs upload them).
	Apply  []string
	Verify bool
	// Systems limit --json to these systems' per-system FODs (one compute
	// job per system).
	Systems []string
	// ExpectHead is the commit the computing run ran on (--expect-head).
	ExpectHead string
	// BaseMoved refreshes the open pull requests hashbot fixed, after
	// their base branch moved (--base-moved; fixrefresh.go).
	BaseMoved bool
}

func newFixCmd(f *factory, runF func(*fixOptions) error) *cobra.Command {
	opts := &fixOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "fix --pr N",
		Short: "Recompute the FOD hashes a pull request's lock-file changes made stale, and push them onto it",
		Long: `fix keeps a dependency pull request's hashes right (Dependabot, Renovate or a
person bumping go.sum, a lock file or flake.lock). It fetches the pull
request's head and merge base, names stale the FODs whose own inputs
(local-inputs, local-go-imports, flake-inputs) changed between them, or since
hashbot's last commit on the pull request, recomputes them on the head for
every configured system, and pushes one commit "hashbot: update FOD hashes for
…" that changes hash literals only, with a lease on the head it computed
from: a push that landed meanwhile is never overwritten. A pull request from
a fork is never pushed to: it gets a comment with the patch.

A pull request's code is untrusted, so the work can be split (docs/fix.md):
--json computes with no write token and prints the results (--system S: only
S's per-system FODs, one compute job per system, as update --system); --apply
takes them with a write token (several files, one per system, or a directory
of them, merged as apply merges), plans again from GitHub's current head
without evaluating or building anything of the pull request, refuses results
for another head, for FODs its plan does not name stale, with anything but
real sha256 hashes, two files for one system, or a stale FOD and system with
no hash, and pushes.

--base-moved is for a push to the base branch (the merged-first case): for
each open pull request into it that carries hashbot's commit, and whose FODs'
inputs the base changed too, it asks GitHub to merge the base into it
(update-branch), so that its next fix recomputes them; a fork is asked in a
comment to merge or rebase. It reads git data only, and builds nothing.`,
		Example: `  hashbot fix --pr 42 --dry-run
  hashbot fix --pr 42
  hashbot fix --pr 42 --json > results.json        # no write token
  hashbot fix --pr 42 --apply results.json         # a write token, no PR code
  hashbot fix --pr 42 --json --system aarch64-linux > results/aarch64-linux.json
  hashbot fix --pr 42 --apply results/             # every system's file, merged
  hashbot fix --base-moved --dry-run               # after a push to the base branch`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case opts.BaseMoved:
				if err := checkBaseMoved(cmd); err != nil {
					return err
				}
			case opts.PR <= 0:
				return usageErrorf("--pr: the pull request's number is required")
			case opts.JSON && len(opts.Apply) > 0:
				return usageErrorf("--json computes, --apply pushes what was computed: one or the other")
			case opts.Verify && len(opts.Apply) > 0:
				return usageErrorf("--verify builds: --apply builds nothing")
			case len(opts.Systems) > 0 && !opts.JSON:
				return usageErrorf("--system computes one job's share of the results, for --json: a fix that pushes computes every system")
			case opts.ExpectHead != "" && len(opts.Apply) == 0:
				return usageErrorf("--expect-head checks the results of --apply")
			case opts.ExpectHead != "" && !pins.IsCommit(opts.ExpectHead):
				return usageErrorf("--expect-head %.50q: want a full commit id", opts.ExpectHead)
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.BaseMoved {
				return fixBaseMovedRun(cmd.Context(), opts)
			}
			return fixRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.PR, "pr", 0, "the pull request's number")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "compute, then print the diff instead of pushing or commenting")
	fl.BoolVar(&opts.JSON, "json", false, "compute only and print the results as JSON, for --apply (no write token needed)")
	fl.StringArrayVar(&opts.Apply, "apply", nil, "push the results of --json runs after checking and merging them (builds nothing): a `FILE` or a directory of *.json files (repeatable: one per system)")
	fl.StringArrayVar(&opts.Systems, "system", nil, "with --json: compute the per-system FODs for this system only (repeatable); system-independent FODs are computed with any")
	fl.BoolVar(&opts.Verify, "verify", false, "rebuild each new FOD with --check before trusting it")
	fl.BoolVar(&opts.BaseMoved, "base-moved", false, "the base branch moved: bring the open pull requests hashbot fixed up to date where the base changed their FODs' inputs (no --pr)")
	fl.StringVar(&opts.ExpectHead, "expect-head", "", "with --apply: the `SHA` the computing run ran on, as GitHub says (workflow_run's head_sha); other results are refused")
	return cmd
}

func fixRun(ctx context.Context, opts *fixOptions) error {
	req := bot.FixRequest{Number: opts.PR, DryRun: opts.DryRun, ComputeOnly: opts.JSON, Verify: opts.Verify, ExpectHead: opts.ExpectHead,
		Systems: opts.Systems}
	if len(opts.Apply) > 0 {
		r, err := readFixResultsSets(opts.Apply)
		if err != nil {
			return usageError(err)
		}
		req.Results = r
	}
	_, b, err := opts.Factory.loadBot(ctx, true)
	if err != nil {
		return err
	}
	out, err := b.Fix(ctx, req)
	switch {
	case opts.JSON && out != nil && out.Results != nil: // a partial report too: it says what failed
		if werr := writeJSON(opts.IO.Out, out.Results); werr != nil {
			return werr
		}
	case !opts.JSON && out != nil && err == nil:
		printFix(opts.IO.Out, out)
	case !opts.JSON && out != nil && out.Report != nil:
		printReport(opts.IO.Out, out.Report.Results)
	}
	return fixError(err)
}

// readFixResults reads the results of `fix --json`, strictly: they come
// from a job that ran the pull request's code.
func readFixResults(path string) (*bot.FixResults, error) {
	data, err := safefile.ReadRegular(path, 16<<20)
	if err != nil {
		return nil, fmt.Errorf("--apply: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r bot.FixResults
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("--apply %s: %w", path, err)
	}
	if r.Report == nil {
		return nil, fmt.Errorf("--apply %s: no report", path)
	}
	return &r, nil
}

// fixError maps the errors of fix to exit codes: refused results are a
// usage error, and incomplete ones (a system's hash missing or failed)
// partial, as for apply; a moved pull request is a failure that says
// nothing was lost.
func fixError(err error) error {
	var (
		re *bot.ResultsError
		me *fod.MergeError
	)
	switch {
	case errors.As(err, &me) && len(me.Conflicts) == 0:
		return &ExitError{Code: ExitPartial, Err: err}
	case errors.As(err, &re):
		return usageError(err)
	}
	return runError(err)
}

// printFix tells a person what fix did.
func printFix(w io.Writer, out *bot.FixOutcome) {
	if out.Report != nil && len(out.Report.Results) > 0 {
		printReport(w, out.Report.Results)
		fmt.Fprintln(w)
	}
	switch out.Status {
	case bot.FixNothing:
		fmt.Fprintf(w, "nothing to fix: no FOD's inputs changed on pull request #%d since %.12s\n", out.PullRequest, out.Since)
	case bot.FixUpToDate:
		fmt.Fprintf(w, "nothing to fix: pull request #%d already has Nix's hashes\n", out.PullRequest)
	case bot.FixDryRun:
		fmt.Fprintf(w, "dry run: would push onto %s (pull request #%d)\n\n%s", out.Branch, out.PullRequest, out.Diff)
	case bot.FixPushed:
		fmt.Fprintf(w, "pushed %.12s onto %s (pull request #%d)\n", out.Commit, out.Branch, out.PullRequest)
	case bot.FixCommented:
		fmt.Fprintf(w, "pull request #%d comes from a fork: not pushed; commented the change: %s\n", out.PullRequest, out.Comment)
	}
}
