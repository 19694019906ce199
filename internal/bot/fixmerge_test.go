package bot

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
)

const (
	armSRI   = "sha256-3ff/Xr2dZs4WFGbBwCYkMPoE3jKw5CDuP0ieLiES44Y="
	otherSRI = "sha256-2SmKENGwc1g33EvYXaxkGw887yekfl1TpU8vP1svz/o="
	x86      = "x86_64-linux"
	arm      = "aarch64-linux"
)

// TestMergeFixResultsTakesOneFilePerSystem: the pushing half merges the
// compute jobs' files (one per system) as apply merges, and refuses a
// set that does not make exactly one whole answer to its own plan.
func TestMergeFixResultsTakesOneFilePerSystem(t *testing.T) {
	fp := &fixPlan{
		stale: map[string][]string{"vendor": {"go.sum changed"}, "src": {"src.nix changed"}},
		cfg: &config.Config{FODs: map[string]config.FOD{
			"vendor": {Name: "vendor", Systems: []string{x86, arm}},
			"src":    {Name: "src"},
		}},
	}
	raw, _ := hex.DecodeString(fixHead)
	copy(fp.head[:], raw)
	file := func(name string, systems []string, results ...fod.TargetResult) NamedFixResults {
		return NamedFixResults{Name: name, Results: &FixResults{Schema: FixResultsSchema, PullRequest: 7, Head: fixHead, Systems: systems,
			Report: &fod.Report{Commit: fixHead, Results: results}}}
	}
	vendor := func(sys, hash string) fod.TargetResult {
		return fod.TargetResult{FOD: "vendor", System: sys, PerSystem: true, Status: fod.StatusChanged, New: hash}
	}
	src := func(sys, hash string) fod.TargetResult {
		return fod.TargetResult{FOD: "src", System: sys, Status: fod.StatusChanged, New: hash}
	}
	x86File := func() NamedFixResults {
		return file("x86.json", []string{x86}, src(x86, otherSRI), vendor(x86, realSRI))
	}
	armFile := func() NamedFixResults {
		return file("arm.json", []string{arm}, src(arm, otherSRI), vendor(arm, armSRI))
	}
	merged := []string{"src/=" + otherSRI, "vendor/aarch64-linux=" + armSRI, "vendor/x86_64-linux=" + realSRI}
	tests := []struct {
		name       string
		sets       func() []NamedFixResults
		expectHead string
		want       []string // fod/system=hash, when accepted
		refused    string
		incomplete bool // refused as a *fod.MergeError with missing targets only
	}{
		{name: "one file per system", sets: func() []NamedFixResults { return []NamedFixResults{x86File(), armFile()} }, want: merged},
		{name: "one file computing every system", sets: func() []NamedFixResults {
			return []NamedFixResults{file("all.json", nil, src(x86, otherSRI), vendor(arm, armSRI), vendor(x86, realSRI))}
		}, want: merged},
		{name: "bound to the computing run's head", expectHead: fixHead,
			sets: func() []NamedFixResults { return []NamedFixResults{x86File(), armFile()} }, want: merged},
		{name: "no file", sets: func() []NamedFixResults { return nil }, refused: "no results file"},
		{name: "a system missing", sets: func() []NamedFixResults { return []NamedFixResults{x86File()} },
			refused: "incomplete results: vendor (aarch64-linux): in no results file", incomplete: true},
		{name: "a system that failed", sets: func() []NamedFixResults {
			f := armFile()
			f.Results.Report.Results[1] = fod.TargetResult{FOD: "vendor", System: arm, PerSystem: true, Status: fod.StatusFailed}
			return []NamedFixResults{x86File(), f}
		}, refused: "vendor (aarch64-linux): failed in arm.json", incomplete: true},
		{name: "two files for one system", sets: func() []NamedFixResults {
			return []NamedFixResults{x86File(), file("x86-again.json", []string{x86}, src(x86, otherSRI), vendor(x86, realSRI)), armFile()}
		}, refused: `x86.json and x86-again.json both computed "x86_64-linux"`},
		{name: "a file for every system beside one for a system", sets: func() []NamedFixResults {
			return []NamedFixResults{x86File(), file("all.json", nil, src(x86, otherSRI), vendor(arm, armSRI), vendor(x86, realSRI))}
		}, refused: "x86.json and all.json computed the same system"},
		{name: "a hash for a system its file did not compute", sets: func() []NamedFixResults {
			return []NamedFixResults{file("x86.json", []string{x86}, src(x86, otherSRI), vendor(x86, realSRI), vendor(arm, armSRI))}
		}, refused: "x86.json: computed for x86_64-linux, it has a hash for vendor (aarch64-linux)"},
		{name: "a system the plan does not configure", sets: func() []NamedFixResults {
			return []NamedFixResults{x86File(), armFile(), file("riscv.json", []string{"riscv64-linux"}, src("riscv64-linux", otherSRI), vendor("riscv64-linux", armSRI))}
		}, refused: `riscv.json has vendor for system "riscv64-linux", which hashbot.toml does not list for it`},
		{name: "files of different heads", sets: func() []NamedFixResults {
			f := armFile()
			f.Results.Head, f.Results.Report.Commit = strings.Repeat("f", 40), strings.Repeat("f", 40)
			return []NamedFixResults{x86File(), f}
		}, refused: `arm.json: they were computed on "ffffffffffff"`},
		{name: "files of different pull requests", sets: func() []NamedFixResults {
			f := armFile()
			f.Results.PullRequest = 8
			return []NamedFixResults{x86File(), f}
		}, refused: "arm.json: they are for pull request #8, not #7"},
		{name: "another head than the computing run's", expectHead: strings.Repeat("e", 40),
			sets: func() []NamedFixResults { return []NamedFixResults{x86File(), armFile()} }, refused: "x86.json: they name the head"},
		{name: "a fake hash in one file", sets: func() []NamedFixResults {
			f := armFile()
			f.Results.Report.Results[1].New = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
			return []NamedFixResults{x86File(), f}
		}, refused: "arm.json: hashes.vendor.aarch64-linux"},
		{name: "an FOD the plan does not name stale", sets: func() []NamedFixResults {
			f := armFile()
			f.Results.Report.Results[0].FOD = "web"
			return []NamedFixResults{x86File(), f}
		}, refused: `arm.json: they name the FOD "web"`},
		{name: "the system-independent FOD's hashes disagree", sets: func() []NamedFixResults {
			f := armFile()
			f.Results.Report.Results[0].New = realSRI
			return []NamedFixResults{x86File(), f}
		}, refused: "src: " + otherSRI + " from x86.json vs " + realSRI + " from arm.json"},
		{name: "no result at all for a stale FOD", sets: func() []NamedFixResults {
			a, b := x86File(), armFile()
			a.Results.Report.Results, b.Results.Report.Results = a.Results.Report.Results[1:], b.Results.Report.Results[1:]
			return []NamedFixResults{a, b}
		}, refused: "no result for src, which hashbot's plan names stale (src.nix changed)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := mergeFixResults(FixRequest{Number: 7, Results: tt.sets(), ExpectHead: tt.expectHead}, fp)
			if tt.refused != "" {
				var (
					re *ResultsError
					me *fod.MergeError
				)
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("mergeFixResults = %v, want a *ResultsError containing %q", err, tt.refused)
				}
				if got := errors.As(err, &me) && len(me.Conflicts) == 0; got != tt.incomplete {
					t.Errorf("refused as incomplete (a *fod.MergeError of missing targets): %v, want %v", got, tt.incomplete)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range report.Results {
				got = append(got, r.FOD+"/"+r.PinSystem()+"="+r.New)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || report.Commit != fixHead {
				t.Errorf("merged on %s (-want +got):\n%s", report.Commit, diff)
			}
		})
	}
}
