package gitops

import (
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// testAuthor is who the tests' repositories commit as ([git] author).
const testAuthor = "hashbot <hashbot@localhost>"

const pinsPath = "nix/sources.json"

const oldPins = `{
  "version": "2026.2.1",
  "fods": {
    "go-modules": {"hash": "sha256-3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w0="},
    "web": {"hash": "sha256-q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "extra": null}
  }
}
`

const newPins = `{
  "version": "2026.2.2",
  "fods": {
    "go-modules": {"hash": "sha256-ERERERERERERERERERERERERERERERERERERERERERE="},
    "web": {"hash": "sha256-IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=", "extra": null}
  }
}
`

// runGit runs the git CLI in dir and returns its trimmed stdout.
func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixture is a packaging repo: a bare remote and a normal clone of it.
type fixture struct {
	root   string // holds remote.git; GIT_PROJECT_ROOT for the HTTP server
	remote string // the bare repository
	work   string // a normal clone with origin = remote
}

// newFixture makes a bare remote whose main holds the pins and two other
// files, and a clone of it.
func newFixture(t *testing.T) fixture {
	t.Helper()
	testutil.RequireGit(t)
	root := t.TempDir()
	f := fixture{root: root, remote: filepath.Join(root, "remote.git"), work: filepath.Join(t.TempDir(), "work")}
	runGit(t, root, "init", "-q", "--bare", "-b", "main", f.remote)
	runGit(t, f.remote, "config", "http.receivepack", "true")
	runGit(t, root, "clone", "-q", f.remote, f.work)
	writeFile(t, filepath.Join(f.work, pinsPath), oldPins)
	writeFile(t, filepath.Join(f.work, "README.md"), "packaging\n")
	writeFile(t, filepath.Join(f.work, "nix", "default.nix"), "{ }\n")
	runGit(t, f.work, "add", ".")
	runGit(t, f.work, "commit", "-q", "-m", "init")
	runGit(t, f.work, "push", "-q", "origin", "main")
	return f
}

// pushFromOther commits a change to file on branch (created from main when
// missing) in a second clone and pushes it; it returns the new commit.
func (f fixture) pushFromOther(t *testing.T, branch, file, content string) string {
	t.Helper()
	other := filepath.Join(t.TempDir(), "other")
	runGit(t, f.root, "clone", "-q", f.remote, other)
	if branch != "main" {
		if runGit(t, other, "ls-remote", "origin", "refs/heads/"+branch) != "" {
			runGit(t, other, "checkout", "-q", "-b", branch, "origin/"+branch)
		} else {
			runGit(t, other, "checkout", "-q", "-b", branch)
		}
	}
	writeFile(t, filepath.Join(other, file), content)
	runGit(t, other, "add", ".")
	runGit(t, other, "commit", "-q", "-m", "other: "+file)
	runGit(t, other, "push", "-q", "origin", branch)
	return runGit(t, other, "rev-parse", "HEAD")
}

// remoteRev returns where ref points in the bare remote, or "" if absent.
func (f fixture) remoteRev(t *testing.T, branch string) string {
	t.Helper()
	out := runGit(t, f.remote, "for-each-ref", "--format=%(objectname)", "refs/heads/"+branch)
	return out
}

// serveHTTP serves the fixture's root over git's smart HTTP protocol (git
// http-backend under net/http/cgi), requiring basic auth
// x-access-token:<token>, and answering 403 to pushes unless token is
// pushToken (like GitHub with a read-only token). It returns the remote's URL.
func (f fixture) serveHTTP(t *testing.T, token, pushToken string) string {
	t.Helper()
	backend := filepath.Join(runGit(t, "", "--exec-path"), "git-http-backend")
	h := &cgi.Handler{
		Path:       backend,
		Env:        []string{"GIT_PROJECT_ROOT=" + f.root, "GIT_HTTP_EXPORT_ALL=1", "REMOTE_USER=x-access-token"},
		InheritEnv: []string{"PATH", "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "x-access-token" || (pass != token && pass != pushToken) {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		push := strings.HasSuffix(r.URL.Path, "/git-receive-pack") || r.URL.Query().Get("service") == "git-receive-pack"
		if push && pass != pushToken {
			http.Error(w, "write access not granted", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/remote.git"
}

// resetBranch points the local branch at base's tip as fetched (the bot
// does it with FetchBase and SetBranch) and returns that commit.
func resetBranch(t *testing.T, r *Repo, branch, base string) (Hash, error) {
	t.Helper()
	_, h, err := r.FetchBase(t.Context(), base)
	if err != nil {
		return ZeroHash, err
	}
	return h, r.SetBranch(branch, h)
}
