// Package logfield names the fields of hashbot's structured log, once:
// every package logs a branch as "branch", a pull request as "pr", a
// webhook delivery as "delivery", so that one query finds them all.
// Loggers themselves travel in the context (zerolog.Ctx).
package logfield

// Field names.
const (
	Branch       = "branch"
	Commit       = "commit"
	PR           = "pr"
	SupersededBy = "superseded_by"
	Repo         = "repo"
	Remote       = "remote"
	Ref          = "ref"
	Tag          = "tag"
	Rev          = "rev"
	Version      = "version"
	Pinned       = "pinned"
	Candidate    = "candidate"
	Stale        = "stale"
	Source       = "source"
	Hash         = "hash"
	Target       = "target"
	Phase        = "phase"
	Layer        = "layer"
	Path         = "path"
	Mode         = "mode"
	Method       = "method"
	Status       = "status"
	Error        = "error"
	Took         = "took"
	Delivery     = "delivery"
	Event        = "event"
)
