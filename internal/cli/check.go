package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// checkOptions are the flags of `hashbot check`.
type checkOptions struct {
	JSON             bool
	Version          string
	MaxRateLimitWait time.Duration
}

func newCheckCmd(g *globalOptions) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Say which FODs are stale, and why, without building anything",
		Long: `check finds the candidate upstream version (the newest release whose tag
starts with [upstream] tag-prefix, or the head of [upstream] branch), reads the
FODs' input files at it through GitHub's API, and prints the stale FODs with
their reasons and a summary of each changed lock file. It builds nothing.

GITHUB_TOKEN (optional) authenticates; GITHUB_API_URL points at GitHub
Enterprise. Answers are cached in the state directory, so a poll where nothing
changed costs only 304 answers, which GitHub does not charge.

Exit codes: 0 up to date, 10 something is stale, 2 configuration error,
1 any other error (GitHub unreachable, rate limited, ...).`,
		Example: `  hashbot check                    # exit 10 when something is stale
  hashbot check --json | jq .stale
  hashbot check --version 2026.2.2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return checkRun(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object instead of text")
	f.StringVar(&opts.Version, "version", "", "check against this upstream version instead of the newest release")
	f.DurationVar(&opts.MaxRateLimitWait, "max-rate-limit-wait", 2*time.Minute,
		"longest wait for a GitHub rate limit to reset before failing")
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
	GitHub       ghclient.Counts                 `json:"github"`
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
}

func checkRun(ctx context.Context, g *globalOptions, opts *checkOptions) error {
	if err := checkVersionFlag("--version", opts.Version); err != nil {
		return err
	}
	cfg, p, err := loadRepo(g)
	if err != nil {
		return err
	}
	if opts.Version != "" && cfg.Upstream.Branch != "" {
		return usageErrorf("--version %s: %s follows [upstream] branch = %q, so there is no release to choose",
			opts.Version, config.FileName, cfg.Upstream.Branch)
	}
	state, err := g.stateDir()
	if err != nil {
		return err
	}
	gh, stats, err := g.gitHubClient(state, opts.MaxRateLimitWait)
	if err != nil {
		return err
	}
	res, err := upstream.New(upstream.Options{Client: gh, Log: g.log}).
		Check(ctx, cfg, p, upstream.CheckOptions{Version: opts.Version})
	counts := stats.Snapshot()
	g.log.Info().Int64("requests", counts.Requests).Int64("not_modified", counts.NotModified).
		Int64("charged", counts.Charged).Msg("GitHub requests")
	if err != nil {
		return checkError(err)
	}
	if opts.JSON {
		err = writeCheckJSON(g.stdout, res, counts)
	} else {
		err = writeCheckText(g.stdout, res)
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
	switch {
	case errors.As(err, &noRel), errors.As(err, &shape):
		return usageError(err)
	case errors.As(err, &missing) && !missing.RefMissing:
		return usageError(err)
	}
	if rl, ok := ghclient.AsRateLimit(err); ok {
		return fmt.Errorf("checking upstream: %w", rl)
	}
	return fmt.Errorf("checking upstream: %w", err)
}

func writeCheckJSON(w io.Writer, res *upstream.Result, counts ghclient.Counts) error {
	rep := checkReport{
		Pinned: res.Pinned, Candidate: res.Candidate, PinnedTag: res.PinnedTag, CandidateTag: res.CandidateTag,
		Rev: res.Rev, UpToDate: res.UpToDate, Stale: res.Stale, NewInputs: res.NewInputs,
		Summaries:  map[string]upstream.FileSummary{},
		ReleaseURL: res.ReleaseURL, CompareURL: res.CompareURL, GitHub: counts,
	}
	for _, s := range res.Summaries {
		rep.Summaries[s.File] = s
	}
	rep.Sources = []checkSource{}
	for _, m := range res.Sources {
		rep.Sources = append(rep.Sources, checkSource{Name: m.Name, From: m.From, To: m.To, Version: m.Version,
			URL: m.URL, CompareURL: m.CompareURL, Reason: m.Reason})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func writeCheckText(w io.Writer, res *upstream.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pinned:    %s\n", checkOrDash(res.Pinned))
	fmt.Fprintf(&b, "candidate: %s", checkOrDash(res.Candidate))
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
	if res.CompareURL != "" {
		fmt.Fprintf(&b, "\ncompare: %s\n", res.CompareURL)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func checkOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
