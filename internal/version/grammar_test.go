package version

import (
	"strings"
	"testing"
)

// TestParseGrammar is the one grammar every entry point checks versions
// with: flags, webhook deliveries and GitHub's release list.
func TestParseGrammar(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2026.2.3", true},
		{"2026.2", true},
		{"2026.2.3-rc1", true},
		{"1.2.3-beta.2", true},
		{"1.2rc1", true},
		{"2026.2.3+build.5", true},
		{"0.0.1", true},
		{"", false},
		{"v2026.2.3", false},
		{"2026.02.3", false},
		{"2026.2.3-", false},
		{"2026.2.3-rc..1", false},
		{"2026..3", false},
		{"../1.2", false},
		{"1.0/../../../../orgs/x?y=", false},
		{"2026.2.3;rm -rf ~", false},
		{"2026.2.3 ", false},
		{"2026.2.3\n", false},
		{"1.2.3-" + strings.Repeat("a", 30) + "." + strings.Repeat("b", 30), false}, // over 64 bytes
		{"1234567890.1", false},
		{"1.2.3.4.5.6.7.8", true},
		{"1.2.3.4.5.6.7.8.9", false},
	}
	for _, tt := range tests {
		if _, got := Parse(tt.in); got != tt.want {
			t.Errorf("Parse(%q) ok = %v, want %v", tt.in, got, tt.want)
		}
		if err := Check("--version", tt.in); (err == nil) != tt.want {
			t.Errorf("Check(%q) = %v", tt.in, err)
		}
	}
}
