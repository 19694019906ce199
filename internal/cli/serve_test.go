package cli

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/webhook"
)

func TestServeFlags(t *testing.T) {
	defaults := serveOptions{Listen: "127.0.0.1:8080", ShutdownTimeout: 30 * time.Second, DispatchType: "upstream-release"}
	with := func(change func(*serveOptions)) serveOptions {
		o := defaults
		change(&o)
		return o
	}
	testFlags(t, newServeCmd, []flagCase[serveOptions]{
		{name: "the defaults", want: defaults},
		{name: "every flag", args: []string{"--listen", ":9000", "--webhook-secret-file", "/run/secrets/hashbot",
			"--shutdown-timeout", "1m", "--dry-run", "--clone", "https://github.com/me/authentik-nix", "--poll", "15m",
			"--mirror", "me/mirror", "--mirror", "me/mirror2", "--relay", "me/relay", "--dispatch-type", "release"},
			want: serveOptions{Listen: ":9000", SecretFile: "/run/secrets/hashbot", ShutdownTimeout: time.Minute, DryRun: true,
				Clone: "https://github.com/me/authentik-nix", Poll: 15 * time.Minute,
				Mirrors: []string{"me/mirror", "me/mirror2"}, Relays: []string{"me/relay"}, DispatchType: "release"}},
		{name: "polling only", args: []string{"--poll", "200ms"}, want: with(func(o *serveOptions) { o.Poll = 200 * time.Millisecond })},
		{name: "a zero shutdown timeout is refused", args: []string{"--shutdown-timeout", "0"},
			wantErr: "--shutdown-timeout 0s: must be more than 0", wantUsage: true},
		{name: "a negative shutdown timeout is refused", args: []string{"--shutdown-timeout", "-1s"},
			wantErr: "--shutdown-timeout -1s: must be more than 0", wantUsage: true},
		{name: "a negative poll interval is refused", args: []string{"--poll", "-1m"},
			wantErr: "--poll -1m0s: must be 0 (off) or more", wantUsage: true},
		{name: "a clone URL that names no repository is refused", args: []string{"--clone", "not a url"},
			wantErr: "not a repository URL", wantUsage: true},
		{name: "a poll interval that is not a duration is refused", args: []string{"--poll", "often"}, wantErr: `invalid argument "often"`},
	})
}

func TestServeReportsAFixOnHealthz(t *testing.T) {
	tests := []struct {
		name string
		out  *bot.FixOutcome
		want webhook.Outcome
	}{
		{name: "no outcome is a failure", want: webhook.Outcome{Status: "failed"}},
		{name: "pushed names the commit and branch",
			out:  &bot.FixOutcome{Status: bot.FixPushed, PullRequest: 7, Commit: "0123456789abcdef0123456789abcdef01234567", Branch: "dependabot/x"},
			want: webhook.Outcome{Status: "pushed", Detail: "pull request #7: pushed 0123456789ab onto dependabot/x"}},
		{name: "a fork's comment is linked",
			out:  &bot.FixOutcome{Status: bot.FixCommented, PullRequest: 8, Fork: true, Comment: "https://github.com/me/app/pull/8#issuecomment-1"},
			want: webhook.Outcome{Status: "commented", Detail: "pull request #8: commented the change (a fork): https://github.com/me/app/pull/8#issuecomment-1"}},
		{name: "nothing to fix", out: &bot.FixOutcome{Status: bot.FixNothing, PullRequest: 9},
			want: webhook.Outcome{Status: "nothing-to-fix", Detail: "pull request #9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, fixOutcome(tt.out)); diff != "" {
				t.Errorf("fixOutcome (-want +got):\n%s", diff)
			}
		})
	}
}
