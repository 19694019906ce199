package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestAppliedChecksAreTakenOnlyForTheirCommitAndVersion keeps the checks
// apply merged and reads them back as publish-only does: only for the
// commit and version they were built for, only for attributes hashbot.toml
// checks.
func TestAppliedChecksAreTakenOnlyForTheirCommitAndVersion(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dir, os.DirFS("../fod/testdata/engine/check-repo")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "-m", "x"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	report := &fod.Report{Checks: []fod.CheckResult{
		{Attr: "assembled", System: "x86_64-linux", Status: fod.CheckFailed, Failed: "app-worker"},
		{Attr: "assembled", System: "aarch64-linux", Status: fod.CheckBuilt},
	}}
	tests := []struct {
		name        string
		keepVersion string // the version apply kept them for
		readVersion string // the version of the pins publish-only commits
		moveHead    bool   // a commit after apply
		want        int    // checks taken
		warning     string
	}{
		{name: "the same commit and version", keepVersion: "1.0.0", readVersion: "1.0.0", want: 2},
		{name: "another version", keepVersion: "1.0.0", readVersion: "2.0.0", warning: "not taken"},
		{name: "another commit", keepVersion: "1.0.0", readVersion: "1.0.0", moveHead: true, warning: "no check results for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			f, _, _ := testFactory(nil)
			f.Repo, f.StateDir = dir, state
			cfg, err := f.config()
			if err != nil {
				t.Fatal(err)
			}
			commit, err := f.workingCommit(t.Context())
			if err != nil || commit == "" {
				t.Fatalf("working commit %q: %v", commit, err)
			}
			if err := keepAppliedChecks(f, commit, tt.keepVersion, fod.MergeChecks(cfg, []fod.NamedReport{{Name: "x.json", Report: report}})); err != nil {
				t.Fatal(err)
			}
			if tt.moveHead {
				if out, err := exec.Command("git", "-C", dir, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "--allow-empty", "-m", "y").CombinedOutput(); err != nil {
					t.Fatalf("%v %s", err, out)
				}
				f, _, _ = testFactory(nil) // a new run, the same state dir
				f.Repo, f.StateDir = dir, state
			}
			got, warning, err := readAppliedChecks(t.Context(), f, cfg, tt.readVersion)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || !strings.Contains(warning, tt.warning) || (tt.warning == "") != (warning == "") {
				t.Errorf("took %d checks with warning %q; want %d and %q", len(got), warning, tt.want, tt.warning)
			}
		})
	}
}

// TestUpdateInGitHubActionsSaysTheCheckFailed: a per-platform job's
// update annotates the check that failed, as a warning (its hashes stand
// and it exits 0), and puts the check in the job summary and its results.
func TestUpdateInGitHubActionsSaysTheCheckFailed(t *testing.T) {
	testutil.RequireNix(t)
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dir, os.DirFS("../fod/testdata/engine/check-repo")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nix", "worker-broken"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	t.Setenv("HASHBOT_STATE_DIR", t.TempDir())
	res := updRun(t, "update", "--repo", dir, "--system", "x86_64-linux", "--json", "--dry-run")
	if res.code != 0 {
		t.Fatalf("exit %d; want 0 (the hashes are right)\n%s", res.code, res.stderr)
	}
	if want := "::warning title=assembled (x86_64-linux)%3A does not build::builder of app-worker failed"; !strings.Contains(res.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
	}
	if want := `"failed": "app-worker"`; !strings.Contains(res.stdout, want) {
		t.Errorf("the results lack %q:\n%s", want, res.stdout)
	}
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if want := "| assembled | x86_64-linux | failed | app-worker |"; !strings.Contains(string(data), want) {
		t.Errorf("the job summary lacks %q:\n%s", want, data)
	}
}
