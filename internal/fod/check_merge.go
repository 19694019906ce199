package fod

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
)

// checkRank orders the outcomes of one attribute and system reported by
// several results files: a failure found anywhere is said, then a build.
var checkRank = map[CheckStatus]int{CheckFailed: 3, CheckBuilt: 2, CheckNotTried: 1}

// MergeChecks combines the [check] results of reports computed on
// different machines (one per platform) into one per attribute of
// hashbot.toml and system it checks: a failure in any report, else a
// build, else not tried; an attribute and system no report has is not
// tried. Results for attributes hashbot.toml does not check are left out.
// nil when hashbot.toml checks nothing.
func MergeChecks(cfg *config.Config, reports []NamedReport) []CheckResult {
	if len(cfg.Check.Attrs) == 0 {
		return nil
	}
	systems := cfg.CheckSystems()
	best := map[string]CheckResult{}
	key := func(attr, sys string) string { return attr + "\x00" + sys }
	for _, nr := range reports {
		for _, c := range nr.Report.Checks {
			if !slices.Contains(cfg.Check.Attrs, c.Attr) {
				continue
			}
			if len(cfg.CheckSystems()) == 0 && !slices.Contains(systems, c.System) {
				systems = append(systems, c.System) // the machines' own
			}
			k := key(c.Attr, c.System)
			if old, ok := best[k]; !ok || checkRank[c.Status] > checkRank[old.Status] {
				best[k] = c
			}
		}
	}
	var names []string
	for _, nr := range reports {
		names = append(names, nr.Name)
	}
	var out []CheckResult
	for _, attr := range cfg.Check.Attrs {
		for _, sys := range systems {
			c, ok := best[key(attr, sys)]
			if !ok {
				c = CheckResult{Attr: attr, System: sys, Status: CheckNotTried,
					Message: fmt.Sprintf("no results file has it (%s)", strings.Join(names, ", "))}
			}
			out = append(out, c)
		}
	}
	return out
}
