package cli

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestGlobalFlagsTakeTheirDefaultsFromTheEnvironment runs `hashbot version`
// (which only prints) and looks at the flags every command shares.
func TestGlobalFlagsTakeTheirDefaultsFromTheEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    globalOptions
		wantErr string
	}{
		{name: "the defaults", want: globalOptions{Repo: ".", LogLevel: "info"}},
		{name: "flags", args: []string{"--repo", "pkg", "--state-dir", "/var/cache/hashbot", "--log-format", "json", "--log-level", "debug"},
			want: globalOptions{Repo: "pkg", StateDir: "/var/cache/hashbot", LogFormat: "json", LogLevel: "debug"}},
		{name: "the environment",
			env:  map[string]string{"HASHBOT_REPO": "pkg", "HASHBOT_STATE_DIR": "/state", "HASHBOT_LOG_FORMAT": "console", "HASHBOT_LOG_LEVEL": "warn"},
			want: globalOptions{Repo: "pkg", StateDir: "/state", LogFormat: "console", LogLevel: "warn"}},
		{name: "flags win over the environment", env: map[string]string{"HASHBOT_REPO": "env-pkg", "HASHBOT_LOG_LEVEL": "warn"},
			args: []string{"--repo", "flag-pkg"}, want: globalOptions{Repo: "flag-pkg", LogLevel: "warn"}},
		{name: "a log level from the environment is checked like the flag", env: map[string]string{"HASHBOT_LOG_LEVEL": "loud"},
			wantErr: `--log-level "loud": want debug, info, warn or error`},
		{name: "an unknown log format is refused", args: []string{"--log-format", "xml"}, wantErr: `--log-format "xml": want console or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := testFactory(tt.env)
			root := newRootCmd(f)
			root.SetArgs(append(tt.args, "version"))
			err := root.Execute()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || exitCode(err) != ExitUsage {
					t.Fatalf("err = %v (exit %d), want usage error %q", err, exitCode(err), tt.wantErr)
				}
				if f.started {
					t.Error("a refused flag counts as started")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, f.globalOptions); diff != "" {
				t.Errorf("global options (-want +got):\n%s", diff)
			}
			if got := stdout.String(); got != "hashbot "+Version+"\n" {
				t.Errorf("version printed %q", got)
			}
		})
	}
}

func TestVersionFlags(t *testing.T) {
	testFlags(t, newVersionCmd, []flagCase[versionOptions]{
		{name: "no arguments", want: versionOptions{}},
		{name: "an argument is refused", args: []string{"1.0"}, wantErr: `unknown command "1.0"`},
	})
}

// TestReadEnvironmentKeepsTheSecretsFromChildProcesses: git and Nix inherit
// hashbot's environment, so the webhook secret and the App's key leave it
// when Main reads them.
func TestReadEnvironmentKeepsTheSecretsFromChildProcesses(t *testing.T) {
	t.Setenv(secretEnv, "s3cret-not-for-children")
	t.Setenv(appKeyEnv, "-----BEGIN RSA PRIVATE KEY-----")
	t.Setenv(tokenEnv, " ghp_token \n")
	t.Setenv(prBaseEnv, "release")
	t.Setenv(apiURLEnv, "https://ghe.example.com/api/v3")
	t.Setenv(appIDEnv, " 4242 ")
	t.Setenv(appKeyFileEnv, "/run/secrets/app.pem")
	t.Setenv(appInstallationEnv, "77")
	t.Setenv("HASHBOT_REPO", "pkg")
	env := readEnvironment()
	for _, key := range []string{secretEnv, appKeyEnv} {
		if v, ok := os.LookupEnv(key); ok {
			t.Errorf("%s=%q is still in the environment that git and Nix inherit", key, v)
		}
		if v, ok := env.lookup(key); ok {
			t.Errorf("lookup(%s) = %q: the secret is in the copy commands read too", key, v)
		}
	}
	want := environment{Token: "ghp_token", APIURL: "https://ghe.example.com/api/v3", WebhookSecret: "s3cret-not-for-children",
		AppID: "4242", AppKey: "-----BEGIN RSA PRIVATE KEY-----", AppKeyFile: "/run/secrets/app.pem", AppInstallation: "77",
		PRBase: "release"}
	if diff := cmp.Diff(want, env, cmpopts.IgnoreUnexported(environment{})); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if v, _ := env.lookup("HASHBOT_REPO"); v != "pkg" {
		t.Errorf("lookup(HASHBOT_REPO) = %q, want pkg", v)
	}
}
