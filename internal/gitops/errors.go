package gitops

import (
	"errors"
	"fmt"
	git "github.com/go-git/go-git/v5"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Hash is a git object id. It is go-git's plumbing.Hash, re-exported so that
// callers need not import go-git; the zero Hash means "no such ref".
type Hash = plumbing.Hash

// ZeroHash is the zero Hash, used as the expected remote value of a branch
// that should not exist yet.
var ZeroHash = plumbing.ZeroHash

var (
	// ErrNotARepository is matched by the error of Open for a directory
	// that is not a git repository.
	ErrNotARepository = git.ErrRepositoryNotExists
	// ErrLeaseBroken is matched (errors.Is) by a *LeaseError: the remote
	// branch is not where the caller last saw it, so the push was refused.
	ErrLeaseBroken = errors.New("remote branch moved since it was last seen")
	// ErrBadBranchName is matched by a *BranchNameError.
	ErrBadBranchName = errors.New("unusable branch name")
	// ErrAuth reports that the remote refused the credentials (or asked for
	// some when none were given).
	ErrAuth = errors.New("git remote authentication failed")
	// ErrNoChange reports that the new pins content equals the base's, so
	// there is nothing to commit.
	ErrNoChange = errors.New("pins file unchanged")
	// ErrBranchCheckedOut reports that the bot's branch is checked out in the
	// working tree, so resetting it would disturb the user's work.
	ErrBranchCheckedOut = errors.New("branch is checked out in the working tree")
)

// LeaseError says that a push was refused because the remote branch did not
// point where the caller expected. The remote branch was left untouched.
type LeaseError struct {
	Branch   string
	Expected Hash // zero: the branch was expected to be absent
	Actual   Hash // zero: the branch is absent
}

func (e *LeaseError) Error() string {
	return fmt.Sprintf("pushing %s: remote branch is at %s, expected %s; someone else pushed to it, not overwriting",
		e.Branch, describeHash(e.Actual), describeHash(e.Expected))
}

// Is makes errors.Is(err, ErrLeaseBroken) true.
func (e *LeaseError) Is(target error) bool { return target == ErrLeaseBroken }

func describeHash(h Hash) string {
	if h.IsZero() {
		return "(absent)"
	}
	return h.String()
}

// BranchNameError says why a branch name could not be built or used.
type BranchNameError struct {
	Input  string // the offending input, quoted in the message
	Reason string
}

func (e *BranchNameError) Error() string {
	return fmt.Sprintf("branch name from %q: %s", e.Input, e.Reason)
}

// Is makes errors.Is(err, ErrBadBranchName) true.
func (e *BranchNameError) Is(target error) bool { return target == ErrBadBranchName }

// ScopeError says a commit would have changed a file other than the pins
// (or not exactly one file): hashbot's commits change the pins only. The
// rules about the pins' content are pins.GuardChange's.
type ScopeError struct {
	Path string // the other file, or the pins
	N    int    // files the commit would change
}

func (e *ScopeError) Error() string {
	if e.N == 1 {
		return fmt.Sprintf("the commit would change %s, a file other than the pins", e.Path)
	}
	return fmt.Sprintf("the commit would change %d files, want exactly the pins (%s)", e.N, e.Path)
}

// censoredError hides secrets in the message of an error that came from
// go-git or a remote, keeping the original for errors.Is and errors.As.
type censoredError struct {
	msg string
	err error
}

func (e *censoredError) Error() string { return e.msg }
func (e *censoredError) Unwrap() error { return e.err }

var userinfoRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)

// censor returns s with the token and any URL userinfo replaced by "***".
func censor(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "***")
	}
	return userinfoRE.ReplaceAllString(s, "${1}***@")
}

// wrapf wraps err like fmt.Errorf("<what>: %w") with the whole message
// censored.
func wrapf(err error, token, format string, args ...any) error {
	if err == nil {
		return nil
	}
	full := fmt.Errorf(format+": %w", append(args, err)...)
	return &censoredError{msg: censor(full.Error(), token), err: err}
}
