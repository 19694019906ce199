// Package ghactions speaks the GitHub Actions runner's protocol for hashbot:
// when the GITHUB_ACTIONS environment variable is "true" it folds long logs
// into collapsible ::group:: sections, reports failures as ::error::
// annotations, appends Markdown to the job summary ($GITHUB_STEP_SUMMARY) and
// sets step outputs ($GITHUB_OUTPUT).
//
// Everything it touches (the environment, standard output, the files named by
// the environment, the random tokens) comes in through Options, so tests run
// without a runner and without global state. Outside GitHub Actions every
// method is a no-op, except Fold, which then copies the log through unchanged.
//
// The package knows nothing about Nix, hashes or pull requests: callers pass
// text in and decide what it says. It must not log secrets: values given to
// SetOutput and AppendSummary are written as they are, so pass no tokens.
package ghactions
