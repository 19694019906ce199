package nixcmd

import (
	"fmt"
	"strings"
)

// NotFoundError is returned when a Nix program is not on PATH.
type NotFoundError struct {
	// Name is the program looked for ("nix-build").
	Name string
	// Err is the error from looking it up.
	Err error
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s not found on PATH: install Nix (https://nixos.org/download) "+
		"or add its bin directory (e.g. ~/.nix-profile/bin) to PATH", e.Name)
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// ExitError is returned when a Nix program exits non-zero.
type ExitError struct {
	// Name is the program ("nix-build").
	Name string
	// Args are its arguments.
	Args []string
	// ExitCode is its exit status, or -1 when it was killed by a signal.
	ExitCode int
	// StderrTail holds the last lines it wrote to standard error.
	StderrTail []string
}

func (e *ExitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s exited with code %d", e.Name, shortArgs(e.Args), e.ExitCode)
	if msg := lastErrorLines(e.StderrTail, 3); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// shortArgs renders args for a message, eliding the middle of long lists
// (a build names every .drv).
func shortArgs(args []string) string {
	const keep = 6
	if len(args) <= keep {
		return strings.Join(args, " ")
	}
	return fmt.Sprintf("%s … (%d more)", strings.Join(args[:keep], " "), len(args)-keep)
}

// lastErrorLines returns up to n lines from the last line starting with
// "error:" on, or the last n lines when there is none.
func lastErrorLines(tail []string, n int) string {
	start := max(len(tail)-n, 0)
	for i := len(tail) - 1; i >= 0; i-- {
		if strings.HasPrefix(strings.TrimSpace(tail[i]), "error:") {
			start = i
			break
		}
	}
	end := min(start+n, len(tail))
	lines := make([]string, 0, end-start)
	for _, l := range tail[start:end] {
		lines = append(lines, strings.TrimSpace(l))
	}
	return strings.Join(lines, " ")
}
