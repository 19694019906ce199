package gitops

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

func TestBranchNameFromHostileTags(t *testing.T) {
	tests := []struct {
		prefix, name, version string
		want                  string // "" = a *BranchNameError
	}{
		{"hashbot/", "authentik", "2026.2.2", "hashbot/authentik-2026.2.2"},
		{"bot/", "authentik", "v2026.2.2-rc1", "bot/authentik-v2026.2.2-rc1"},
		{"hashbot/", "authentik", "version/2026.2.2", "hashbot/authentik-version-2026.2.2"},
		{"hashbot/", "authentik", "1.0+build.5", "hashbot/authentik-1.0+build.5"},
		{"hashbot/", "authentik", "../../etc/passwd", "hashbot/authentik-etc-passwd"},
		{"hashbot/", "authentik", "1..2", "hashbot/authentik-1.2"},
		{"hashbot/", "authentik", "1.0 beta", "hashbot/authentik-1.0-beta"},
		{"hashbot/", "authentik", "1.0\n2.0\x00\x7f", "hashbot/authentik-1.0-2.0"},
		{"hashbot/", "authentik", "--force", "hashbot/authentik-force"},
		{"hashbot/", "authentik", "-", ""},
		{"hashbot/", "authentik", "HEAD@{1}", "hashbot/authentik-HEAD-1"},
		{"hashbot/", "authentik", "a~1^2:3?4*5[6\\7", "hashbot/authentik-a-1-2-3-4-5-6-7"},
		{"hashbot/", "authentik", "1.0.lock", "hashbot/authentik-1.0"},
		{"hashbot/", "authentik", "1.0/", "hashbot/authentik-1.0"},
		{"hashbot/", "authentik", "1.0.", "hashbot/authentik-1.0"},
		{"hashbot/", "authentik", ".hidden", "hashbot/authentik-hidden"},
		{"hashbot/", "authentik", "@", ""},
		{"hashbot/", "authentik", "", ""},
		{"hashbot/", "authentik", "...", ""},
		{"hashbot/", "authentik", "$(rm -rf ~)", "hashbot/authentik-rm-rf"},
		{"hashbot/", "authentik", "ünïcode-1", "hashbot/authentik-n-code-1"},
		{"hashbot/", "authentik", strings.Repeat("1", 101), ""},
		{"hashbot/", "", "1.0", ""},
		{"hashbot/", "../x", "1.0", "hashbot/x-1.0"},
		{"-bad/", "authentik", "1.0", ""},
		{"a..b/", "authentik", "1.0", ""},
		{"bad prefix/", "authentik", "1.0", ""},
		{"", "authentik", "1.0", ""}, // no prefix: config gives the default
	}
	testutil.RequireGit(t)
	for _, tt := range tests {
		t.Run(tt.prefix+"|"+tt.name+"|"+tt.version, func(t *testing.T) {
			got, err := BranchName(tt.prefix, tt.name, tt.version)
			if tt.want == "" {
				if !errors.Is(err, ErrBadBranchName) {
					t.Fatalf("BranchName = %q, %v; want ErrBadBranchName", got, err)
				}
				var be *BranchNameError
				if !errors.As(err, &be) {
					t.Fatalf("error %T is not a *BranchNameError", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("BranchName = %q, %v; want %q", got, err, tt.want)
			}
			if !gitAcceptsBranch(t, got) {
				t.Errorf("git check-ref-format refuses %q", got)
			}
		})
	}
}

// TestCheckBranchNameAgreesWithGit checks names against git check-ref-format
// --branch: CheckBranchName accepts exactly what git accepts, except "@",
// which git takes as a branch name but which reads as HEAD.
func TestCheckBranchNameAgreesWithGit(t *testing.T) {
	testutil.RequireGit(t)
	names := []string{
		"hashbot/authentik-1.0", "main", "a/b/c", "-x", "a..b", "a b", "a\tb", "a~b", "a^b", "a:b",
		"a?b", "a*b", "a[b", `a\b`, "a@{b", "a@b", "a/", "/a", "a//b", "a.", "a/.b", ".a",
		"a.lock", "a.lock/b", "a/b.lock", "a\x7fb", "v1.0+meta", "x.lock.y",
	}
	if CheckBranchName("@") == nil {
		t.Error(`CheckBranchName("@") accepts it`)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want := gitAcceptsBranch(t, name)
			if got := CheckBranchName(name) == nil; got != want {
				t.Errorf("CheckBranchName(%q) accepts = %v, git accepts = %v", name, got, want)
			}
		})
	}
}

func gitAcceptsBranch(t *testing.T, name string) bool {
	t.Helper()
	cmd := exec.Command("git", "check-ref-format", "--branch", name)
	cmd.Dir = t.TempDir() // outside any repository: @{-N} cannot resolve
	return cmd.Run() == nil
}
