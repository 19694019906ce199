package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/fod"
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
			if _, err := keepAppliedChecks(f, cfg, commit, tt.keepVersion, []fod.NamedReport{{Name: "x.json", Report: report}}); err != nil {
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
