package nixcmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRunStreamsStderrAndCapturesStdout(t *testing.T) {
	var lines []string
	out, err := New(Options{}).Run(t.Context(), Command{
		Name:   "sh",
		Args:   []string{"-c", `echo out; printf 'one\r\ntwo\nthree' >&2`},
		Stderr: func(l []byte) { lines = append(lines, string(l)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out.Stdout); got != "out\n" {
		t.Errorf("stdout = %q", got)
	}
	want := []string{"one", "two", "three"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("stderr lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, out.StderrTail); diff != "" {
		t.Errorf("tail (-want +got):\n%s", diff)
	}
}

func TestRunNonZeroExitIsExitError(t *testing.T) {
	_, err := New(Options{TailLines: 2}).Run(t.Context(), Command{
		Name: "sh",
		Args: []string{"-c", `echo a >&2; echo 'error: boom' >&2; echo '  detail' >&2; exit 7`},
	})
	var ee *ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v, want *ExitError", err)
	}
	if ee.ExitCode != 7 || ee.Name != "sh" {
		t.Errorf("got code %d name %q", ee.ExitCode, ee.Name)
	}
	if diff := cmp.Diff([]string{"error: boom", "  detail"}, ee.StderrTail); diff != "" {
		t.Errorf("tail (-want +got):\n%s", diff)
	}
	if !strings.Contains(ee.Error(), "error: boom detail") {
		t.Errorf("message %q lacks the error line", ee.Error())
	}
}

func TestRunMissingProgramIsNotFoundError(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := New(Options{}).Run(t.Context(), Command{Name: "nix-build"})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Name != "nix-build" {
		t.Fatalf("err = %v, want *NotFoundError for nix-build", err)
	}
	if !strings.Contains(err.Error(), "nix-build not found on PATH") {
		t.Errorf("message %q", err.Error())
	}
}

// TestRunCancelKillsProcessGroup starts a shell with a background child
// (as Nix starts builders) and checks that cancelling kills both.
func TestRunCancelKillsProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := New(Options{KillGrace: time.Second}).Run(ctx, Command{
		Name: "sh",
		Args: []string{"-c", `sleep 60 & echo $! > ` + pidFile + `; trap '' TERM; wait`},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Run returned after %v", d)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("child %d still alive after cancel", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestReadLinesTruncatesHugeLines(t *testing.T) {
	in := strings.Repeat("x", maxLine+100) + "\nshort\n"
	var got []int
	if err := readLines(strings.NewReader(in), func(l []byte) { got = append(got, len(l)) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{maxLine, 5}, got); diff != "" {
		t.Errorf("line lengths (-want +got):\n%s", diff)
	}
}

func TestFilterEnvWithholdsSecrets(t *testing.T) {
	environ := []string{
		"PATH=/bin", "HOME=/root", "NIX_CONFIG=x", "NIX_REMOTE=daemon", "LC_ALL=C", "https_proxy=http://p:3128",
		"GITHUB_TOKEN=ghp_x", "GH_TOKEN=y", "HASHBOT_WEBHOOK_SECRET=s", "AWS_SECRET_ACCESS_KEY=a", "NPM_TOKEN=n", "odd",
	}
	tests := []struct {
		name  string
		extra []string
		want  []string
	}{
		{"the allow-list", nil, []string{"PATH=/bin", "HOME=/root", "NIX_CONFIG=x", "NIX_REMOTE=daemon", "LC_ALL=C", "https_proxy=http://p:3128"}},
		{"a user's own variable", []string{"NPM_TOKEN"}, []string{"PATH=/bin", "HOME=/root", "NIX_CONFIG=x", "NIX_REMOTE=daemon", "LC_ALL=C", "https_proxy=http://p:3128", "NPM_TOKEN=n"}},
		{"never the token, even when asked", []string{"GITHUB_TOKEN", "HASHBOT_WEBHOOK_SECRET"}, []string{"PATH=/bin", "HOME=/root", "NIX_CONFIG=x", "NIX_REMOTE=daemon", "LC_ALL=C", "https_proxy=http://p:3128"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FilterEnv(environ, tt.extra)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
