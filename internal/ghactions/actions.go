package ghactions

import (
	"crypto/rand"
	"io"
	"os"
	"strings"
	"sync"
)

// Options are everything an Actions reads and writes. The zero value works
// outside GitHub Actions (every method is then a no-op); inside, set Out.
type Options struct {
	// LookupEnv reads an environment variable. Nil means os.LookupEnv.
	LookupEnv func(key string) (string, bool)
	// Out receives workflow commands and folded logs. The runner reads
	// commands from both standard output and standard error of a step, so
	// hashbot passes its standard error and keeps standard output for --json.
	// Nil means io.Discard.
	Out io.Writer
	// OpenAppend opens the file named by $GITHUB_OUTPUT or
	// $GITHUB_STEP_SUMMARY for appending. Nil means os.OpenFile with
	// O_APPEND|O_CREATE|O_WRONLY.
	OpenAppend func(name string) (io.WriteCloser, error)
	// Token returns a fresh unguessable token, used as a heredoc delimiter
	// and to switch command processing off while an untrusted log is copied.
	// Nil means crypto/rand.Text.
	Token func() string
}

// Actions writes GitHub Actions workflow commands and files. Its methods are
// safe for concurrent use; commands are written whole, one per line.
type Actions struct {
	lookupEnv  func(string) (string, bool)
	out        io.Writer
	openAppend func(string) (io.WriteCloser, error)
	token      func() string
	enabled    bool

	mu        sync.Mutex
	inGroup   bool   // a ::group:: is open
	stopToken string // non-empty while command processing is stopped (Fold)
	midLine   bool   // the last byte written to out was not a newline
	fold      *fold  // the Fold whose group is open, if any
}

// New returns an Actions for opts. It is enabled when the environment has
// GITHUB_ACTIONS=true, as every GitHub-hosted and self-hosted runner sets.
func New(opts Options) *Actions {
	a := &Actions{
		lookupEnv:  opts.LookupEnv,
		out:        opts.Out,
		openAppend: opts.OpenAppend,
		token:      opts.Token,
	}
	if a.lookupEnv == nil {
		a.lookupEnv = os.LookupEnv
	}
	if a.out == nil {
		a.out = io.Discard
	}
	if a.openAppend == nil {
		a.openAppend = openAppend
	}
	if a.token == nil {
		a.token = rand.Text
	}
	v, _ := a.lookupEnv("GITHUB_ACTIONS")
	a.enabled = v == "true"
	return a
}

// Enabled reports whether hashbot runs inside GitHub Actions.
func (a *Actions) Enabled() bool { return a.enabled }

// openAppend opens name for appending, creating it when missing.
func openAppend(name string) (io.WriteCloser, error) {
	return os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
}

// StartGroup opens a collapsible section titled name in the job log; lines
// written until EndGroup fold into it. The runner does not nest groups, so
// an open group is ended first.
func (a *Actions) StartGroup(name string) {
	if !a.enabled {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.startGroupLocked(name)
}

// EndGroup closes the open group, if any.
func (a *Actions) EndGroup() {
	if !a.enabled {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.endGroupLocked()
}

func (a *Actions) startGroupLocked(name string) {
	a.endGroupLocked()
	a.commandLocked("group", "", EscapeData(name))
	a.inGroup = true
}

func (a *Actions) endGroupLocked() {
	if !a.inGroup {
		return
	}
	a.resumeLocked()
	a.commandLocked("endgroup", "", "")
	a.inGroup = false
	a.fold = nil
}

// resumeLocked switches command processing back on if a Fold switched it off.
func (a *Actions) resumeLocked() {
	if a.stopToken == "" {
		return
	}
	a.lineLocked("::" + a.stopToken + "::")
	a.stopToken = ""
}

// stopLocked switches command processing off with a fresh token, so that
// text copied from an untrusted log cannot forge commands.
func (a *Actions) stopLocked() {
	a.stopToken = a.token()
	a.commandLocked("stop-commands", "", a.stopToken)
}

// commandLocked writes "::name props::message" on a line of its own.
// props and message must already be escaped.
func (a *Actions) commandLocked(name, props, message string) {
	var b strings.Builder
	b.WriteString("::")
	b.WriteString(name)
	if props != "" {
		b.WriteByte(' ')
		b.WriteString(props)
	}
	b.WriteString("::")
	b.WriteString(message)
	a.lineLocked(b.String())
}

// lineLocked writes s as one line, starting a new line first when the log
// being copied stopped mid-line: the runner only sees commands at the start
// of a line. Write errors are dropped: a lost log line must not fail a run.
func (a *Actions) lineLocked(s string) {
	if a.midLine {
		s = "\n" + s
	}
	_, _ = io.WriteString(a.out, s+"\n")
	a.midLine = false
}
