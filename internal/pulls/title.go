package pulls

import (
	"fmt"
	"regexp"
	"strings"
)

// RenderTitle returns the pull request title in nixpkgs' convention:
// "authentik: 2026.2.1 -> 2026.2.2" when the version moved, and
// "authentik: update FOD hashes" when it did not (or either is unknown).
func RenderTitle(upstreamName, oldV, newV string) string {
	name := oneLine(upstreamName)
	oldV, newV = oneLine(oldV), oneLine(newV)
	if oldV == "" || newV == "" || oldV == newV {
		return name + ": update FOD hashes"
	}
	return fmt.Sprintf("%s: %s -> %s", name, oldV, newV)
}

// Marker is what the hidden comment in a hashbot pull request body says.
type Marker struct {
	// UpstreamRepo is the upstream "owner/name", e.g. "goauthentik/authentik".
	UpstreamRepo string
	// Version is the upstream version the pull request moves to.
	Version string
}

// markerRE matches the comment renderMarker writes.
var markerRE = regexp.MustCompile(`<!-- hashbot:upstream=(\S*) version=(\S*) -->`)

// renderMarker returns the hidden comment that lets hashbot recognise its
// own pull requests. Values are reduced to characters that cannot end the
// comment or break the single line.
func renderMarker(m Marker) string {
	return fmt.Sprintf("<!-- hashbot:upstream=%s version=%s -->", markerValue(m.UpstreamRepo), markerValue(m.Version))
}

func markerValue(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r <= ' ', r == '>', r == '<', r == 0x7f:
			return -1
		}
		return r
	}, s)
	return strings.ReplaceAll(s, "--", "")
}

// ParseMarker finds the hidden hashbot comment in a pull request body. It
// reports false when the body has none (a pull request hashbot did not open,
// or whose body someone rewrote).
func ParseMarker(body string) (Marker, bool) {
	m := markerRE.FindStringSubmatch(body)
	if m == nil {
		return Marker{}, false
	}
	return Marker{UpstreamRepo: m[1], Version: m[2]}, true
}
