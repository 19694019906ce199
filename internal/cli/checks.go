package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghactions"
	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// printChecks prints one row per check attribute and system, then why
// each that did not build did not, with its log's tail.
func printChecks(w io.Writer, checks []fod.CheckResult) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSYSTEM\tRESULT")
	for _, c := range checks {
		result := string(c.Status)
		if c.Failed != "" {
			result += ": " + c.Failed
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Attr, c.System, result)
	}
	tw.Flush()
	for _, c := range checks {
		printWhy(w, c.Label(), string(c.Status), c.Message, c.LogTail)
	}
}

// appliedChecks is what `hashbot apply` keeps of the results' checks for
// `hashbot run --publish-only`: the commit and version they were built
// for, which publish-only checks before it takes them.
type appliedChecks struct {
	Commit  string            `json:"commit"`
	Version string            `json:"version"`
	Checks  []fod.CheckResult `json:"checks"`
}

// appliedChecksPath is where apply keeps the checks of the results it
// applied on commit: the state dir's checks/<commit>.json.
func (f *factory) appliedChecksPath(commit string) (string, error) {
	state, err := f.stateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(state, "checks", commit+".json"), nil
}

// keepAppliedChecks writes the merged checks of the applied results for
// publish-only; nothing when hashbot.toml checks nothing or the working
// tree is no git repository (publish-only needs one).
func keepAppliedChecks(f *factory, commit, version string, checks []fod.CheckResult) error {
	if checks == nil || commit == "" {
		return nil
	}
	path, err := f.appliedChecksPath(commit)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(appliedChecks{Commit: commit, Version: version, Checks: checks}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("keeping the check results: %w", err)
	}
	if err := safefile.ReplaceAll(filepath.Dir(path), map[string][]byte{filepath.Base(path): data}); err != nil {
		return fmt.Errorf("keeping the check results: %w", err)
	}
	return nil
}

// readAppliedChecks reads the checks apply kept for the working tree's
// commit, when they were built for version: nil, and a warning why, when
// there are none to take.
func readAppliedChecks(ctx context.Context, f *factory, cfg *config.Config, version string) ([]fod.CheckResult, string, error) {
	if len(cfg.Check.Attrs) == 0 {
		return nil, "", nil
	}
	commit, err := f.workingCommit(ctx)
	if err != nil || commit == "" {
		return nil, "", err
	}
	path, err := f.appliedChecksPath(commit)
	if err != nil {
		return nil, "", err
	}
	data, err := safefile.ReadRegular(path, 16<<20)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Sprintf("no check results for %.12s: the pull request says nothing of the check (did `hashbot apply` apply results with checks?)", commit), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading the check results: %w", err)
	}
	var a appliedChecks
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, "", fmt.Errorf("reading the check results %s: %w", path, err)
	}
	if a.Commit != commit || a.Version != version {
		return nil, fmt.Sprintf("the check results in %s were built for %.12s at %q, not %.12s at %q: not taken", path, a.Commit, a.Version, commit, version), nil
	}
	valid := []fod.CheckStatus{fod.CheckBuilt, fod.CheckFailed, fod.CheckNotTried}
	for _, c := range a.Checks {
		if !slices.Contains(cfg.Check.Attrs, c.Attr) || !slices.Contains(valid, c.Status) || strings.ContainsAny(c.System, " \n") {
			return nil, "", fmt.Errorf("the check results %s: %q on %q (%s) is not a check of %s", path, c.Attr, c.System, c.Status, config.FileName)
		}
	}
	return a.Checks, "", nil
}

// publishedChecks are the checks apply kept for the pins publish-only
// commits; a reason there are none is a warning on w.
func publishedChecks(ctx context.Context, f *factory, cfg *config.Config, w io.Writer) ([]fod.CheckResult, error) {
	_, stored, err := f.loadRepo()
	if err != nil {
		return nil, err
	}
	checks, warning, err := readAppliedChecks(ctx, f, cfg, stored.Pins.Version())
	if warning != "" {
		fmt.Fprintf(w, "hashbot: warning: %s\n", warning)
		f.actions().Warning(warning, ghactions.Annotation{Title: "hashbot: no check results"})
	}
	return checks, err
}

// checkSentence sums the check up on one line, attribute by attribute:
// "assembled built on x86_64-linux and aarch64-linux", "assembled failed
// on x86_64-linux (app-worker); built on aarch64-linux".
func checkSentence(checks []fod.CheckResult) string {
	var attrs []string
	for _, c := range checks {
		if !slices.Contains(attrs, c.Attr) {
			attrs = append(attrs, c.Attr)
		}
	}
	var out []string
	for _, attr := range attrs {
		var parts []string
		for _, s := range []fod.CheckStatus{fod.CheckFailed, fod.CheckBuilt, fod.CheckNotTried} {
			var systems, failed []string
			for _, c := range checks {
				if c.Attr == attr && c.Status == s {
					systems = append(systems, c.System)
					if c.Failed != "" && !slices.Contains(failed, c.Failed) {
						failed = append(failed, c.Failed)
					}
				}
			}
			if len(systems) == 0 {
				continue
			}
			part := string(s) + " on " + strings.Join(systems, " and ")
			if len(failed) > 0 {
				part += " (" + strings.Join(failed, ", ") + ")"
			}
			parts = append(parts, part)
		}
		out = append(out, attr+" "+strings.Join(parts, "; "))
	}
	return strings.Join(out, "; ")
}

// reportChecksToActions annotates every check that failed (a warning: the
// hashes stand) and puts the check's table in the job summary.
func reportChecksToActions(gha *ghactions.Actions, checks []fod.CheckResult) {
	if !gha.Enabled() || len(checks) == 0 {
		return
	}
	rows := make([][]string, 0, len(checks))
	for _, c := range checks {
		if c.Status == fod.CheckFailed {
			msg := c.Message
			if len(c.LogTail) > 0 {
				msg += "\n" + strings.Join(c.LogTail[max(0, len(c.LogTail)-10):], "\n")
			}
			gha.Warning(msg, ghactions.Annotation{Title: c.Label() + ": does not build"})
		}
		rows = append(rows, []string{c.Attr, c.System, string(c.Status), orDash(c.Failed)})
	}
	_ = gha.AppendSummary("### hashbot: build check\n\n" +
		ghactions.MarkdownTable([]string{"attribute", "system", "result", "failed derivation"}, rows))
}
