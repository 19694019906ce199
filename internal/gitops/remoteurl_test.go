package gitops

import "testing"

func TestOwnerNameFromURL(t *testing.T) {
	tests := []struct {
		url, owner, name string
		ok               bool
	}{
		{"https://github.com/hashbot-nix/authentik-nix.git", "hashbot-nix", "authentik-nix", true},
		{"https://x-access-token:secret@github.com/o/r", "o", "r", true},
		{"git@github.com:o/r.git", "o", "r", true},
		{"ssh://git@ghe.example.com/o/r.git", "o", "r", true},
		{"/srv/git/remote.git", "git", "remote", true},
		{"https://github.com/", "", "", false},
		{"https://github.com/only", "", "", false},
	}
	for _, tt := range tests {
		owner, name, ok := OwnerNameFromURL(tt.url)
		if owner != tt.owner || name != tt.name || ok != tt.ok {
			t.Errorf("OwnerNameFromURL(%q) = %q, %q, %v; want %q, %q, %v", tt.url, owner, name, ok, tt.owner, tt.name, tt.ok)
		}
	}
}
