package version

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckDowngradeRefusesOnlyAnOlderVersion(t *testing.T) {
	tests := []struct {
		name, requested, pinned string
		refused                 bool
	}{
		{"an older release", "1.0.1", "1.1.0", true},
		{"a backport published after the pinned release", "2025.12.5", "2026.2.2", true},
		{"numbers, not strings", "2026.2.9", "2026.2.10", true},
		{"the pinned release's own release candidate", "2026.2.3-rc1", "2026.2.3", true},
		{"a newer release", "1.1.0", "1.0.1", false},
		{"the pinned version", "1.1.0", "1.1.0", false},
		{"the pinned version with build metadata", "1.1.0+nixpkgs.1", "1.1.0", false},
		{"the release of a pinned candidate", "2026.2.3", "2026.2.3-rc1", false},
		{"nothing pinned yet", "1.0.1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDowngrade(tt.requested, tt.pinned)
			var de *DowngradeError
			if got := errors.As(err, &de); got != tt.refused {
				t.Fatalf("CheckDowngrade(%q, %q) = %v, want refused %v", tt.requested, tt.pinned, err, tt.refused)
			}
			if !tt.refused {
				return
			}
			if de.Requested != tt.requested || de.Pinned != tt.pinned {
				t.Errorf("error carries %q, %q; want %q, %q", de.Requested, de.Pinned, tt.requested, tt.pinned)
			}
			for _, want := range []string{tt.requested, tt.pinned, "--allow-downgrade"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
		})
	}
}
