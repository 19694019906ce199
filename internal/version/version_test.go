package version

import "testing"

func TestVersionOrder(t *testing.T) {
	// Each version is older than the next.
	ordered := []string{
		"2025.12.4", "2026.2.0-rc1", "2026.2.0-rc2", "2026.2.0-rc10", "2026.2.0",
		"2026.2.1", "2026.2.2", "2026.2.3-beta", "2026.2.3-rc1", "2026.2.3", "2026.2.9", "2026.2.10", "2026.10",
	}
	for i := range ordered {
		for j := range ordered {
			a, okA := Parse(ordered[i])
			b, okB := Parse(ordered[j])
			if !okA || !okB {
				t.Fatalf("Parse(%q / %q) failed", ordered[i], ordered[j])
			}
			if got, want := a.Compare(b), cmpInt(i, j); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestParse(t *testing.T) {
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
			v, ok := Parse(tt.in)
			if ok != tt.ok || v.Prerelease() != tt.pre {
				t.Errorf("Parse(%q) = ok %v, prerelease %v; want %v, %v", tt.in, ok, v.Prerelease(), tt.ok, tt.pre)
			}
		})
	}
	a, _ := Parse("2026.2")
	b, _ := Parse("2026.2.0")
	if a.Compare(b) != 0 {
		t.Error("2026.2 and 2026.2.0 should be equal")
	}
}

func TestCompare(t *testing.T) {
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
		{"2026.2.3-rc1", "2026.2.3-rc", 1, true},
		{"2026.2.3-beta.2", "2026.2.3-rc.1", -1, true},
		{"1.0-1", "1.0-alpha", -1, true},
		{"2026.2", "2026.2.0", 0, true},
		{"2026.3", "2026.2.99", 1, true},
		{"1.2.3+build5", "1.2.3", 0, true},
		{"2025.12.4", "2026.2.2", -1, true},
		{"2026.2.3", "2026.2.3", 0, true},
		{"not-a-version", "1.0", 0, false},
		{"1..2", "1.2", 0, false},
		{"1.2-", "1.2", 0, false},
		{"", "1.2", 0, false},
		{"1.-2", "1.2", 0, false},
		{"v1.2.3", "1.2.3", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			got, ok := Compare(tt.a, tt.b)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Compare(%q, %q) = %d, %v; want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
			}
		})
	}
}
