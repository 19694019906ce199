package bot

import (
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// bodyData gathers what the pull request body shows for the plan. report
// is nil when the rows come from the pins alone (a resumed run). newPins,
// when set, gives the sources' new hashes.
func bodyData(p *plan, rows []pulls.HashRow, report *fod.Report, verify bool, newPins *pins.Pins) pulls.BodyData {
	cfg, check := p.cfg, p.check
	_, name := cfg.UpstreamOwnerName()
	d := pulls.BodyData{
		UpstreamRepo: cfg.Upstream.Repo, UpstreamName: name,
		OldVersion: check.Pinned, NewVersion: check.Candidate, Label: p.newLabel, WebURL: check.WebURL,
		OldTag: check.PinnedTag, NewTag: check.CandidateTag,
		ReleaseURL: check.ReleaseURL, CompareURL: check.CompareURL,
		Rows: rows, Stale: check.Stale,
	}
	for _, s := range check.Summaries {
		lines := s.Details()
		d.Summaries = append(d.Summaries, pulls.Summary{File: s.File, FODs: s.FODs, Headline: lines[0], Lines: lines[1:]})
	}
	if report != nil {
		d.NixVersion, d.Builders = report.NixVersion, report.Builders
		if report.Host != "" {
			d.Builders = append([]string{report.Host + " (local)"}, d.Builders...)
		}
		if verify {
			d.Verify = verifySentence(report)
		}
	}
	for _, m := range check.Sources {
		row := pulls.SourceRow{Name: m.Name, Repo: m.Repo, From: m.From, To: m.To, CompareURL: m.CompareURL}
		switch {
		case m.FlakeInput != "":
			row.Hash = "locked in " + p.cfg.FlakeLockPath()
		case newPins != nil:
			src, _ := newPins.Source(m.Name)
			row.Hash = src.Hash
		}
		d.Sources = append(d.Sources, row)
	}
	d.Reproduce = reproduceCommands(check, rows)
	addContext(&d, check)
	return d
}

// addContext adds what upstream changed beyond the hashes: the releases
// in between with the candidate's notes, the advisories fixed and the
// lock files no FOD reads.
func addContext(d *pulls.BodyData, check *upstream.Result) {
	for _, r := range check.Releases {
		d.Releases = append(d.Releases, pulls.ReleaseRow{Tag: r.Tag, Name: r.Name, URL: r.HTMLURL, Published: r.Published})
	}
	d.Notes = check.Notes
	for _, a := range check.Advisories {
		d.Advisories = append(d.Advisories, pulls.AdvisoryRow{ID: a.GHSAID, CVE: a.CVEID, Severity: a.Severity, Summary: a.Summary, URL: a.URL})
	}
	for _, l := range check.UnclaimedLocks {
		d.UnclaimedLocks = append(d.UnclaimedLocks, pulls.LockRow{Path: l.Path, New: l.New})
	}
}

// extraLabels are the labels the change earns beside the configured
// ones: SecurityLabel when it fixes an advisory.
func extraLabels(check *upstream.Result) []string {
	if len(check.Advisories) > 0 {
		return []string{pulls.SecurityLabel}
	}
	return nil
}

// checkRows are the check's results as the pull request shows them.
func checkRows(checks []fod.CheckResult) []pulls.CheckRow {
	rows := make([]pulls.CheckRow, 0, len(checks))
	for _, c := range checks {
		rows = append(rows, pulls.CheckRow{Attr: c.Attr, System: c.System, Status: string(c.Status),
			Failed: c.Failed, Note: c.Message, LogTail: c.LogTail})
	}
	return rows
}

func rowsFromReport(r *fod.Report) []pulls.HashRow {
	rows := make([]pulls.HashRow, 0, len(r.Results))
	for _, t := range r.Results {
		note := t.Message
		if len(t.LogTail) > 0 {
			note = strings.TrimSpace(note + "\n" + strings.Join(t.LogTail, "\n"))
		}
		rows = append(rows, pulls.HashRow{FOD: t.FOD, System: t.PinSystem(), Old: t.Old, New: t.New, Status: string(t.Status), Note: note})
	}
	return rows
}

// rowsFromPins lists the hashes that differ between two pins, for a pull
// request opened from a branch computed by an earlier run.
func rowsFromPins(cfg *config.Config, old, cur *pins.Pins) []pulls.HashRow {
	var rows []pulls.HashRow
	for _, name := range cfg.FODNames() {
		for _, sys := range cfg.FODs[name].PinSystems() {
			o, _ := old.Hash(name, sys)
			n, _ := cur.Hash(name, sys)
			if o != n {
				rows = append(rows, pulls.HashRow{FOD: name, System: sys, Old: o, New: n, Status: string(fod.StatusChanged)})
			}
		}
	}
	return rows
}

func verifySentence(r *fod.Report) string {
	var bad []string
	for _, t := range r.Results {
		if t.Status == fod.StatusUnreproducible {
			bad = append(bad, t.FOD+" ("+config.SystemLabel(t.PinSystem())+")")
		}
	}
	if len(bad) == 0 {
		return "Every new hash was rebuilt with nix-build --check and reproduced."
	}
	return "Not reproducible with nix-build --check: " + strings.Join(bad, ", ") + "."
}

// reproduceCommands are the commands a maintainer runs to recompute the
// same hashes locally.
func reproduceCommands(check *upstream.Result, rows []pulls.HashRow) []string {
	fods := map[string]bool{}
	var args []string
	for _, r := range rows {
		if !fods[r.FOD] {
			fods[r.FOD] = true
			args = append(args, "--fod "+r.FOD)
		}
	}
	if len(args) == 0 {
		return nil
	}
	run := "hashbot run --dry-run --version " + check.Candidate
	if check.Candidate != "" && check.Candidate != check.Pinned {
		set := []string{"--set-version " + check.Candidate}
		if version.CheckDowngrade(check.Candidate, check.Pinned) != nil {
			set = append(set, "--allow-downgrade") // asked for, or the run would not be here
			run += " --allow-downgrade"
		}
		args = append(set, args...)
	}
	return []string{"hashbot update " + strings.Join(args, " "), run}
}

// filesDiff renders the change of the pins' files for --dry-run output as
// unified diffs with hunks (3 lines of context), as git diff shows them,
// file by file; a file that does not change is left out.
func filesDiff(old, cur pins.Files) string {
	var b strings.Builder
	for _, path := range cur.Paths() {
		b.WriteString(udiff.Unified("a/"+path, "b/"+path, string(old[path]), string(cur[path])))
	}
	return b.String()
}

// sameFiles says whether every file of cur holds what it held in old.
func sameFiles(old, cur pins.Files) bool {
	for path, data := range cur {
		if string(old[path]) != string(data) {
			return false
		}
	}
	return true
}
