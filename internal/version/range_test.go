package version_test

import (
	"testing"

	"github.com/hashbot-nix/hashbot/internal/version"
)

func TestRangeContains(t *testing.T) {
	tests := []struct {
		name, rng string
		in, out   []string
	}{
		{"bounded on both sides", ">= 2025.12.0, < 2025.12.4",
			[]string{"2025.12.0", "2025.12.3", "2025.12.4-rc1"}, []string{"2025.10.9", "2025.12.4", "2026.2.0"}},
		{"ordered as numbers, not strings", "< 2026.2.10",
			[]string{"2026.2.9", "2026.2.1"}, []string{"2026.2.10", "2026.2.11"}},
		{"inclusive upper bound", "<= 2026.2.2", []string{"2026.2.2", "2026.2.2-rc1"}, []string{"2026.2.3"}},
		{"lower bound alone", "> 1.0", []string{"1.0.1", "2"}, []string{"1.0", "1.0.0", "0.9"}},
		{"one version", "= 2026.5.1", []string{"2026.5.1", "2026.5.1.0"}, []string{"2026.5.2"}},
		{"bare version and ==", "== 3.1", []string{"3.1.0"}, []string{"3.1.1"}},
		{"no blanks", ">=1.2,<1.4", []string{"1.3.9"}, []string{"1.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := version.ParseRange(tt.rng)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.in {
				if v, _ := version.Parse(s); !r.Contains(v) {
					t.Errorf("%q does not contain %s", tt.rng, s)
				}
			}
			for _, s := range tt.out {
				if v, _ := version.Parse(s); r.Contains(v) {
					t.Errorf("%q contains %s", tt.rng, s)
				}
			}
		})
	}
}

func TestParseRangeRefusesWhatItCannotOrder(t *testing.T) {
	for _, rng := range []string{"", ">= 1.0, < ", "< latest", "~> 1.2", ">= 1.0 || < 0.5", "< 1.0; rm -rf /", string(make([]byte, 600))} {
		if _, err := version.ParseRange(rng); err == nil {
			t.Errorf("ParseRange(%.40q) took it", rng)
		}
	}
}
