package cli

import (
	"errors"
	"fmt"
)

// Exit codes, documented in `hashbot --help`. They are part of the interface:
// workflows branch on them.
const (
	ExitOK      = 0  // success, or up to date
	ExitFailure = 1  // any failure not listed below
	ExitUsage   = 2  // bad flags, arguments or configuration; unreadable input
	ExitPartial = 3  // some targets computed, others failed or were unavailable
	ExitLocked  = 4  // another hashbot run holds the repository's lock
	ExitStale   = 10 // `check` only: something is stale
	// ExitInterrupted follows the shell's 128+SIGINT: a run stopped by
	// Ctrl-C or SIGTERM, its Nix builds killed, nothing written.
	ExitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0   success (for check and run: up to date)
  1   error
  2   usage error: bad flag, argument or configuration, unreadable input
  3   partial results: some targets failed or were unavailable
  4   another hashbot run holds the lock for this repository
  10  check: something is stale
  130 interrupted (SIGINT or SIGTERM): Nix builds killed, nothing written`

// ExitError carries the exit code a command wants next to its error. A nil
// Err with a non-zero Code exits quietly (the command already printed why).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks err as a usage error (exit 2).
func usageError(err error) error { return &ExitError{Code: ExitUsage, Err: err} }

// usageErrorf formats a usage error (exit 2).
func usageErrorf(format string, args ...any) error {
	return usageError(fmt.Errorf(format, args...))
}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailure
}
