package ghrepo

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"goauthentik/authentik": true, "me/authentik-nix": true, "a.b/c_d": true,
		"": false, "noslash": false, "a/b/c": false, "../x": false, "x/..": false, "./x": false, "x/.": false,
		"a b/c": false, "a/b?c": false, "a/b;rm": false, "/b": false, "a/": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidRef(t *testing.T) {
	for s, want := range map[string]bool{
		"main": true, "nixos-25.11": true, "version/2026.2.2": true, "hashbot/authentik-2026.2.2": true, "release-1.0": true,
		"": false, "@": false, "-x": false, "/x": false, "x/": false, "a..b": false, "a.lock": false, "a/.b": false,
		"a b": false, "a~1": false, "a^": false, "a:b": false, "a?": false, "a*": false, "a[": false, `a\b`: false,
		"a@{1}": false, "a//b": false, "a.": false, "a\nb": false,
	} {
		if got := ValidRef(s); got != want {
			t.Errorf("ValidRef(%q) = %v, want %v", s, got, want)
		}
	}
}
