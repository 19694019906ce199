package ghactions

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoFile is returned, wrapped, when the environment variable naming a
// runner file ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY) is unset or empty
// inside GitHub Actions: a runner too old for file commands, or a step that
// cleared its environment.
var ErrNoFile = errors.New("environment variable naming the runner file is not set")

// SetOutput sets the step output name to value by appending to the file
// named by $GITHUB_OUTPUT; later steps and jobs read it as
// steps.<id>.outputs.<name>. A value holding a line break is written in the
// heredoc form (name<<DELIMITER … DELIMITER) with a random delimiter, so no
// value can set another output. Names are letters, digits, '-' and '_'.
// Outside GitHub Actions SetOutput does nothing.
func (a *Actions) SetOutput(name, value string) error {
	if !a.enabled {
		return nil
	}
	if !validOutputName(name) {
		return fmt.Errorf("setting output %q: a name is letters, digits, '-' and '_'", name)
	}
	var entry string
	if strings.ContainsAny(value, "\r\n") {
		delim := "ghadelimiter_" + a.token()
		if strings.Contains(value, delim) {
			return fmt.Errorf("setting output %q: the value holds the delimiter %q", name, delim)
		}
		entry = name + "<<" + delim + "\n" + value + "\n" + delim + "\n"
	} else {
		entry = name + "=" + value + "\n"
	}
	if err := a.appendTo("GITHUB_OUTPUT", entry); err != nil {
		return fmt.Errorf("setting output %q: %w", name, err)
	}
	return nil
}

// AppendSummary appends Markdown to the job summary shown on the run's page
// (the file named by $GITHUB_STEP_SUMMARY), ending it with a newline. GitHub
// shows at most 1 MiB of summary per step. Outside GitHub Actions
// AppendSummary does nothing.
func (a *Actions) AppendSummary(markdown string) error {
	if !a.enabled {
		return nil
	}
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	if err := a.appendTo("GITHUB_STEP_SUMMARY", markdown); err != nil {
		return fmt.Errorf("writing the job summary: %w", err)
	}
	return nil
}

// appendTo appends s, in one write, to the file named by the environment
// variable env.
func (a *Actions) appendTo(env, s string) error {
	path, _ := a.lookupEnv(env)
	if path == "" {
		return fmt.Errorf("$%s: %w", env, ErrNoFile)
	}
	f, err := a.openAppend(path)
	if err != nil {
		return fmt.Errorf("opening $%s: %w", env, err)
	}
	if _, err := f.Write([]byte(s)); err != nil {
		_ = f.Close()
		return fmt.Errorf("appending to $%s (%s): %w", env, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing $%s (%s): %w", env, path, err)
	}
	return nil
}

// validOutputName reports whether name is a non-empty run of letters,
// digits, '-' and '_': the names GitHub's expressions can refer to, and none
// that could be mistaken for a heredoc or an assignment.
func validOutputName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
