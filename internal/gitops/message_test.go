package gitops

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAuthor(t *testing.T) {
	tests := []struct {
		in      string
		want    Author
		wantErr bool
	}{
		{"", Author{}, true}, // config gives the default, not gitops
		{"hashbot <hashbot@localhost>", Author{"hashbot", "hashbot@localhost"}, false},
		{"  Pin Bot   <pins@example.org> ", Author{"Pin Bot", "pins@example.org"}, false},
		{"no email", Author{}, true},
		{"<a@b>", Author{}, true},
		{"name <>", Author{}, true},
		{"name <a@b> trailing", Author{}, true},
		{"na<me <a@b>", Author{}, true},
		{"na\nme <a@b>", Author{}, true},
		{"name <a b@c>", Author{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAuthor(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseAuthor(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAuthor(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestCommitMessage(t *testing.T) {
	tests := []struct {
		name, pkg, old, new, body string
		want                      string
	}{
		{"version moved", "authentik", "2026.2.1", "2026.2.2", "- web: a -> b",
			"authentik: 2026.2.1 -> 2026.2.2\n\n- web: a -> b\n"},
		{"version did not move", "authentik", "2026.2.2", "2026.2.2", "- web: a -> b\n",
			"authentik: update FOD hashes\n\n- web: a -> b\n"},
		{"no body", "authentik", "1", "2", "  \n", "authentik: 1 -> 2\n"},
		{"no old version", "authentik", "", "1.0", "", "authentik: init at 1.0\n"},
		{"newlines in an untrusted version", "authentik", "1.0", "2.0\n\nSigned-off-by: x", "",
			"authentik: 1.0 -> 2.0  Signed-off-by: x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, CommitMessage(tt.pkg, tt.old, tt.new, tt.body)); diff != "" {
				t.Errorf("CommitMessage (-want +got):\n%s", diff)
			}
		})
	}
}
