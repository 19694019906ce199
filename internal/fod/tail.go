package fod

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits of a failure tail as people read it: in the terminal, the JSON
// results and a GitHub annotation.
const (
	tailMaxLines = 20
	tailMaxWidth = 300
	// tailKeepErrors is how many earlier lines that say what failed are kept
	// in front of the last lines when the tail is cut.
	tailKeepErrors = 5
)

// tailErrorRe finds the lines of a build log that say what failed.
var tailErrorRe = regexp.MustCompile(`(?i)\b(error|err!|fatal|failed|failure|panic|denied|not found|cannot|unable to|traceback)\b`)

// readableTail turns the raw end of a builder's log into lines a person can
// read: each line as a terminal shows it (ANSI and cursor codes removed,
// only the last frame of a line redrawn with \r or ESC[G), runs of the same
// line collapsed, each line cut at tailMaxWidth, and at most tailMaxLines
// lines: the last ones, after up to tailKeepErrors earlier lines that say
// what failed.
func readableTail(raw []string) []string {
	var lines []string
	var prev string
	repeats := 0
	flush := func() {
		if repeats > 1 {
			lines[len(lines)-1] += fmt.Sprintf(" [repeated %d times]", repeats)
		}
	}
	for _, r := range raw {
		l := terminalLine(r)
		if l == "" && (len(lines) == 0 || lines[len(lines)-1] == "") {
			continue // blank runs and leading blanks say nothing
		}
		if len(lines) > 0 && l == prev {
			repeats++
			continue
		}
		flush()
		prev, repeats = l, 1
		lines = append(lines, cutLine(l, tailMaxWidth))
	}
	flush()
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) <= tailMaxLines {
		return lines
	}
	var errs []string
	for _, l := range lines[:len(lines)-tailMaxLines] {
		if tailErrorRe.MatchString(l) {
			errs = append(errs, l)
		}
	}
	errs = errs[max(len(errs)-tailKeepErrors, 0):]
	keep := tailMaxLines - len(errs) - 1 // one line says how many were left out
	out := append(append([]string(nil), errs...), fmt.Sprintf("… (%d lines omitted)", len(lines)-keep-len(errs)))
	return append(out, lines[len(lines)-keep:]...)
}

// terminalLine returns what a terminal shows for one line of output: escape
// sequences removed, a carriage return or a cursor move to the first column
// starting the line over, other control characters dropped, tabs kept, and
// trailing blanks trimmed.
func terminalLine(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\r':
			if strings.TrimSpace(s[i+1:]) != "" {
				b.Reset()
			}
			i++
		case c == 0x1b:
			n, restart := escapeLen(s[i:])
			if restart && strings.TrimSpace(s[i+n:]) != "" {
				b.Reset()
			}
			i += n
		case c == '\t' || c >= 0x20 && c != 0x7f:
			b.WriteByte(c)
			i++
		default:
			i++
		}
	}
	return strings.TrimRight(b.String(), " \t")
}

// escapeLen returns the length of the escape sequence at the start of s and
// whether it moves the cursor back to the start of the line (ESC[G, ESC[1G,
// ESC[2K: a progress bar redrawing itself).
func escapeLen(s string) (n int, restart bool) {
	if len(s) < 2 {
		return len(s), false
	}
	switch s[1] {
	case '[': // CSI: parameters, intermediates, one final byte
		i := 2
		for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
			i++
		}
		if i >= len(s) {
			return len(s), false
		}
		params, final := s[2:i], s[i]
		restart = final == 'G' && (params == "" || params == "1") || final == 'K' && params == "2"
		return i + 1, restart
	case ']': // OSC: up to BEL or ESC \
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1, false
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2, false
			}
		}
		return len(s), false
	}
	return 2, false
}

// cutLine shortens s to at most width runes, marking the cut.
func cutLine(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	n := 0
	for i := range s {
		if n == width-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
