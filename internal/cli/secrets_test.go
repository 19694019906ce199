package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/cli"
)

// TestSecretsNeverReachTheOutput has the GitHub API echo the Authorization
// header in its 401 answer, as some proxies and servers do, and checks that
// neither log format, nor the error, shows the token or the webhook secret.
func TestSecretsNeverReachTheOutput(t *testing.T) {
	const token = "ghp_hashbotTestTokenNeverPrinted00000000"
	const secret = "webhook secret never printed"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{
			"message": "Bad credentials: " + r.Header.Get("Authorization") + " (secret " + secret + ")",
		})
	}))
	defer srv.Close()
	for _, format := range []string{"json", "console"} {
		t.Run(format, func(t *testing.T) {
			dir := checkRepo(t, "2026.2.1", checkTOML)
			t.Setenv("GITHUB_API_URL", srv.URL)
			t.Setenv("GITHUB_TOKEN", token)
			t.Setenv("HASHBOT_WEBHOOK_SECRET", secret)
			code, out, stderr := runCheck(t, dir, "--log-format", format, "--log-level", "debug")
			if code == cli.ExitOK || code == cli.ExitStale {
				t.Fatalf("exit %d with a 401 from GitHub", code)
			}
			all := out + stderr
			if !strings.Contains(all, "Bad credentials") {
				t.Fatalf("the 401's message is not shown:\n%s", all)
			}
			for _, s := range []string{token, secret, "hashbotTestToken"} {
				if strings.Contains(all, s) {
					t.Errorf("the output shows %q:\n%s", s, all)
				}
			}
		})
	}
}

// TestUntrustedFlagValuesAreRefusedAtTheEdge passes values that would move
// an API path, reach a build or leave the state directory: each is a usage
// error naming the flag, before anything runs.
func TestUntrustedFlagValuesAreRefusedAtTheEdge(t *testing.T) {
	dir := checkRepo(t, "2026.2.1", checkTOML)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--dry-run", "--version", "1.0/../../../../orgs/x?y="}, `--version "1.0/../../../../orgs/x?y=" is not a version`},
		{[]string{"check", "--version", "2026.2.2;rm -rf ~"}, `--version "2026.2.2;rm -rf ~" is not a version`},
		{[]string{"update", "--dry-run", "--set-version", "2026.2.2 "}, `--set-version "2026.2.2 " is not a version`},
		{[]string{"apply", "--set-version", "$(id)", "x.json"}, `--set-version "$(id)" is not a version`},
		{[]string{"run", "--dry-run", "--clone", "http://127.0.0.1:1/x/.."}, "not a repository URL"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb strings.Builder
			args := append(tt.args, "--repo", dir, "--state-dir", t.TempDir())
			code := cli.Main(args, strings.NewReader(""), &out, &errb)
			if code != cli.ExitUsage || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errb.String(), cli.ExitUsage, tt.want)
			}
		})
	}
}
