package cli

import "testing"

func TestRunFlags(t *testing.T) {
	testFlags(t, newRunCmd, []flagCase[runOptions]{
		{name: "no flags run the whole job", want: runOptions{}},
		{name: "a dry run", args: []string{"--dry-run"}, want: runOptions{DryRun: true}},
		{name: "every flag", args: []string{"--dry-run", "--version", "2026.2.2", "--verify",
			"--clone", "https://github.com/me/authentik-nix", "--publish-only", "--json"},
			want: runOptions{DryRun: true, Version: "2026.2.2", Verify: true,
				Clone: "https://github.com/me/authentik-nix", PublishOnly: true, JSON: true}},
		{name: "a downgrade asked for in so many words", args: []string{"--version", "2025.12.5", "--allow-downgrade"},
			want: runOptions{Version: "2025.12.5", AllowDowngrade: true}},
		{name: "a pre-release version", args: []string{"--version", "2026.2.3-rc1"}, want: runOptions{Version: "2026.2.3-rc1"}},
		{name: "a version that would move an API path is refused", args: []string{"--dry-run", "--version", "1.0/../../../../orgs/x?y="},
			wantErr: `--version "1.0/../../../../orgs/x?y=" is not a version`, wantUsage: true},
		{name: "a clone URL that names no repository is refused", args: []string{"--dry-run", "--clone", "http://127.0.0.1:1/x/.."},
			wantErr: `--clone "http://127.0.0.1:1/x/..": not a repository URL`, wantUsage: true},
		{name: "a dry run that is not a boolean is refused", args: []string{"--dry-run=maybe"}, wantErr: `invalid argument "maybe"`},
		{name: "an argument is refused", args: []string{"2026.2.2"}, wantErr: `unknown command "2026.2.2"`},
	})
}
