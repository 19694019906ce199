package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghactions"
	"github.com/hashbot-nix/hashbot/internal/testutil"
	"github.com/hashbot-nix/hashbot/internal/upstream"
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
	for _, want := range []string{"| FOD | system | status | old | new |", "| flat | all systems | changed |", "| fail | all systems | failed |"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the job summary lacks %q:\n%s", want, data)
		}
	}
}

// ciCall is a hashbot command line that the composite action's script
// (scripts/action-step, which the reusable workflow runs for every hashbot
// step) builds: a piece of its text and the arguments it amounts to, with
// shell variables filled in.
type ciCall struct {
	snippet string
	argv    []string
}

var ciCalls = []ciCall{
	{`args=(run)`, []string{"run"}},
	{`args+=(--version "$INPUT_VERSION")`, []string{"run", "--version", "2026.2.2"}},
	{`args=(check --json --pull-requests)`, []string{"check", "--json", "--pull-requests", "--version", "2026.2.2"}},
	{`args=(update --json)`, []string{"update", "--json"}},
	{`args+=(--system "$INPUT_SYSTEM")`, []string{"update", "--json", "--system", "x86_64-linux"}},
	{`args+=(--set-version "$INPUT_VERSION")`, []string{"update", "--set-version", "2026.2.2"}},
	{`words "${INPUT_FODS:-}" --fod`, []string{"update", "--fod", "python-deps", "--fod", "src"}},
	{`words "${INPUT_SOURCES:-}" --source`, []string{"update", "--source", "nixpkgs=3f1c2a9b0d4e5f60718293a4b5c6d7e8f9012345"}},
	{`args=(apply)`, []string{"apply", "--set-version", "2026.2.2", "--fod", "src", "results/x86_64-linux.json"}},
	{`args=(run --publish-only)`, []string{"run", "--publish-only"}},
	{`args+=(--allow-downgrade)`, []string{"run", "--version", "2025.12.5", "--allow-downgrade"}},
	{`args+=(--allow-downgrade)`, []string{"check", "--json", "--pull-requests", "--version", "2025.12.5", "--allow-downgrade"}},
	{`args+=(--allow-downgrade)`, []string{"update", "--set-version", "2025.12.5", "--allow-downgrade"}},
	{`args+=(--allow-downgrade)`, []string{"apply", "--set-version", "2025.12.5", "results/x86_64-linux.json", "--allow-downgrade"}},
	{`args+=(--allow-downgrade)`, []string{"run", "--publish-only", "--allow-downgrade"}},
	{`run | update | apply | publish | fix-apply | fix-refresh) args+=(--dry-run)`, []string{"apply", "--dry-run", "results/x86_64-linux.json"}},
	{`args=(fix --base-moved)`, []string{"fix", "--base-moved", "--dry-run"}},
	{`args=(fix --pr "$pr")`, []string{"fix", "--pr", "42"}},
	{`args+=(--json)`, []string{"fix", "--pr", "42", "--json"}},
	{`args+=(--system "$INPUT_SYSTEM")`, []string{"fix", "--pr", "42", "--json", "--system", "aarch64-linux"}},
	{`args+=(--apply "$INPUT_RESULTS" --expect-head "$INPUT_EXPECT_HEAD")`,
		[]string{"fix", "--pr", "42", "--apply", "results.json", "--expect-head", "0123456789abcdef0123456789abcdef01234567", "--dry-run"}},
	{`args+=(--apply "$INPUT_RESULTS" --expect-head "$INPUT_EXPECT_HEAD")`,
		[]string{"fix", "--pr", "42", "--apply", "hashbot-fix", "--expect-head", "0123456789abcdef0123456789abcdef01234567"}},
}

// TestCIFilesCallHashbotAsItIs checks that every hashbot command line the
// action's script builds names a command and flags hashbot has: cobra
// refuses an unknown flag even with --help.
func TestCIFilesCallHashbotAsItIs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "scripts", "action-step"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, c := range ciCalls {
		t.Run(strings.Join(c.argv, " "), func(t *testing.T) {
			if !strings.Contains(text, c.snippet) {
				t.Fatalf("scripts/action-step no longer contains %q: update this table", c.snippet)
			}
			if r := updRun(t, append(c.argv, "--help")...); r.code != 0 {
				t.Errorf("hashbot %s: exit %d\n%s", strings.Join(c.argv, " "), r.code, r.stderr)
			}
		})
	}
	// Every command the script can run is in the table above.
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "args=(") && !strings.Contains(line, "args=()") && !slices.ContainsFunc(ciCalls, func(c ciCall) bool { return strings.Contains(line, c.snippet) }) {
			t.Errorf("scripts/action-step builds %q, which this test does not check", strings.TrimSpace(line))
		}
	}
	if want := fmt.Sprintf("%d) stale=true", ExitStale); !strings.Contains(text, want) {
		t.Errorf("the check step does not read exit status %d as stale (%q)", ExitStale, want)
	}
}

// TestActionsAnnotateWhatTheCheckFoundBeside: in GitHub Actions, a lock
// file no FOD reads and a warning of the check (advisories out of reach)
// are annotations of the run, not only lines in its log.
func TestActionsAnnotateWhatTheCheckFoundBeside(t *testing.T) {
	var buf strings.Builder
	gha := ghactions.New(ghactions.Options{Out: &buf, LookupEnv: func(k string) (string, bool) {
		if k == "GITHUB_ACTIONS" {
			return "true", true
		}
		return "", false
	}})
	out := &bot.Outcome{Candidate: "2026.5.6", UnclaimedLocks: []upstream.LockFile{{Path: "Cargo.lock", New: true}},
		Warnings: []string{"the security advisories of o/r are not readable (403 Forbidden): no advisory is listed"}}
	reportToActions(gha, &config.Config{}, out, nil)
	for _, want := range []string{
		"::warning file=hashbot.toml,title=hashbot%3A a lock file no FOD reads::upstream 2026.5.6 added `Cargo.lock`; no FOD reads it",
		"::warning title=hashbot::the security advisories of o/r are not readable (403 Forbidden): no advisory is listed",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("annotations lack %q:\n%s", want, buf.String())
		}
	}
}
