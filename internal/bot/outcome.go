package bot

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// Status is how a run ended.
type Status string

// The statuses of a run.
const (
	StatusUpToDate Status = "up-to-date"
	StatusUpdated  Status = "updated"
	StatusDryRun   Status = "dry-run"
	// StatusDeclined: the pull request for this change was closed without
	// merging; none is opened again until the change is a newer one.
	StatusDeclined Status = "declined"
	// StatusStale (Status only): a run would compute and publish.
	StatusStale Status = "stale"
)

// Outcome is what a run did.
type Outcome struct {
	Status    Status              `json:"status"`
	Pinned    string              `json:"pinned"`
	Candidate string              `json:"candidate"`
	Stale     map[string][]string `json:"stale,omitempty"`
	Report    *fod.Report         `json:"report,omitempty"`
	// Checks are the [check] attributes built with the new hashes (the
	// report's, or those apply merged for --publish-only).
	Checks []fod.CheckResult `json:"checks,omitempty"`
	Branch string            `json:"branch,omitempty"`
	Commit string            `json:"commit,omitempty"`
	PR     *pulls.Outcome    `json:"pull_request,omitempty"`
	Title  string            `json:"title,omitempty"`
	Body   string            `json:"body,omitempty"`
	Diff   string            `json:"diff,omitempty"`
	// UnclaimedLocks, Advisories and Warnings are what the check found
	// beside the stale FODs (upstream.Result has them).
	UnclaimedLocks []upstream.LockFile `json:"unclaimed_locks,omitempty"`
	Advisories     []upstream.Advisory `json:"advisories,omitempty"`
	Warnings       []string            `json:"warnings,omitempty"`
	Started        time.Time           `json:"started"`
	Finished       time.Time           `json:"finished"`
}

// fromCheck takes what the check found into the outcome, and logs its
// warnings and the lock files no FOD reads.
func (out *Outcome) fromCheck(ctx context.Context, pinned string, check *upstream.Result) {
	out.Pinned, out.Candidate, out.Stale = pinned, check.Candidate, check.Stale
	out.UnclaimedLocks, out.Advisories, out.Warnings = check.UnclaimedLocks, check.Advisories, check.Warnings
	log := zerolog.Ctx(ctx)
	for _, w := range check.Warnings {
		log.Warn().Msg(w)
	}
	for _, l := range check.UnclaimedLocks {
		log.Warn().Str("file", l.Path).Str(logfield.Version, check.Candidate).Bool("new", l.New).Msg("a lock file upstream has that no FOD reads")
	}
}

// PartialError is returned when some targets could not be computed: nothing
// was committed or pushed. Report holds the per-target table.
type PartialError struct {
	Report *fod.Report
}

func (e *PartialError) Error() string {
	var bad []string
	for _, r := range e.Report.Results {
		if !r.Status.Succeeded() {
			bad = append(bad, fmt.Sprintf("%s (%s): %s", r.FOD, config.SystemLabel(r.PinSystem()), r.Status))
		}
	}
	sort.Strings(bad)
	return fmt.Sprintf("not every hash could be computed, nothing was committed: %v", bad)
}
