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
