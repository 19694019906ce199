package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghactions"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// checkOptions are the flags of `hashbot check` and what it runs with.
type checkOptions struct {
	IO      *ioStreams
	Factory *factory

	JSON             bool
	Version          string
	MaxRateLimitWait time.Duration
	PullRequests     bool
	AllowDowngrade   bool
}

func newCheckCmd(f *factory, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Say which FODs are stale, and why, without building anything",
		Long: `check finds the candidate upstream version (the newest release whose tag
starts with [upstream] tag-prefix, or the head of [upstream] branch), reads the
FODs' input files at it through GitHub's API, and prints the stale FODs with
their reasons and a summary of each changed lock file. It builds nothing.

GITHUB_TOKEN (optional) authenticates; GITHUB_API_URL points at GitHub
Enterprise. Answers are cached in the state directory, and every request is
conditional: with the same token as the last poll, one where nothing changed
costs only 304 answers, which GitHub does not charge; with a fresh token (as
in GitHub Actions) the requests GitHub gave no Last-Modified for are charged
(docs/staleness.md, "What it costs").

With --pull-requests it answers what ` + "`hashbot run`" + ` would do instead, from the base
branch it would commit on: nothing when an open hashbot pull request already
proposes exactly this change, or when the change's pull request was closed
without merging (declined: a newer version opens a new one); a CI workflow
asks it before starting the per-platform builds.

Exit codes: 0 up to date (or, with --pull-requests, already proposed or
declined), 10 something is stale, 2 configuration error, 1 any other error
(GitHub unreachable, rate limited, ...).`,
		Example: `  hashbot check                    # exit 10 when something is stale
  hashbot check --json | jq .stale
  hashbot check --version 2026.2.2
  hashbot check --pull-requests --json  # what a run would do, open pull requests considered`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkVersionFlag("--version", opts.Version); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.JSON, "json", false, "print one JSON object instead of text")
	fl.StringVar(&opts.Version, "version", "", "check against this upstream version instead of the newest release")
	fl.BoolVar(&opts.AllowDowngrade, "allow-downgrade", false, allowDowngradeUsage)
	fl.DurationVar(&opts.MaxRateLimitWait, "max-rate-limit-wait", 2*time.Minute,
		"longest wait for a GitHub rate limit to reset before failing")
	fl.BoolVar(&opts.PullRequests, "pull-requests", false,
		"answer what a run would do: nothing when an open pull request already proposes the change or it was declined")
	return cmd
}

// checkReport is the JSON form of a check.
type checkReport struct {
	Pinned       string                          `json:"pinned"`
	Candidate    string                          `json:"candidate"`
	PinnedTag    string                          `json:"pinned_tag,omitempty"`
	CandidateTag string                          `json:"candidate_tag,omitempty"`
	Rev          string                          `json:"rev,omitempty"`
	UpToDate     bool                            `json:"up_to_date"`
	Stale        map[string][]string             `json:"stale"`
	Summaries    map[string]upstream.FileSummary `json:"summaries"`
	NewInputs    map[string]string               `json:"new_inputs"`
	ReleaseURL   string                          `json:"release_url,omitempty"`
	CompareURL   string                          `json:"compare_url,omitempty"`
	Sources      []checkSource                   `json:"sources"`
	PullRequest  *checkPR                        `json:"pull_request,omitempty"`
	GitHub       ghclient.Counts                 `json:"github"`
	// Releases are the releases after the pinned one up to the candidate;
	// UnclaimedLocks the candidate's lock files no FOD reads; Advisories
	// the upstream advisories the move fixes.
	Releases       []checkRelease      `json:"releases"`
	UnclaimedLocks []upstream.LockFile `json:"unclaimed_locks"`
	Advisories     []upstream.Advisory `json:"advisories"`
	Warnings       []string            `json:"warnings,omitempty"`
}

// checkRelease is a release the move spans, in check's JSON.
type checkRelease struct {
	Tag       string `json:"tag"`
	Version   string `json:"version"`
	Name      string `json:"name,omitempty"`
	URL       string `json:"url,omitempty"`
	Published string `json:"published,omitempty"`
}

// checkPR is, with --pull-requests, the pull request that makes a run
// unnecessary: "open" (it proposes this change already) or "declined"
// (closed without merging).
type checkPR struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	State  string `json:"state"`
	Branch string `json:"branch"`
	// NeedsWork says that the package did not build with the pull
	// request's hashes at its last run ([check] attrs): a draft with the
	// needs-work label.
	NeedsWork bool `json:"needs_work"`
}

