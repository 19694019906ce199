package ghactions

import (
	"strconv"
	"strings"
)

// Annotation says where a message points to. Every field is optional; a
// zero Line, EndLine, Col or EndColumn is left out.
type Annotation struct {
	// Title is shown above the message in the annotation.
	Title string
	// File is the path the annotation is attached to, relative to the
	// repository root (GITHUB_WORKSPACE).
	File string
	// Line and EndLine are the 1-based lines the message is about.
	Line, EndLine int
	// Col and EndColumn are the 1-based columns the message is about.
	Col, EndColumn int
}

// properties renders a as the comma-separated key=value list of a workflow
// command, each value escaped.
func (an Annotation) properties() string {
	var parts []string
	add := func(key, value string) {
		if value != "" {
			parts = append(parts, key+"="+EscapeProperty(value))
		}
	}
	num := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	add("file", an.File)
	add("line", num(an.Line))
	add("endLine", num(an.EndLine))
	add("col", num(an.Col))
	add("endColumn", num(an.EndColumn))
	add("title", an.Title)
	return strings.Join(parts, ",")
}

// Error reports message as an error annotation: it shows on the run's
// summary page and, with File set, on that file in a pull request's diff.
func (a *Actions) Error(message string, an Annotation) { a.annotate("error", message, an) }

// Warning reports message as a warning annotation.
func (a *Actions) Warning(message string, an Annotation) { a.annotate("warning", message, an) }

// annotate writes an annotation command. While a Fold has command processing
// switched off, it switches it on for this one line and off again with a
// fresh token, so that the annotation is seen and the log stays inert.
func (a *Actions) annotate(level, message string, an Annotation) {
	if !a.enabled {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	stopped := a.stopToken != ""
	a.resumeLocked()
	a.commandLocked(level, an.properties(), EscapeData(message))
	if stopped {
		a.stopLocked()
	}
}
