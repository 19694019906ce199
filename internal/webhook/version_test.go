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

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2026.2.10", "2026.2.9", 1},
		{"2026.2.9", "2026.2.10", -1},
		{"2026.2.3-rc1", "2026.2.3", -1},
		{"2026.2.3", "2026.2.3-rc1", 1},
		{"2026.2.3-rc10", "2026.2.3-rc9", 1},
		{"2026.2.3-rc1", "2026.2.3-rc", 1},
		{"2026.2.3-beta.2", "2026.2.3-rc.1", -1},
		{"2026.2", "2026.2.0", 0},
		{"2026.3", "2026.2.99", 1},
		{"2025.12.4", "2026.1.0", -1},
		{"2026.2.3", "2026.2.3", 0},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDeliveriesForgetTheOldest(t *testing.T) {
	d := newDeliveries(2)
	for _, step := range []struct {
		id   string
		seen bool
	}{
		{"a", false}, {"b", false}, {"a", true}, // a is now the most recent
		{"c", false}, // evicts b
		{"b", false}, // evicts a
		{"c", true},
		{"a", false},
	} {
		if got := d.remember(step.id); got != step.seen {
			t.Errorf("remember(%q) = %v, want %v", step.id, got, step.seen)
		}
	}
	d.forget("a")
	if d.remember("a") {
		t.Error("remember after forget reported seen")
	}
}
