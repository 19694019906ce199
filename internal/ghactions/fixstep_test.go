package ghactions_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionStepRunsFixPerSystem runs the composite action's script with
// a stand-in hashbot that records its arguments: fix-compute passes the
// job's system, and fix-apply takes every system's results (a directory
// or one file), its pull request number from them only when they all
// name the same one.
func TestActionStepRunsFixPerSystem(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq not installed (scripts/install-deps installs it)")
	}
	root := repoRoot(t)
	const head = "0123456789abcdef0123456789abcdef01234567"
	results := func(pr string) string { return `{"pull_request": ` + pr + `, "head": "` + head + `"}` }
	tests := []struct {
		name    string
		command string
		files   map[string]string // under the job's temp directory
		env     []string          // {temp} is the job's temp directory
		want    string            // hashbot's arguments; "" when it must not run
		wantErr string
	}{
		{name: "one system's compute", command: "fix-compute", env: []string{"INPUT_PULL_REQUEST=7", "INPUT_SYSTEM=aarch64-linux"},
			want: "fix --pr 7 --json --system aarch64-linux"},
		{name: "every system's results in a directory", command: "fix-apply",
			files: map[string]string{"fix/x86_64-linux.json": results("7"), "fix/aarch64-linux.json": results("7")},
			env:   []string{"INPUT_RESULTS={temp}/fix", "INPUT_EXPECT_HEAD=" + head}, want: "fix --pr 7 --apply {temp}/fix --expect-head " + head},
		{name: "one results file", command: "fix-apply", files: map[string]string{"results.json": results("7")},
			env: []string{"INPUT_RESULTS={temp}/results.json", "INPUT_EXPECT_HEAD=" + head}, want: "fix --pr 7 --apply {temp}/results.json --expect-head " + head},
		{name: "files naming different pull requests", command: "fix-apply",
			files: map[string]string{"fix/x86_64-linux.json": results("7"), "fix/aarch64-linux.json": results("8")},
			env:   []string{"INPUT_RESULTS={temp}/fix", "INPUT_EXPECT_HEAD=" + head}, wantErr: "no pull request number"},
		{name: "no results in the directory", command: "fix-apply", files: map[string]string{"fix/notes.txt": "x"},
			env: []string{"INPUT_RESULTS={temp}/fix", "INPUT_EXPECT_HEAD=" + head}, wantErr: "no results in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			temp := t.TempDir()
			argv := filepath.Join(temp, "argv")
			files := map[string]string{"hashbot-action/hashbot": "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGV_FILE\"\necho '{}'\n"}
			for name, content := range tt.files {
				files[name] = content
			}
			for name, content := range files {
				p := filepath.Join(temp, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(root, "scripts", "action-step"))
			cmd.Env = append(os.Environ(), "RUNNER_TEMP="+temp, "GITHUB_OUTPUT="+filepath.Join(temp, "output"), "ARGV_FILE="+argv, "INPUT_COMMAND="+tt.command)
			for _, kv := range tt.env {
				cmd.Env = append(cmd.Env, strings.ReplaceAll(kv, "{temp}", temp))
			}
			out, err := cmd.CombinedOutput()
			data, _ := os.ReadFile(argv)
			got := strings.Join(strings.Fields(string(data)), " ")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(string(out), tt.wantErr) || got != "" {
					t.Fatalf("action-step: %v, hashbot run with %q\n%s\nwant it refused: %s", err, got, out, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("action-step: %v\n%s", err, out)
			}
			if want := strings.ReplaceAll(tt.want, "{temp}", temp); got != want {
				t.Errorf("hashbot %s\nwant     %s", got, want)
			}
		})
	}
}
