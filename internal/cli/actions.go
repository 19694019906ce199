package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghactions"
)

// actions returns GitHub Actions' workflow-command writer; outside Actions
// (GITHUB_ACTIONS unset) its methods do nothing.
func (f *factory) actions() *ghactions.Actions {
	return ghactions.New(ghactions.Options{Out: f.IO.ErrOut, LookupEnv: f.env.lookup,
		OpenAppend: func(name string) (io.WriteCloser, error) {
			file, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return nil, err
			}
			return redactedFile{Writer: f.secrets.Writer(file), Closer: file}, nil
		}})
}

// redactedFile masks secrets in what is written to a file it closes.
type redactedFile struct {
	io.Writer
	io.Closer
}

// buildLogFolder folds each nix-build's log into its own group in an
// Actions job log; elsewhere the log goes nowhere (it is at debug level).
func (f *factory) buildLogFolder() func(fod.Phase, int) io.WriteCloser {
	gha := f.actions()
	if !gha.Enabled() {
		return nil
	}
	return func(phase fod.Phase, layer int) io.WriteCloser {
		return gha.Fold(fmt.Sprintf("nix-build: %s, layer %d", phase, layer))
	}
}

// reportTargetsToActions annotates every target that did not succeed and
// puts the hash table in the job summary.
func reportTargetsToActions(gha *ghactions.Actions, cfg *config.Config, results []fod.TargetResult) {
	if !gha.Enabled() || len(results) == 0 {
		return
	}
	rows := make([][]string, 0, len(results))
	for _, r := range results {
		if !r.Status.Succeeded() {
			gha.Error(r.Message, ghactions.Annotation{Title: r.Label() + ": " + string(r.Status), File: cfg.HashFileOf(r.FOD)})
		}
		rows = append(rows, []string{r.FOD, systemCell(r), string(r.Status), orDash(r.Old), orDash(r.New)})
	}
	_ = gha.AppendSummary("### hashbot: FOD hashes\n\n" +
		ghactions.MarkdownTable([]string{"FOD", "system", "status", "old", "new"}, rows))
}

// reportToActions reports a run: its targets, its error and the body of
// the pull request it opened or would open.
func reportToActions(gha *ghactions.Actions, cfg *config.Config, out *bot.Outcome, err error) {
	if !gha.Enabled() {
		return
	}
	if out != nil && out.Report != nil {
		reportTargetsToActions(gha, cfg, out.Report.Results)
	}
	if out != nil {
		for _, l := range out.UnclaimedLocks {
			gha.Warning(lockSentence(out.Candidate, l), ghactions.Annotation{Title: "hashbot: a lock file no FOD reads", File: config.FileName})
		}
		for _, w := range out.Warnings {
			gha.Warning(terminalText(w), ghactions.Annotation{Title: "hashbot"})
		}
		reportChecksToActions(gha, out.Checks)
	}
	if err != nil {
		gha.Error(err.Error(), ghactions.Annotation{Title: "hashbot failed"})
	}
	if out != nil && out.Body != "" {
		_ = gha.AppendSummary(out.Body)
	}
}

func systemCell(r fod.TargetResult) string { return config.SystemLabel(r.PinSystem()) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