// checkSource is a source whose pin moves, in check's JSON: what `update
// --source name=to` takes.
type checkSource struct {
	Name       string `json:"name"`
	From       string `json:"from"`
	To         string `json:"to"`
	Version    string `json:"version,omitempty"`
	URL        string `json:"url"`
	CompareURL string `json:"compare_url,omitempty"`
	Reason     string `json:"reason"`
	// FlakeInput is the flake input the source is; its URL is then empty.
	FlakeInput string `json:"flake_input,omitempty"`
}

func checkRun(ctx context.Context, opts *checkOptions) error {
	if opts.PullRequests {
		return checkPullRequests(ctx, opts)
	}
	f := opts.Factory
	cfg, stored, err := f.loadRepo()
	if err != nil {
		return err
	}
	warnConfig(opts.IO.ErrOut, f.actions(), cfg)
	p := stored.Pins
	if err := checkVersionForBranch(cfg, opts.Version); err != nil {
		return err
	}
	state, err := f.stateDir()
	if err != nil {
		return err
	}
	// Its own client: check waits --max-rate-limit-wait, and reads with
	// GITHUB_TOKEN alone.
	gh, stats, err := f.newGitHubClient(ghclient.Options{StateDir: state, MaxRateLimitWait: opts.MaxRateLimitWait})
	if err != nil {
		return err
	}
	res, err := upstream.New(upstream.Options{Client: gh}).
		Check(ctx, cfg, p, upstream.CheckOptions{Version: opts.Version, AllowDowngrade: opts.AllowDowngrade})
	counts := stats.Snapshot()
	zerolog.Ctx(ctx).Info().Int64("requests", counts.Requests).Int64("not_modified", counts.NotModified).
		Int64("charged", counts.Charged).Msg("GitHub requests")
	if err != nil {
		return checkError(err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", terminalText(w))
	}
	if opts.JSON {
		err = writeCheckReport(opts.IO.Out, res, counts, nil)
	} else {
		err = writeCheckText(opts.IO.Out, res)
	}
	if err != nil {
		return err
	}
	if !res.UpToDate {
		return &ExitError{Code: ExitStale}
	}
	return nil
}

// checkError sorts check failures: those the configuration can fix are
// usage errors (exit 2), the rest (network, GitHub, rate limits) exit 1.
func checkError(err error) error {
	var noRel *upstream.NoReleaseError
	var missing *upstream.MissingFileError
	var shape *pins.ShapeError
	var downgrade *version.DowngradeError
	switch {
	case errors.As(err, &noRel), errors.As(err, &shape), errors.As(err, &downgrade):
		return usageError(err)
	case errors.As(err, &missing) && !missing.RefMissing:
		return usageError(err)
	}
	if rl, ok := ghclient.AsRateLimit(err); ok {
		return fmt.Errorf("checking upstream: %w", rl)
	}
	return fmt.Errorf("checking upstream: %w", err)
}

// warnConfig writes to w (in GitHub Actions, as annotations of
// hashbot.toml) what the configuration likely leaves out: a FOD's inputs
// naming a manifest without its lock, or a lock without its manifest.
func warnConfig(w io.Writer, gha *ghactions.Actions, cfg *config.Config) {
	for _, msg := range cfg.LockWarnings() {
		if gha.Enabled() {
			gha.Warning(msg, ghactions.Annotation{Title: "hashbot: inputs", File: config.FileName})
		} else {
			fmt.Fprintf(w, "warning: %s\n", msg)
		}
	}
}

func writeCheckReport(w io.Writer, res *upstream.Result, counts ghclient.Counts, pr *checkPR) error {
	rep := checkReport{PullRequest: pr,
		Pinned: res.Pinned, Candidate: res.Candidate, PinnedTag: res.PinnedTag, CandidateTag: res.CandidateTag,
		Rev: res.Rev, UpToDate: res.UpToDate, Stale: res.Stale, NewInputs: res.NewInputs,
		Summaries:  map[string]upstream.FileSummary{},
		ReleaseURL: res.ReleaseURL, CompareURL: res.CompareURL, GitHub: counts,
	}
	for _, s := range res.Summaries {
		rep.Summaries[s.File] = s
	}
	rep.Releases, rep.Warnings = []checkRelease{}, res.Warnings
	for _, r := range res.Releases {
		cr := checkRelease{Tag: r.Tag, Version: r.Version, Name: r.Name, URL: r.HTMLURL}
		if !r.Published.IsZero() {
			cr.Published = r.Published.UTC().Format(time.RFC3339)
		}
		rep.Releases = append(rep.Releases, cr)
	}
	rep.UnclaimedLocks = append([]upstream.LockFile{}, res.UnclaimedLocks...)
	rep.Advisories = append([]upstream.Advisory{}, res.Advisories...)
	rep.Sources = []checkSource{}
	for _, m := range res.Sources {
		rep.Sources = append(rep.Sources, checkSource{Name: m.Name, From: m.From, To: m.To, Version: m.Version,
			URL: m.URL, CompareURL: m.CompareURL, Reason: m.Reason, FlakeInput: m.FlakeInput})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func writeCheckText(w io.Writer, res *upstream.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pinned:    %s\n", orDash(res.Pinned))
	fmt.Fprintf(&b, "candidate: %s", orDash(res.Candidate))
	if res.ReleaseURL != "" {
		fmt.Fprintf(&b, "  %s", res.ReleaseURL)
	}
	b.WriteString("\n")
	if res.UpToDate {
		b.WriteString("up to date\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	if len(res.Stale) == 0 {
		b.WriteString("\nno FOD is stale; only the version moved\n")
	} else {
		b.WriteString("\nstale:\n")
	}
	for _, name := range res.StaleFODs() {
		fmt.Fprintf(&b, "  %s\n", name)
		for _, why := range res.Stale[name] {
			fmt.Fprintf(&b, "    - %s\n", why)
		}
	}
	if len(res.Summaries) > 0 {
		b.WriteString("\nchanges:\n")
	}
	for _, s := range res.Summaries {
		for i, line := range s.Lines() {
			indent := "  "
			if i > 0 {
				indent = "      "
			}
			b.WriteString(indent + line + "\n")
		}
	}
	if len(res.Releases) > 0 {
		vs := make([]string, len(res.Releases))
		for i, r := range res.Releases {
			vs[i] = terminalText(r.Version)
		}
		fmt.Fprintf(&b, "\nreleases since the pinned one: %s\n", strings.Join(vs, ", "))
	}
	upstreamContext{Candidate: res.Candidate, Locks: res.UnclaimedLocks, Advisories: res.Advisories}.write(&b)
	if res.CompareURL != "" {
		fmt.Fprintf(&b, "\ncompare: %s\n", res.CompareURL)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// checkVersionForBranch refuses --version for a configuration that
// follows a branch: there is no release to choose.
func checkVersionForBranch(cfg *config.Config, version string) error {
	if version != "" && cfg.Upstream.Branch != "" {
		return usageErrorf("--version %s: %s follows [upstream] branch = %q, so there is no release to choose",
			version, config.FileName, cfg.Upstream.Branch)
	}
	return nil
}

// checkPullRequests is check --pull-requests: the bot's plan from the base
// branch, and the pull requests that may make a run unnecessary.
func checkPullRequests(ctx context.Context, opts *checkOptions) error {
	f := opts.Factory
	cfg, b, err := f.loadBot(ctx, true)
	if err != nil {
		return err
	}
	warnConfig(opts.IO.ErrOut, f.actions(), cfg)
	if err := checkVersionForBranch(cfg, opts.Version); err != nil {
		return err
	}
	out, res, err := b.Status(ctx, bot.RunOptions{Version: opts.Version, AllowDowngrade: opts.AllowDowngrade, Command: "hashbot check"})
	if err != nil {
		return checkError(err)
	}
	var pr *checkPR
	if out.PR != nil && out.Status != bot.StatusStale {
		pr = &checkPR{Number: out.PR.Number, URL: out.PR.URL, State: "open", Branch: out.Branch, NeedsWork: out.PR.NeedsWork}
		if out.Status == bot.StatusDeclined {
			pr.State = "declined"
		}
	}
	_, stats, err := f.gitHub(ctx) // the bot's, built already
	if err != nil {
		return err
	}
	counts := stats.Snapshot()
	if opts.JSON {
		err = writeCheckReport(opts.IO.Out, res, counts, pr)
	} else {
		err = writeCheckText(opts.IO.Out, res)
		switch {
		case err != nil:
		case pr != nil && pr.State == "declined":
			_, err = fmt.Fprintf(opts.IO.Out, "\ndeclined: pull request #%d for %s was closed without merging; a run opens none for it: %s\n", pr.Number, pr.Branch, pr.URL)
		case pr != nil:
			_, err = fmt.Fprintf(opts.IO.Out, "\nproposed: pull request #%d already proposes this change: %s\n", pr.Number, pr.URL)
			if err == nil && pr.NeedsWork {
				_, err = fmt.Fprintf(opts.IO.Out, "needs work: its package did not build with these hashes at the last run ([check] attrs); the pull request says where\n")
			}
		}
	}
	if err != nil {
		return err
	}
	if out.Status == bot.StatusStale {
		return &ExitError{Code: ExitStale}
	}
	return nil
}
