package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFixFlags(t *testing.T) {
	const head = "0123456789abcdef0123456789abcdef01234567"
	testFlags(t, newFixCmd, []flagCase[fixOptions]{
		{name: "compute and push", args: []string{"--pr", "42"}, want: fixOptions{PR: 42}},
		{name: "the computing half", args: []string{"--pr", "42", "--json"}, want: fixOptions{PR: 42, JSON: true}},
		{name: "the pushing half, bound to the computing run's head", args: []string{"--pr", "42", "--apply", "r.json", "--expect-head", head},
			want: fixOptions{PR: 42, Apply: []string{"r.json"}, ExpectHead: head}},
		{name: "one computing job's system", args: []string{"--pr", "42", "--json", "--system", "aarch64-linux"},
			want: fixOptions{PR: 42, JSON: true, Systems: []string{"aarch64-linux"}}},
		{name: "every system's results", args: []string{"--pr", "42", "--apply", "x86_64-linux.json", "--apply", "results/"},
			want: fixOptions{PR: 42, Apply: []string{"x86_64-linux.json", "results/"}}},
		{name: "one system's hashes pushed", args: []string{"--pr", "1", "--system", "x86_64-linux"}, wantErr: "--system computes one job's share", wantUsage: true},
		{name: "a system for the pushing half", args: []string{"--pr", "1", "--apply", "r.json", "--system", "x86_64-linux"}, wantErr: "--system computes one job's share", wantUsage: true},
		{name: "no pull request", args: []string{"--dry-run"}, wantErr: "--pr: the pull request's number is required", wantUsage: true},
		{name: "both halves at once", args: []string{"--pr", "1", "--json", "--apply", "r.json"}, wantErr: "one or the other", wantUsage: true},
		{name: "apply builds nothing", args: []string{"--pr", "1", "--apply", "r.json", "--verify"}, wantErr: "--apply builds nothing", wantUsage: true},
		{name: "an expected head without results", args: []string{"--pr", "1", "--expect-head", head}, wantErr: "checks the results of --apply", wantUsage: true},
		{name: "the base moved", args: []string{"--base-moved", "--dry-run", "--json"}, want: fixOptions{BaseMoved: true, DryRun: true, JSON: true}},
		{name: "the base moved, and one pull request named", args: []string{"--base-moved", "--pr", "1"}, wantErr: "--pr does not go with it", wantUsage: true},
		{name: "the base moved, and results to apply", args: []string{"--base-moved", "--apply", "r.json"}, wantErr: "--apply does not go with it", wantUsage: true},
		{name: "an expected head that is no commit", args: []string{"--pr", "1", "--apply", "r.json", "--expect-head", "main"}, wantErr: "want a full commit id", wantUsage: true},
	})
}

// TestFixApplyReadsEveryResultsFile: --apply takes files and directories
// of them (the compute jobs' artifacts), each read strictly, and refuses
// what a hostile artifact could put there instead.
func TestFixApplyReadsEveryResultsFile(t *testing.T) {
	results := func(system string) string {
		return `{"schema": 1, "pull_request": 7, "head": "0123456789abcdef0123456789abcdef01234567", "systems": ["` + system +
			`"], "stale": {}, "report": {"schema": 1, "results": []}}`
	}
	tests := []struct {
		name    string
		files   map[string]string // relative path -> content; "->x" makes a symbolic link to x
		args    []string
		want    []string // the names read, with their systems
		wantErr string
	}{
		{name: "a directory of every system's file", files: map[string]string{"r/x86_64-linux.json": results("x86_64-linux"), "r/aarch64-linux.json": results("aarch64-linux"), "r/notes.txt": "x"},
			args: []string{"r"}, want: []string{"r/aarch64-linux.json aarch64-linux", "r/x86_64-linux.json x86_64-linux"}},
		{name: "files named one by one, once each", files: map[string]string{"a.json": results("x86_64-linux"), "b.json": results("aarch64-linux")},
			args: []string{"b.json", "a.json", "./a.json"}, want: []string{"a.json x86_64-linux", "b.json aarch64-linux"}},
		{name: "an empty directory", files: map[string]string{"r/notes.txt": "x"}, args: []string{"r"}, wantErr: "no *.json results in the directory"},
		{name: "a symbolic link in the directory", files: map[string]string{"secret": "{}", "r/x86_64-linux.json": "->../secret"},
			args: []string{"r"}, wantErr: `"x86_64-linux.json" is not a regular file`},
		{name: "a field hashbot does not write", files: map[string]string{"a.json": strings.Replace(results("x86_64-linux"), `"stale"`, `"push_to": "main", "stale"`, 1)},
			args: []string{"a.json"}, wantErr: `unknown field "push_to"`},
		{name: "no such file", args: []string{"missing.json"}, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			for name, content := range tt.files {
				_ = os.MkdirAll(filepath.Dir(name), 0o755)
				var err error
				if target, ok := strings.CutPrefix(content, "->"); ok {
					err = os.Symlink(target, name)
				} else {
					err = os.WriteFile(name, []byte(content), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			sets, err := readFixResultsSets(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readFixResultsSets = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range sets {
				got = append(got, s.Name+" "+strings.Join(s.Results.Systems, ","))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
