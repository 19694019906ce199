package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeRefusesBadSettings(t *testing.T) {
	blank := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(blank, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  string // HASHBOT_WEBHOOK_SECRET
		args []string
		want string
	}{
		{"no secret", "", nil, "no webhook secret"},
		{"a secret file holding only a newline", "", []string{"--webhook-secret-file", blank}, "no webhook secret"},
		{"a missing secret file", "s", []string{"--webhook-secret-file", blank + ".missing"}, "reading --webhook-secret-file"},
		{"a zero shutdown timeout", "s", []string{"--shutdown-timeout", "0"}, "--shutdown-timeout 0s: must be more than 0"},
		{"a negative shutdown timeout", "s", []string{"--shutdown-timeout", "-1s"}, "must be more than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HASHBOT_WEBHOOK_SECRET", tt.env)
			args := append([]string{"serve", "--repo", t.TempDir(), "--listen", "127.0.0.1:0"}, tt.args...)
			r := updRun(t, args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

func TestServeKeepsTheSecretFromChildProcesses(t *testing.T) {
	const secret = "s3cret-not-for-children"
	t.Setenv("HASHBOT_WEBHOOK_SECRET", secret)
	// The empty directory has no hashbot.toml: serve stops after reading the
	// secret, before it starts any git or Nix process.
	r := updRun(t, "serve", "--repo", t.TempDir(), "--listen", "127.0.0.1:0")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2 (no hashbot.toml):\n%s", r.code, r.stderr)
	}
	if v, ok := os.LookupEnv("HASHBOT_WEBHOOK_SECRET"); ok {
		t.Errorf("HASHBOT_WEBHOOK_SECRET=%q is still in the environment that git and Nix inherit", v)
	}
	if strings.Contains(r.stderr, secret) {
		t.Errorf("stderr holds the secret:\n%s", r.stderr)
	}
}
