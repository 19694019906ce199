package pulls

import "testing"

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
		ok   bool
	}{
		{"2026.2.10", "2026.2.9", 1, true},
		{"2026.2.9", "2026.2.10", -1, true},
		{"2026.2.3-rc1", "2026.2.3", -1, true},
		{"2026.2.3", "2026.2.3-rc1", 1, true},
		{"2026.2.3-rc2", "2026.2.3-rc10", -1, true},
		{"2026.2.3-beta.2", "2026.2.3-rc.1", -1, true},
		{"1.0-1", "1.0-alpha", -1, true},
		{"2026.2", "2026.2.0", 0, true},
		{"v1.2.3", "1.2.3", 0, true},
		{"1.2.3+build5", "1.2.3", 0, true},
		{"2025.12.4", "2026.2.2", -1, true},
		{"not-a-version", "1.0", 0, false},
		{"1..2", "1.2", 0, false},
		{"1.2-", "1.2", 0, false},
		{"", "1.2", 0, false},
		{"1.-2", "1.2", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			got, ok := compareVersions(tt.a, tt.b)
			if got != tt.want || ok != tt.ok {
				t.Errorf("compareVersions(%q, %q) = %d, %v; want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
			}
		})
	}
}
