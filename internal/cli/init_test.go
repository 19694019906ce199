package cli

import "testing"

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
