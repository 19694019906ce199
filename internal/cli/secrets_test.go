package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			dir := secretsRepo(t)
			t.Setenv("GITHUB_API_URL", srv.URL)
			t.Setenv("GITHUB_TOKEN", token)
			t.Setenv("HASHBOT_WEBHOOK_SECRET", secret)
			var stdout, stderr bytes.Buffer
			code := Main([]string{"check", "--repo", dir, "--state-dir", t.TempDir(), "--log-format", format, "--log-level", "debug"},
				strings.NewReader(""), &stdout, &stderr)
			if code == ExitOK || code == ExitStale {
				t.Fatalf("exit %d with a 401 from GitHub", code)
			}
			all := stdout.String() + stderr.String()
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

// secretsRepo writes a packaging repository that check can read: its
// upstream is whatever GITHUB_API_URL serves.
func secretsRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"hashbot.toml":     "[upstream]\nrepo = \"goauthentik/authentik\"\ntag-prefix = \"version/\"\n\n[fod.src]\nattr = \"src\"\n",
		"nix/sources.json": `{"version": "2026.2.1", "hashes": {"src": "sha256-xz0fNRQdcaj/6Bn6Bpzqz1kQP7R69CcRxsADsCvhz54="}}`,
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
