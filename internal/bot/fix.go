package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// FixSubject starts the subject of every commit Fix pushes onto a pull
// request: "hashbot: update FOD hashes for vendor, web". Fix knows its
// own commits by it and by [git] author.
const FixSubject = "hashbot: update FOD hashes"

// FixResultsSchema is the version of the FixResults JSON form.
const FixResultsSchema = 1

// FixRequest is what `hashbot fix` asks for one pull request.
type FixRequest struct {
	// Number is the pull request's.
	Number int
	// DryRun computes (or takes Results) and shows the diff, pushing and
	// commenting nothing.
	DryRun bool
	// ComputeOnly computes and returns the results, pushing nothing and
	// needing no write token (`fix --json`, the untrusted half).
	ComputeOnly bool
	// Results, when set, are hashes computed elsewhere (`fix --apply`),
	// one set per computing job (per system): each checked against the
	// pull request's head and Fix's own plan, merged as apply merges
	// (mergeFixResults), then pushed; nothing of the pull request is
	// evaluated or built.
	Results []NamedFixResults
	// Systems, with ComputeOnly, are the systems whose per-system FODs
	// are computed (`fix --json --system`, one compute job per system);
	// system-independent FODs are computed with any, as update does.
	// Empty: every system each stale FOD lists.
	Systems []string
	// Verify rebuilds each new FOD with --check before trusting it.
	Verify bool
	// ExpectHead, when set, is the head commit the results must name, as
	// a trusted party says the computing job ran on (the workflow_run
	// event's head_sha): results carried over from another pull
	// request's run are refused, whatever number they name.
	ExpectHead string
}

// FixResults are what the computing half of fix hands to the pushing
// half: the pull request, the head commit computed on, the systems
// computed (none: all), the FODs its plan named stale with why, and the
// engine's report (Commit the head too).
// The pushing half plans again and trusts none of it but the hashes, and
// those only where its own plan agrees.
type FixResults struct {
	Schema      int                 `json:"schema"`
	PullRequest int                 `json:"pull_request"`
	Head        string              `json:"head"`
	Systems     []string            `json:"systems,omitempty"`
	Stale       map[string][]string `json:"stale"`
	Report      *fod.Report         `json:"report"`
}

// FixStatus is how a fix ended.
type FixStatus string

// The statuses of a fix.
const (
	// FixNothing: no FOD's inputs changed; nothing computed or pushed.
	FixNothing FixStatus = "nothing-to-fix"
	// FixUpToDate: the stale FODs' hashes were computed and are the ones
	// the pull request already has.
	FixUpToDate FixStatus = "up-to-date"
	FixComputed FixStatus = "computed"
	FixDryRun   FixStatus = "dry-run"
	FixPushed   FixStatus = "pushed"
	// FixCommented: a fork's pull request, which hashbot never pushes to,
	// got the change as a comment.
	FixCommented FixStatus = "commented"
)

// FixOutcome is what a fix did.
type FixOutcome struct {
	Status      FixStatus `json:"status"`
	PullRequest int       `json:"pull_request"`
	Branch      string    `json:"branch,omitempty"`
	Head        string    `json:"head,omitempty"`
	// Since is the commit the inputs were compared with: the merge base,
	// or hashbot's last commit on the pull request.
	Since   string              `json:"since,omitempty"`
	Fork    bool                `json:"fork,omitempty"`
	Stale   map[string][]string `json:"stale,omitempty"`
	Report  *fod.Report         `json:"report,omitempty"`
	Results *FixResults         `json:"results,omitempty"`
	Commit  string              `json:"commit,omitempty"`
	Diff    string              `json:"diff,omitempty"`
	Comment string              `json:"comment_url,omitempty"`
}

// ResultsError says why results handed to Fix were refused: computed for
// another pull request or head, naming an FOD the plan does not name
// stale, or holding something else than hashes. Err, when set, is the
// *fod.MergeError of results that do not merge (a conflict, a missing
// system).
type ResultsError struct {
	Reason string
	Err    error
}

func (e *ResultsError) Error() string { return "refusing the results: " + e.Reason }

