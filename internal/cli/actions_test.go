package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/cli"
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

// ciCall is a hashbot command line that .github/workflows/hashbot.yml or
// action.yml runs: a piece of the file's text and the arguments it amounts
// to, with shell variables filled in.
type ciCall struct {
	snippet string
	argv    []string
}

var ciCalls = map[string][]ciCall{
	".github/workflows/hashbot.yml": {
		{`args=(check --json)`, []string{"check", "--json"}},
		{`args+=(--version "$REQUESTED_VERSION")`, []string{"check", "--json", "--version", "2026.2.2"}},
		{`bin/hashbot "${args[@]}"`, []string{"check", "--json"}},
		{`for fod in $FODS; do args+=(--fod "$fod"); done`, []string{"update", "--fod", "python-deps", "--fod", "src"}},
		{`bin/hashbot update --system "$SYSTEM" --set-version "$VERSION" "${args[@]}" --json`,
			[]string{"update", "--system", "aarch64-linux", "--set-version", "2026.2.2", "--fod", "src", "--json"}},
		{`bin/hashbot apply --set-version "$VERSION" "${args[@]}" results/*.json`,
			[]string{"apply", "--set-version", "2026.2.2", "--fod", "src", "results/x86_64-linux.json", "results/aarch64-linux.json"}},
		{`bin/hashbot run --publish-only --dry-run`, []string{"run", "--publish-only", "--dry-run"}},
		{`bin/hashbot run --publish-only`, []string{"run", "--publish-only"}},
	},
	"action.yml": {
		{`if [ -n "$INPUT_VERSION" ]; then args+=(--version "$INPUT_VERSION"); fi`,
			[]string{"run", "--version", "2026.2.2", "--dry-run"}},
		{`if [ "$INPUT_COMMAND" = check ]; then args+=(--json); fi`, []string{"check", "--json", "--version", "2026.2.2"}},
		{`if [ -n "$INPUT_SYSTEM" ]; then args+=(--system "$INPUT_SYSTEM"); fi`,
			[]string{"update", "--json", "--system", "x86_64-linux", "--set-version", "2026.2.2", "--dry-run"}},
		{`args+=(--set-version "$INPUT_VERSION")`, []string{"update", "--set-version", "2026.2.2"}},
	},
}

// TestCIFilesCallHashbotAsItIs checks that every hashbot command line in the
// workflow and the composite action names a command and flags hashbot has:
// cobra refuses an unknown flag even with --help.
func TestCIFilesCallHashbotAsItIs(t *testing.T) {
	root := filepath.Join("..", "..")
	for file, calls := range ciCalls {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, c := range calls {
			t.Run(file+": "+strings.Join(c.argv, " "), func(t *testing.T) {
				if !strings.Contains(text, c.snippet) {
					t.Fatalf("%s no longer contains %q: update this table", file, c.snippet)
				}
				if r := updRun(t, append(c.argv, "--help")...); r.code != 0 {
					t.Errorf("hashbot %s: exit %d\n%s", strings.Join(c.argv, " "), r.code, r.stderr)
				}
			})
		}
		// Every hashbot call in the workflow is in the table above.
		for _, line := range strings.Split(text, "\n") {
			if !strings.Contains(line, "bin/hashbot ") || strings.Contains(line, "go build") {
				continue
			}
			if !slices.ContainsFunc(calls, func(c ciCall) bool { return strings.Contains(line, c.snippet) }) {
				t.Errorf("%s runs %q, which this test does not check", file, strings.TrimSpace(line))
			}
		}
	}
	data, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "hashbot.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d) stale=true", cli.ExitStale); !strings.Contains(string(data), want) {
		t.Errorf("the check job does not read exit status %d as stale (%q)", cli.ExitStale, want)
	}
}
