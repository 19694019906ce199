package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pulls"
)

// TestTheCheckDecidesThePullRequestsState runs (and publishes applied
// pins) with each kind of check and looks at what reaches the publisher:
// the verdict, and the body's first line.
func TestTheCheckDecidesThePullRequestsState(t *testing.T) {
	built := func(sys string) fod.CheckResult {
		return fod.CheckResult{Attr: "assembled", System: sys, Status: fod.CheckBuilt}
	}
	failed := fod.CheckResult{Attr: "assembled", System: "x86_64-linux", Status: fod.CheckFailed, Failed: "authentik-worker",
		Message: "builder of authentik-worker failed with exit code 1", LogTail: []string{"error: no Cargo vendor FOD"}}
	tests := []struct {
		name        string
		publishOnly bool
		checks      []fod.CheckResult
		verdict     pulls.Verdict
		first       string
	}{
		{name: "no check leaves the state alone", verdict: pulls.VerdictNone, first: "Updates "},
		{name: "a failed check is said first, and drafts",
			checks: []fod.CheckResult{built("aarch64-linux"), failed}, verdict: pulls.VerdictFailed,
			first: "**The hashes are Nix's own, but `assembled` does not build on x86_64-linux at 2026.2.2: `authentik-worker` failed (below).**"},
		{name: "a check built everywhere says where",
			checks: []fod.CheckResult{built("aarch64-linux"), built("x86_64-linux")}, verdict: pulls.VerdictBuilt,
			first: "The hashes are Nix's own, and `assembled` built on aarch64-linux and x86_64-linux."},
		{name: "publish-only takes the checks apply merged", publishOnly: true,
			checks: []fod.CheckResult{built("aarch64-linux"), failed}, verdict: pulls.VerdictFailed,
			first: "**The hashes are Nix's own, but `assembled` does not build on x86_64-linux"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var out *Outcome
			var err error
			if tt.publishOnly {
				applied := strings.NewReplacer(`"2026.2.1"`, `"2026.2.2"`,
					"sha256-+1MS0G40tKK5VE9ZOWSoAxByRa7uV46vYq5zsOr/1hY=", newPyArm,
					"sha256-fsST2hZ5WxTUdGkF8KQ4Lj0vZHQwF/d0mxGQCkqdUwg=", newPyX86).Replace(basePins)
				if err := os.WriteFile(filepath.Join(f.work, "nix/sources.json"), []byte(applied), 0o644); err != nil {
					t.Fatal(err)
				}
				out, err = f.bot(t).PublishPins(t.Context(), RunOptions{Checks: tt.checks})
			} else {
				f.engine.checks = tt.checks
				out, err = f.bot(t).Run(t.Context(), RunOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.pub.published) != 1 {
				t.Fatalf("published %d pull requests", len(f.pub.published))
			}
			req := f.pub.published[0]
			if req.Verdict != tt.verdict {
				t.Errorf("verdict %q, want %q", req.Verdict, tt.verdict)
			}
			_, rest, _ := strings.Cut(req.Body, "\n\n")
			if !strings.HasPrefix(rest, tt.first) {
				t.Errorf("the body starts\n%.200s\nwant\n%s", rest, tt.first)
			}
			if len(out.Checks) != len(tt.checks) {
				t.Errorf("outcome checks %v, want %v", out.Checks, tt.checks)
			}
		})
	}
}
