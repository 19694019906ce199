package cli

import (
	"testing"
	"time"
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
