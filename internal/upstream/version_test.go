package upstream

import "testing"

func TestVersionOrder(t *testing.T) {
	// Each version is older than the next.
	ordered := []string{
		"2025.12.4", "2026.2.0-rc1", "2026.2.0-rc2", "2026.2.0-rc10", "2026.2.0",
		"2026.2.1", "2026.2.2", "2026.2.3-beta", "2026.2.3-rc1", "2026.2.3", "2026.2.9", "2026.2.10", "2026.10",
	}
	for i := range ordered {
		for j := range ordered {
			a, okA := ParseVersion(ordered[i])
			b, okB := ParseVersion(ordered[j])
			if !okA || !okB {
				t.Fatalf("ParseVersion(%q / %q) failed", ordered[i], ordered[j])
			}
			if got, want := a.Compare(b), cmpInt(i, j); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		ok, pre bool
	}{
		{"2026.2.2", true, false},
		{"1", true, false},
		{"2026.2.3-rc1", true, true},
		{"1.2rc1", true, true},
		{"1.2.3+build.5", true, false},
		{"latest", false, false},
		{"v1.2.3", false, false}, // put "v" in tag-prefix
		{"2026.2.x", false, false},
		{"", false, false},
		{"1..2", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, ok := ParseVersion(tt.in)
			if ok != tt.ok || v.Prerelease() != tt.pre {
				t.Errorf("ParseVersion(%q) = ok %v, prerelease %v; want %v, %v", tt.in, ok, v.Prerelease(), tt.ok, tt.pre)
			}
		})
	}
	a, _ := ParseVersion("2026.2")
	b, _ := ParseVersion("2026.2.0")
	if a.Compare(b) != 0 {
		t.Error("2026.2 and 2026.2.0 should be equal")
	}
}
