package webhook

import (
	"strings"
	"testing"
)

func TestValidVersion(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2026.2.3", true},
		{"2026.2", true},
		{"2026.2.3-rc1", true},
		{"1.2.3-beta.2", true},
		{"0.0.1", true},
		{"", false},
		{"v2026.2.3", false},
		{"2026.02.3", false},
		{"2026.2.3-", false},
		{"2026.2.3+build", false},
		{"2026..3", false},
		{"../1.2", false},
		{"2026.2.3;rm -rf ~", false},
		{"2026.2.3\n", false},
		{"1.2.3-" + strings.Repeat("a", 30) + "." + strings.Repeat("b", 30), false}, // over 64 bytes
		{"1234567890.1", false},
	}
	for _, tt := range tests {
		if got := validVersion(tt.in); got != tt.want {
			t.Errorf("validVersion(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
