package upstream_test

import (
	"errors"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/upstream"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// TestRequestedVersionOlderThanPinnedIsRefused is the downgrade a relay's
// backport or a typo in --version asks for: refused, naming both versions,
// unless AllowDowngrade says it is meant.
func TestRequestedVersionOlderThanPinnedIsRefused(t *testing.T) {
	tests := []struct {
		name           string
		pinned, want   string
		allow, refused bool
	}{
		{name: "an older version is refused", pinned: "2026.2.2", want: "2026.2.1", refused: true},
		{name: "an older version is taken when allowed", pinned: "2026.2.2", want: "2026.2.1", allow: true},
		{name: "the pinned version is no downgrade", pinned: "2026.2.2", want: "2026.2.2"},
		{name: "a newer version is no downgrade", pinned: "2026.2.1", want: "2026.2.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newCheckEnv(t)
			res, err := e.check(t, pinsAt(t, tt.pinned, true), upstream.CheckOptions{Version: tt.want, AllowDowngrade: tt.allow})
			var de *version.DowngradeError
			if tt.refused {
				if !errors.As(err, &de) || de.Requested != tt.want || de.Pinned != tt.pinned {
					t.Fatalf("err = %v, want a *version.DowngradeError from %s to %s", err, tt.pinned, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if res.Pinned != tt.pinned || res.Candidate != tt.want {
				t.Errorf("pinned %s, candidate %s; want %s, %s", res.Pinned, res.Candidate, tt.pinned, tt.want)
			}
		})
	}
}
