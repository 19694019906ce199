package fod

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadableTail(t *testing.T) {
	many := func(n int, f string) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf(f, i))
		}
		return out
	}
	tests := []struct {
		name string
		raw  []string
		want []string
	}{
		{"plain lines are kept", []string{"one", "two"}, []string{"one", "two"}},
		{"ANSI colours are removed", []string{"\x1b[31;1merror:\x1b[0m boom"}, []string{"error: boom"}},
		{"a line redrawn with \\r keeps its last frame",
			[]string{"\r\x1b[1G\x1b[0Kreify:a: timing 1\r\x1b[1G\x1b[0Kreify:a: timing 2\r\x1b[1G\x1b[0Kreify:a: timing 3"},
			[]string{"reify:a: timing 3"}},
		{"ESC[1G alone starts the line over", []string{"old frame\x1b[1Gnew"}, []string{"new"}},
		{"a trailing \\r keeps the line", []string{"done\r"}, []string{"done"}},
		{"repeated lines are collapsed", []string{"npm warn x", "npm warn x", "npm warn x", "npm error y"},
			[]string{"npm warn x [repeated 3 times]", "npm error y"}},
		{"blank runs are squeezed", []string{"", "a", "", "", "", "b", ""}, []string{"a", "", "b"}},
		{"control characters are dropped", []string{"a\x00b\x07c\td"}, []string{"abc\td"}},
		{"a long line is cut", []string{strings.Repeat("x", 1000)}, []string{strings.Repeat("x", tailMaxWidth-1) + "…"}},
		{"a long tail keeps its last lines", many(30, "line %d"),
			append([]string{"… (11 lines omitted)"}, many(30, "line %d")[11:]...)},
		{"a long tail keeps the earlier lines that say what failed",
			append([]string{"npm error code E404", "npm error 404 Not Found"}, many(40, "noise %d")...),
			append([]string{"npm error code E404", "npm error 404 Not Found", "… (23 lines omitted)"}, many(40, "noise %d")[23:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readableTail(tt.raw)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(got) > tailMaxLines {
				t.Errorf("%d lines, want at most %d", len(got), tailMaxLines)
			}
		})
	}
}

// TestReadableTailCapturedProgress reads the log each Nix version captured
// of a builder that redraws a progress line and repeats one: the error is
// not buried.
func TestReadableTailCapturedProgress(t *testing.T) {
	for _, version := range capturedNixVersions {
		t.Run(version, func(t *testing.T) {
			raw := strings.Split(string(parseTestFixture(t, "nix-"+version+"-text-progress.log")), "\n")
			got := readableTail(raw)
			text := strings.Join(got, "\n")
			for _, want := range []string{"reify:is-number: timing 39", "npm warn deprecated same line [repeated 30 times]", "npm error code E404"} {
				if !strings.Contains(text, want) {
					t.Errorf("tail lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "timing 38") || strings.ContainsAny(text, "\r\x1b") {
				t.Errorf("tail keeps overwritten frames or escape codes:\n%q", text)
			}
		})
	}
}
