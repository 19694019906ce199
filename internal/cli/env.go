package cli

import (
	"os"
	"strings"
)

// environment is what hashbot takes from its environment, read once, in
// Main: everything else gets it from here, so that a test gives a command
// its environment without touching the process's.
type environment struct {
	// Token is GITHUB_TOKEN: the API's and https pushes' credential.
	Token string
	// APIURL is GITHUB_API_URL (GitHub Enterprise; Actions sets it).
	APIURL string
	// WebhookSecret is HASHBOT_WEBHOOK_SECRET, taken out of the process's
	// environment so that no child (git, Nix) inherits it.
	WebhookSecret string
	// AppID, AppKey (HASHBOT_APP_PRIVATE_KEY, the PEM itself, taken out
	// of the environment like the webhook secret), AppKeyFile
	// (HASHBOT_APP_PRIVATE_KEY_FILE) and AppInstallation authenticate as
	// a GitHub App instead of GITHUB_TOKEN.
	AppID, AppKey, AppKeyFile, AppInstallation string
	// PRBase is HASHBOT_PR_BASE: the branch --clone checks out (it is
	// [pull-request] base's override too, through lookup).
	PRBase string

	// vars is the rest of the environment as Main found it, for lookup:
	// the HASHBOT_* defaults of flags and settings, GitHub Actions'
	// variables. The secrets above are not in it.
	vars map[string]string
}

// Environment variables hashbot reads itself (config.ApplyEnv and
// ghactions read theirs through environment.lookup).
const (
	tokenEnv           = "GITHUB_TOKEN"
	apiURLEnv          = "GITHUB_API_URL"
	secretEnv          = "HASHBOT_WEBHOOK_SECRET"
	appIDEnv           = "HASHBOT_APP_ID"
	appKeyEnv          = "HASHBOT_APP_PRIVATE_KEY"
	appKeyFileEnv      = "HASHBOT_APP_PRIVATE_KEY_FILE"
	appInstallationEnv = "HASHBOT_APP_INSTALLATION_ID"
	prBaseEnv          = "HASHBOT_PR_BASE"
)

// readEnvironment reads the environment hashbot uses, and takes the
// secrets no child process may inherit out of it.
func readEnvironment() environment {
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := vars[k]; !dup { // os.Getenv's choice: the first
			vars[k] = v
		}
	}
	env := environment{
		Token:           strings.TrimSpace(vars[tokenEnv]),
		APIURL:          vars[apiURLEnv],
		WebhookSecret:   vars[secretEnv],
		AppID:           strings.TrimSpace(vars[appIDEnv]),
		AppKey:          vars[appKeyEnv],
		AppKeyFile:      vars[appKeyFileEnv],
		AppInstallation: strings.TrimSpace(vars[appInstallationEnv]),
		PRBase:          vars[prBaseEnv],
		vars:            vars,
	}
	for _, secret := range []string{secretEnv, appKeyEnv} {
		delete(vars, secret)
		_ = os.Unsetenv(secret)
	}
	return env
}

// lookup is os.LookupEnv on the environment as it was read.
func (e environment) lookup(key string) (string, bool) {
	v, ok := e.vars[key]
	return v, ok
}
