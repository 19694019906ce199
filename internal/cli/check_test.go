package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/cli"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

const checkTOML = `[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.src]
attr = "src"

[fod.python-deps]
attr = "python-deps"
systems = ["x86_64-linux", "aarch64-linux"]
inputs = ["uv.lock", "pyproject.toml"]

[fod.webui-deps]
attr = "webui-deps"
systems = ["x86_64-linux", "aarch64-linux"]
inputs = ["web/package-lock.json", "web/package.json"]

[fod.server-vendor]
attr = "server.goModules"
inputs = ["go.mod", "go.sum"]
`

var checkFiles = []string{"uv.lock", "pyproject.toml", "web/package-lock.json", "web/package.json", "go.mod", "go.sum"}

// authentikFixture is one release of the project's miniature authentik.
func authentikFixture(t *testing.T, version string) string {
	t.Helper()
	return filepath.Join(testutil.AuthentikFixtures(t), "version-"+version)
}

// checkRepo writes a packaging repo pinned at version with recorded inputs
// and serves the authentik releases; it returns the repo dir.
func checkRepo(t *testing.T, version, toml string) string {
	t.Helper()
	srv := ghfake.New(t)
	for _, v := range []string{"2025.12.4", "2026.2.1", "2026.2.2"} {
		if err := srv.AddTree("goauthentik/authentik", "version/"+v, authentikFixture(t, v), checkFiles...); err != nil {
			t.Fatal(err)
		}
		srv.AddRelease("goauthentik/authentik", ghfake.Release{Tag: "version/" + v})
	}
	t.Setenv("GITHUB_API_URL", srv.URL)
	t.Setenv("GITHUB_TOKEN", "")
	dir := t.TempDir()
	inputs := map[string]string{}
	for _, f := range checkFiles {
		data, err := os.ReadFile(filepath.Join(authentikFixture(t, version), f))
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = pins.SRI(data)
	}
	sys := map[string]string{"x86_64-linux": "sha256-Uu7DxZSFuVCPuF8wT1+ftBJ66OMPl2GgTWzyPxgDP6Y=", "aarch64-linux": "sha256-XogorjqwdpEmyaUwcNFLQr/x1qT5nlFgCDzIc5JdSk4="}
	doc, _ := json.Marshal(map[string]any{"version": version, "hashes": map[string]any{
		"src": "sha256-xz0fNRQdcaj/6Bn6Bpzqz1kQP7R69CcRxsADsCvhz54=", "python-deps": sys, "webui-deps": sys, "server-vendor": "sha256-ZPMlwVgl8q+WrAt4Cgq1S57lcugKHQsMFOTamr56BMs="}, "inputs": inputs})
	os.MkdirAll(filepath.Join(dir, "nix"), 0o755)
	os.WriteFile(filepath.Join(dir, "nix", "sources.json"), doc, 0o644)
	os.WriteFile(filepath.Join(dir, "hashbot.toml"), []byte(toml), 0o644)
	return dir
}

func runCheck(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append([]string{"check", "--repo", dir, "--state-dir", filepath.Join(dir, ".state"), "--log-level", "warn"}, args...)
	code := cli.Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckCommand(t *testing.T) {
	t.Run("stale as JSON exits 10", func(t *testing.T) {
		dir := checkRepo(t, "2026.2.1", checkTOML)
		code, out, stderr := runCheck(t, dir, "--json")
		if code != cli.ExitStale {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, cli.ExitStale, stderr)
		}
		var got struct {
			Pinned, Candidate string
			Stale             map[string][]string
			Summaries         map[string]struct {
				RootVersionOnly bool `json:"root_version_only"`
				Bumped          []struct{ Name, From, To string }
			}
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		wantStale := map[string][]string{
			"src":         {"version moved 2026.2.1 -> 2026.2.2"},
			"python-deps": {"uv.lock changed", "pyproject.toml changed"},
			"webui-deps":  {"web/package-lock.json changed", "web/package.json changed"},
		}
		if diff := cmp.Diff(wantStale, got.Stale); diff != "" || got.Pinned != "2026.2.1" || got.Candidate != "2026.2.2" {
			t.Errorf("pinned %s candidate %s; stale (-want +got):\n%s", got.Pinned, got.Candidate, diff)
		}
		if !got.Summaries["web/package-lock.json"].RootVersionOnly || len(got.Summaries["uv.lock"].Bumped) == 0 {
			t.Errorf("summaries = %+v", got.Summaries)
		}
	})
	t.Run("stale as text", func(t *testing.T) {
		dir := checkRepo(t, "2026.2.1", checkTOML)
		code, out, _ := runCheck(t, dir)
		for _, want := range []string{"pinned:    2026.2.1", "candidate: 2026.2.2", "  python-deps\n    - uv.lock changed",
			"bumped django 5.2.11 → 5.2.12", "root version field only (2026.2.1 → 2026.2.2)"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if code != cli.ExitStale || strings.Contains(out, "server-vendor") {
			t.Errorf("exit %d; output:\n%s", code, out)
		}
	})
	t.Run("up to date exits 0", func(t *testing.T) {
		dir := checkRepo(t, "2026.2.2", checkTOML)
		code, out, stderr := runCheck(t, dir)
		if code != cli.ExitOK || !strings.Contains(out, "up to date") {
			t.Errorf("exit %d, output %q, stderr %q", code, out, stderr)
		}
	})
	t.Run("a bad tag-prefix is a usage error", func(t *testing.T) {
		dir := checkRepo(t, "2026.2.1", strings.Replace(checkTOML, `"version/"`, `"release-"`, 1))
		code, _, stderr := runCheck(t, dir)
		if code != cli.ExitUsage || !strings.Contains(stderr, `tag-prefix "release-"`) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("--version in branch mode is a usage error", func(t *testing.T) {
		dir := checkRepo(t, "2026.2.1", strings.Replace(checkTOML, `tag-prefix = "version/"`, `branch = "main"`, 1))
		code, _, stderr := runCheck(t, dir, "--version", "2026.2.2")
		if code != cli.ExitUsage || !strings.Contains(stderr, `branch = "main"`) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("a missing hashbot.toml is a usage error", func(t *testing.T) {
		code, _, stderr := runCheck(t, t.TempDir())
		if code != cli.ExitUsage || !strings.Contains(stderr, "hashbot.toml") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

func TestCheckTextOutput(t *testing.T) {
	dir := checkRepo(t, "2026.2.1", checkTOML)
	_, out, _ := runCheck(t, dir)
	out = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).ReplaceAllString(out, "https://github.com")
	want := `pinned:    2026.2.1
candidate: 2026.2.2  https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2

stale:
  python-deps
    - uv.lock changed
    - pyproject.toml changed
  src
    - version moved 2026.2.1 -> 2026.2.2
  webui-deps
    - web/package-lock.json changed
    - web/package.json changed

changes:
  pyproject.toml (python-deps): 3 lines added, 3 removed
  uv.lock (python-deps): 3 bumped
      bumped authentik 2026.2.1 → 2026.2.2
      bumped cryptography 46.0.4 → 46.0.5
      bumped django 5.2.11 → 5.2.12
  web/package-lock.json (webui-deps): root version field only (2026.2.1 → 2026.2.2); no dependency changed
  web/package.json (webui-deps): 1 line added, 1 removed

compare: https://github.com/goauthentik/authentik/compare/version/2026.2.1...version/2026.2.2
`
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("text output (-want +got):\n%s", diff)
	}
}
