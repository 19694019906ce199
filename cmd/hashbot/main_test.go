package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hashbot-nix/hashbot/internal/cli"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestMain lets scripts run the real hashbot as `exec hashbot …`: the test
// binary re-executes itself as the command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hashbot": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar end to end: the real hashbot
// binary, real git and Nix where a script asks for them, a fake GitHub
// (ghfake) on loopback per script. Scripts skip without nix-build or git,
// except in CI, where both must be installed.
func TestScripts(t *testing.T) {
	if strings.EqualFold(os.Getenv("CI"), "true") {
		for _, tool := range []string{"git", "nix-build"} {
			if _, err := exec.LookPath(tool); err != nil {
				t.Fatalf("%s is not on PATH in CI: .ci/run must install it", tool)
			}
		}
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		Setup:               setupScript,
		Cmds:                scriptCmds,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}

// ghKey is where Setup leaves the script's fake GitHub for the commands.
type ghKey struct{}

func fakeGitHub(ts *testscript.TestScript) *ghfake.Server {
	return ts.Value(ghKey{}).(*ghfake.Server)
}

// setupScript gives each script its own fake GitHub, home, git identity,
// Nix settings, state dir and a free port (PORT) for `hashbot serve`.
// EXAMPLES is the bundled examples/ repository (scripts copy it); scripts
// that build it set NIX_CONFIG to NIX_CONFIG_EXAMPLES (no sandbox: its
// builders use the host's Go and npm).
func setupScript(env *testscript.Env) error {
	srv, err := ghfake.Start()
	if err != nil {
		return err
	}
	env.Defer(srv.Close)
	env.Values[ghKey{}] = srv
	port, err := freePort()
	if err != nil {
		return err
	}
	// Nix builds as its build users (nixbld*) in a directory under TMPDIR;
	// testscript's own TMPDIR sits in a 0700 directory they cannot
	// traverse, so a builder's `cd` there fails.
	nixTmp, err := os.MkdirTemp("", "hashbot-script-tmp-")
	if err != nil {
		return err
	}
	env.Defer(func() { os.RemoveAll(nixTmp) })
	if err := os.Chmod(nixTmp, 0o755); err != nil {
		return err
	}
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		return err
	}
	home := filepath.Join(env.WorkDir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	// Nix may need its own settings from the machine (a multi-user store,
	// a CA bundle); everything else is the script's.
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); (strings.HasPrefix(k, "NIX_") && k != "NIX_CONFIG") || k == "USER" {
			env.Setenv(k, v)
		}
	}
	for k, v := range map[string]string{
		"GITHUB_API_URL":      srv.URL,
		"GITHUB_TOKEN":        "test-token",
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"XDG_CACHE_HOME":      filepath.Join(home, ".cache"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Test Author",
		"GIT_AUTHOR_EMAIL":    "author@example.com",
		"GIT_COMMITTER_NAME":  "Test Author",
		"GIT_COMMITTER_EMAIL": "author@example.com",
		"NIX_CONFIG":          testutil.NixConfig,
		"NIX_CONFIG_EXAMPLES": testutil.NixConfigNoSandbox,
		"HASHBOT_STATE_DIR":   filepath.Join(env.WorkDir, "state"),
		"HASHBOT_LOG_FORMAT":  "json",
		"PORT":                strconv.Itoa(port),
		"EXAMPLES":            examples,
		"TMPDIR":              nixTmp,
	} {
		env.Setenv(k, v)
	}
	return nil
}

// freePort asks the kernel for a loopback port nobody listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
