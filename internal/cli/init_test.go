package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInitFlags(t *testing.T) {
	testFlags(t, newInitCmd, []flagCase[initOptions]{
		{name: "a flake", args: []string{"--flake", ".", "--upstream", "goauthentik/authentik", "--tag-prefix", "version/"},
			want: initOptions{Flake: ".", Upstream: "goauthentik/authentik", TagPrefix: "version/", Pins: "hashbot.json"}},
		{name: "an entry and attributes", args: []string{"--entry", "default.nix", "--attr", "authentik", "--attr", "python-deps",
			"--upstream", "o/r", "--pins", "nix/hashbot.json", "--dry-run"},
			want: initOptions{Entry: "default.nix", Attrs: []string{"authentik", "python-deps"}, Upstream: "o/r",
				Pins: "nix/hashbot.json", DryRun: true}},
		{name: "the upstream is required", args: []string{"--flake", "."}, wantErr: "--upstream owner/name is required", wantUsage: true},
		{name: "an upstream that is no repository", args: []string{"--upstream", "nope"}, wantErr: `--upstream "nope": want owner/name`, wantUsage: true},
		{name: "an entry and a flake", args: []string{"--upstream", "o/r", "--entry", "a.nix", "--flake", "."},
			wantErr: `--entry "a.nix" and --flake ".": name one`, wantUsage: true},
		{name: "a bad pull-request repo", args: []string{"--upstream", "o/r", "--pull-request-repo", "x"},
			wantErr: `--pull-request-repo "x": want owner/name`, wantUsage: true},
		{name: "no arguments", args: []string{"--upstream", "o/r", "extra"}, wantErr: "unknown command"},
	})
}

func TestInitPinsFileWritesNothingOutsideTheRepository(t *testing.T) {
	tests := []struct {
		name    string
		pins    string
		wantErr string // "" = written in the repository
	}{
		{name: "a new file in a new directory", pins: "nix/hashbot.json"},
		{name: "through a directory link leading out", pins: "out/hashbot.json", wantErr: "--pins: out/hashbot.json ("},
		{name: "up and out", pins: "nix/../../hashbot.json", wantErr: "leads outside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
			for _, d := range []string{dir, outside} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
				t.Fatal(err)
			}
			_, err := pinsFile(dir, tt.pins)
			if tt.wantErr == "" {
				if data, rerr := os.ReadFile(filepath.Join(dir, tt.pins)); err != nil || string(data) != "{}\n" {
					t.Errorf("pinsFile = %v; the pins read %q (%v)", err, data, rerr)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("pinsFile = %v, want %q", err, tt.wantErr)
			}
			for _, d := range []string{outside, base} {
				if _, err := os.Stat(filepath.Join(d, "hashbot.json")); err == nil {
					t.Errorf("written outside the repository: %s", filepath.Join(d, "hashbot.json"))
				}
			}
		})
	}
}
