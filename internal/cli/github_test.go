package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/redact"
)

// TestAppKeyFileReadableByOthersIsWarnedOf: a GitHub App's private key in
// a file its group or others can read is taken, with a warning naming the
// file and its mode.
func TestAppKeyFileReadableByOthersIsWarnedOf(t *testing.T) {
	tests := []struct {
		name string
		mode os.FileMode
		warn bool
	}{
		{name: "the user's alone", mode: 0o600},
		{name: "read-only, the user's alone", mode: 0o400},
		{name: "readable by all", mode: 0o644, warn: true},
		{name: "readable by the group", mode: 0o640, warn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.pem")
			if err := os.WriteFile(path, []byte("-----BEGIN RSA PRIVATE KEY-----\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			f := &factory{log: zerolog.New(&logs), secrets: redact.New(),
				env: environment{AppID: "4242", AppKeyFile: path}, globalOptions: globalOptions{Repo: t.TempDir()}}
			_, err := f.appTokens(t.Context())
			if err == nil || !strings.Contains(err.Error(), "key") {
				t.Fatalf("appTokens = %v, want the truncated key refused", err)
			}
			got := logs.String()
			if !tt.warn {
				if got != "" {
					t.Errorf("logged %s", got)
				}
				return
			}
			mode := fmt.Sprintf("%#o", tt.mode)
			for _, want := range []string{`"level":"warn"`, `"path":"` + path + `"`, `"mode":"` + mode + `"`,
				"HASHBOT_APP_PRIVATE_KEY_FILE " + path + " is readable by its group or others (mode " + mode + ")"} {
				if !strings.Contains(got, want) {
					t.Errorf("log lacks %s:\n%s", want, got)
				}
			}
		})
	}
}