func (e *ResultsError) Unwrap() error { return e.Err }

// MovedError says the pull request's head moved since the hashes were
// computed: the push was refused by its lease (or not tried), nothing is
// lost, and the next event on the pull request computes again.
type MovedError struct {
	Branch string
	Err    error
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("the pull request moved (%s): nothing lost, nothing pushed; the next event recomputes: %v", e.Branch, e.Err)
}

func (e *MovedError) Unwrap() error { return e.Err }

// Fix keeps the FOD hashes of a pull request right: it fetches the pull
// request's head and its merge base, names stale the FODs whose own
// inputs changed between them (or since hashbot's last commit on it),
// computes them on the head for every configured system (or takes
// Results, checked), and pushes one commit of hash literals onto the
// pull request's branch with a lease on the head it computed from; a
// fork's pull request gets a comment with the change instead. Nothing
// stale, or the hashes already right: nothing is pushed.
func (b *Bot) Fix(ctx context.Context, req FixRequest) (*FixOutcome, error) {
	out := &FixOutcome{PullRequest: req.Number}
	release, err := b.lock(ctx, RunOptions{}, "hashbot fix")
	if err != nil {
		return out, err
	}
	defer release()
	fp, err := b.planFix(ctx, req, out)
	if err != nil {
		return out, err
	}
	if fp == nil { // nothing stale
		if req.ComputeOnly { // results the pushing half plans "nothing to fix" from too
			out.Results = &FixResults{Schema: FixResultsSchema, PullRequest: req.Number, Head: out.Head, Systems: req.Systems,
				Stale: map[string][]string{}, Report: &fod.Report{Commit: out.Head}}
		}
		return out, nil
	}
	defer fp.cleanup()
	log := zerolog.Ctx(ctx).With().Int(logfield.PR, req.Number).Str(logfield.Commit, fp.head.String()).Logger()
	ctx = log.WithContext(ctx)
	report, err := b.fixReport(ctx, fp, req)
	if err != nil {
		return out, err
	}
	out.Report = report
	if req.ComputeOnly {
		out.Status = FixComputed
		out.Results = &FixResults{Schema: FixResultsSchema, PullRequest: req.Number, Head: fp.head.String(), Systems: req.Systems,
			Stale: fp.stale, Report: report}
		if !report.OK() { // printed all the same, and the run fails: nothing to push
			return out, &PartialError{Report: report}
		}
		return out, nil
	}
	return out, b.finishFix(ctx, fp, req, out, report)
}

// fixReport computes the stale FODs on the head, or checks the results
// handed over against the plan.
func (b *Bot) fixReport(ctx context.Context, fp *fixPlan, req FixRequest) (*fod.Report, error) {
	if req.Results != nil { // even empty: the pushing half never computes
		return mergeFixResults(req, fp)
	}
	report, err := b.opts.Engine.Compute(ctx, fod.Request{
		Config: fp.cfg, Pins: fp.stored.Pins.Clone(), Stored: fp.stored, FODs: sortedKeys(fp.stale), Systems: req.Systems, Verify: req.Verify,
		InPlace: true, // the head's tree, written out for this fix alone (fixStale)
	})
	if err != nil {
		return nil, fmt.Errorf("computing hashes: %w", err)
	}
	report.Commit = fp.head.String()
	return report, nil
}

