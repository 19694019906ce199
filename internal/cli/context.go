package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// upstreamContext is what check and run tell beside the stale FODs: the
// lock files no FOD reads and the advisories the move fixes.
type upstreamContext struct {
	Candidate  string
	Locks      []upstream.LockFile
	Advisories []upstream.Advisory
}

// write prints c for a person. Every string is GitHub's answer or
// upstream's file names: terminalText keeps them from driving the
// terminal.
func (c upstreamContext) write(w io.Writer) {
	if len(c.Locks) > 0 {
		fmt.Fprintln(w, "\nlock files no FOD reads:")
	}
	for _, l := range c.Locks {
		fmt.Fprintf(w, "  %s\n", lockSentence(c.Candidate, l))
	}
	if len(c.Advisories) > 0 {
		fmt.Fprintln(w, "\nsecurity advisories fixed:")
	}
	for _, a := range c.Advisories {
		ids := terminalText(a.GHSAID)
		if a.CVEID != "" {
			ids += " " + terminalText(a.CVEID)
		}
		fmt.Fprintf(w, "  %s (%s): %s", ids, terminalText(a.Severity), terminalText(a.Summary))
		if a.URL != "" {
			fmt.Fprintf(w, "  %s", terminalText(a.URL))
		}
		fmt.Fprintln(w)
	}
}

// lockSentence says that upstream's version has, or added, a lock file
// no FOD reads: "upstream 2026.5.6 added `Cargo.lock`; no FOD reads it".
func lockSentence(version string, l upstream.LockFile) string {
	verb := "has"
	if l.New {
		verb = "added"
	}
	return fmt.Sprintf("upstream %s %s `%s`; no FOD reads it", terminalText(version), verb, terminalText(l.Path))
}

// maxTerminalText bounds one string from GitHub printed on a line.
const maxTerminalText = 300

// terminalText is s on one line without control characters (no escape
// sequence reaches the terminal), at most maxTerminalText bytes.
func terminalText(s string) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)), " ")
	if len(s) > maxTerminalText {
		cut := maxTerminalText
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
