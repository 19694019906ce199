package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

func TestUpdateInGitHubActionsFoldsTheLogAndWritesTheSummary(t *testing.T) {
	testutil.RequireNix(t)
	dir := updEngineRepo(t)
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	t.Setenv("HASHBOT_STATE_DIR", t.TempDir())
	res := updRun(t, "update", "--repo", dir, "--fod", "flat", "--fod", "fail", "--dry-run")
	if res.code != 3 {
		t.Fatalf("exit %d; want 3 (fail fails)\n%s", res.code, res.stderr)
	}
	for _, want := range []string{"::group::nix-build: build, layer 1", "::endgroup::", "::error file=nix/sources.json,title=fail%3A failed::"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| FOD | system | status | old | new |", "| flat | all | changed |", "| fail | all | failed |"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the job summary lacks %q:\n%s", want, data)
		}
	}
}
