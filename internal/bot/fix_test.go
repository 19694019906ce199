package bot

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/fod"
)

const (
	fixHead = "0123456789abcdef0123456789abcdef01234567"
	realSRI = "sha256-gnwkDGMDhVn7ETh/dFvq/SxQIihwBw7Az0dxugisQ0o="
)

func TestCheckFixResultsRefusesWhatThePlanDoesNotName(t *testing.T) {
	fp := &fixPlan{stale: map[string][]string{"vendor": {"go.sum changed"}}}
	raw, _ := hex.DecodeString(fixHead)
	copy(fp.head[:], raw)
	good := func() *FixResults {
		return &FixResults{Schema: FixResultsSchema, PullRequest: 7, Head: fixHead, Report: &fod.Report{Commit: fixHead,
			Results: []fod.TargetResult{{FOD: "vendor", Status: fod.StatusChanged, New: realSRI}}}}
	}
	tests := []struct {
		name   string
		tamper func(r *FixResults)
		want   string // "" accepts
	}{
		{"the plan's FOD on the head", func(*FixResults) {}, ""},
		{"another pull request", func(r *FixResults) { r.PullRequest = 8 }, "for pull request #8, not #7"},
		{"another head", func(r *FixResults) { r.Head = strings.Repeat("f", 40) }, `computed on "ffffffffffff"`},
		{"the report on another commit", func(r *FixResults) { r.Report.Commit = strings.Repeat("e", 40) }, `computed on "0123456789ab"`},
		{"an FOD the plan does not name stale", func(r *FixResults) { r.Report.Results[0].FOD = "web" }, `the FOD "web", which hashbot's plan does not name stale`},
		{"a fake hash", func(r *FixResults) {
			r.Report.Results[0].New = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
		}, "a fake hash"},
		{"a sha1 hash", func(r *FixResults) { r.Report.Results[0].New = "sha1-AAECAwQFBgcICQoLDA0ODxAREhM=" }, "hashes.vendor"},
		{"a flake.lock", func(r *FixResults) { r.Report.FlakeLock = []byte("{}") }, "fix writes FOD hashes only"},
		{"another schema", func(r *FixResults) { r.Schema = 2 }, "schema 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good()
			tt.tamper(r)
			err := checkFixResults(r, 7, fp)
			var re *ResultsError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("checkFixResults = %v, want nil", err)
			case tt.want != "" && (!errors.As(err, &re) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("checkFixResults = %v, want a *ResultsError containing %q", err, tt.want)
			}
		})
	}
}

func TestFixCommentFencesThePatchPastItsBackticks(t *testing.T) {
	report := &fod.Report{Results: []fod.TargetResult{{FOD: "vendor", Status: fod.StatusChanged, New: realSRI}}}
	tests := []struct {
		name, diff, fence string
	}{
		{"a plain patch", "--- a/default.nix\n+++ b/default.nix\n", "```diff\n"},
		{"a patch holding a fence of its own", "-  # ```\n+  # ````\n", "`````diff\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := fixComment(fixHead, report, tt.diff)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(body, tt.fence+tt.diff+strings.TrimSuffix(tt.fence, "diff\n")+"\n") {
				t.Errorf("comment:\n%s\nwant the patch in %q", body, tt.fence)
			}
			if !strings.Contains(body, "0123456789ab: vendor changed") {
				t.Errorf("comment:\n%s\nwant the head and the FOD named", body)
			}
		})
	}
}