// checkFixResults refuses one set of results not made for this plan:
// another pull request or head commit, an FOD the plan does not name
// stale, a hash that is no real sha256 hash, or anything but hashes (a
// flake.lock, a source pin). Whether the sets together cover the plan is
// mergeFixResults's to say.
func checkFixResults(r *FixResults, number int, fp *fixPlan) error {
	switch {
	case r.Schema != FixResultsSchema:
		return &ResultsError{Reason: fmt.Sprintf("schema %d: this hashbot reads schema %d", r.Schema, FixResultsSchema)}
	case r.PullRequest != number:
		return &ResultsError{Reason: fmt.Sprintf("they are for pull request #%d, not #%d", r.PullRequest, number)}
	case r.Report == nil:
		return &ResultsError{Reason: "no report in them"}
	case r.Head != fp.head.String() || r.Report.Commit != fp.head.String():
		return &ResultsError{Reason: fmt.Sprintf("they were computed on %.12q, but the pull request's head is %.12s (it moved? the next event recomputes)",
			firstNonEmpty(r.Head, r.Report.Commit), fp.head)}
	case r.Report.FlakeLock != nil || len(r.Report.Sources) > 0:
		return &ResultsError{Reason: "they carry a flake.lock or source pins: fix writes FOD hashes only"}
	}
	for _, t := range r.Report.Results {
		if _, ok := fp.stale[t.FOD]; !ok {
			return &ResultsError{Reason: fmt.Sprintf("they name the FOD %.60q, which hashbot's plan does not name stale on this pull request (stale: %s)",
				t.FOD, strings.Join(sortedKeys(fp.stale), ", "))}
		}
		if t.New == "" {
			continue
		}
		if err := pins.CheckHash(pins.HashPath(t.FOD, t.PinSystem()), t.New); err != nil {
			return &ResultsError{Reason: err.Error()}
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// finishFix writes the report's hashes into the head's pins, guards the
// change, and shows it, comments it (a fork) or pushes it.
func (b *Bot) finishFix(ctx context.Context, fp *fixPlan, req FixRequest, out *FixOutcome, report *fod.Report) error {
	if !report.OK() {
		return &PartialError{Report: report}
	}
	newPins := fp.stored.Pins.Clone()
	if report.Apply(newPins) == 0 {
		out.Status = FixUpToDate
		zerolog.Ctx(ctx).Info().Msg("the pull request's hashes are right: nothing to push")
		return nil
	}
	for key, sri := range fp.prints {
		if sri != "" {
			newPins.SetInput(key, sri)
		}
	}
	files, err := fp.stored.Render(newPins)
	if err != nil {
		return err
	}
	if err := fp.stored.Guard(files); err != nil {
		return fmt.Errorf("refusing to commit %s: %w", strings.Join(files.Paths(), ", "), err)
	}
	out.Diff = filesDiff(fp.stored.Files(), files)
	if sameFiles(fp.stored.Files(), files) {
		out.Status = FixUpToDate
		return nil
	}
	switch {
	case req.DryRun:
		out.Status = FixDryRun
		return nil
	case fp.fork:
		return b.commentFix(ctx, fp, out, report)
	}
	return b.pushFix(ctx, fp, out, files, report)
}

// pushFix commits files on the pull request's head and pushes the commit
// onto its branch with a lease on that head: a push someone made since is
// never overwritten (a *MovedError).
func (b *Bot) pushFix(ctx context.Context, fp *fixPlan, out *FixOutcome, files pins.Files, report *fod.Report) error {
	if err := fp.repo.SetBranch(fp.branch, fp.head); err != nil {
		return err
	}
	author, err := gitops.ParseAuthor(b.opts.Config.Git.Author) // the working tree's, not the pull request's
	if err != nil {
		return err
	}
	commit, err := fp.repo.CommitPins(ctx, gitops.PinsCommit{
		Branch: fp.branch, Files: files, Author: author,
		Subject: FixSubject + " for " + strings.Join(changedFODs(report), ", "), Body: commitBody(rowsFromReport(report)),
	})
	if err != nil {
		return err
	}
	out.Commit = commit.String()
	if err := fp.repo.Push(ctx, fp.branch, fp.head); err != nil {
		if errors.Is(err, gitops.ErrLeaseBroken) {
			return &MovedError{Branch: fp.branch, Err: err}
		}
		return err
	}
	out.Status = FixPushed
	zerolog.Ctx(ctx).Info().Str(logfield.Branch, fp.branch).Str("pushed", out.Commit).Msg("pushed the hashes onto the pull request")
	return nil
}

// changedFODs names the FODs whose hash changed, sorted, once each.
func changedFODs(r *fod.Report) []string {
	seen := map[string]bool{}
	for _, t := range r.Changed() {
		seen[t.FOD] = true
	}
	return sortedKeys(seen)
}
