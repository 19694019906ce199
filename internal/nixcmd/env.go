package nixcmd

import (
	"slices"
	"strings"
)

// passedEnv lists the variables Nix and the builds it runs may need from
// hashbot's environment; everything else (GITHUB_TOKEN, the webhook secret,
// a CI system's credentials) is withheld, because Nix hands a fixed-output
// derivation any variable it names in impureEnvVars, and those builders run
// upstream code with network access.
var passedEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TZ", "LANG", "LANGUAGE",
	"TMPDIR", "TMP", "TEMP", "TEMPDIR",
	"XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
	"SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "NODE_EXTRA_CA_CERTS",
	"http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy",
	"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY", "NO_PROXY",
	"SSH_AUTH_SOCK", // remote builders over ssh
}

// passedEnvPrefixes are passed whole: Nix's own settings (NIX_PATH,
// NIX_CONFIG, NIX_REMOTE, NIX_SSL_CERT_FILE, …) and the locale.
var passedEnvPrefixes = []string{"NIX_", "LC_"}

// withheldEnv are never passed, even when a caller names them in extra.
var withheldEnv = []string{"GITHUB_TOKEN", "GH_TOKEN", "HASHBOT_WEBHOOK_SECRET", "HASHBOT_APP_PRIVATE_KEY"}

// FilterEnv returns the entries of environ ("KEY=value") that Nix may see:
// those listed above and the names in extra (a user's own impure
// variables), never a withheld one.
func FilterEnv(environ []string, extra []string) []string {
	var out []string
	for _, kv := range environ {
		key, _, ok := strings.Cut(kv, "=")
		if !ok || slices.Contains(withheldEnv, key) {
			continue
		}
		if slices.Contains(passedEnv, key) || slices.Contains(extra, key) || hasAnyPrefix(key, passedEnvPrefixes) {
			out = append(out, kv)
		}
	}
	return out
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
