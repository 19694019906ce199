package bot

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/fod"
)

// NamedFixResults are FixResults read from a file (`fix --apply`), named
// so that a refusal can say which file it refuses.
type NamedFixResults struct {
	Name    string
	Results *FixResults
}

// mergeFixResults checks every set of results handed to Fix against the
// plan (checkFixResults, and the head the computing run ran on) and
// merges them into one report with the merging `hashbot apply` uses
// (fod.MergeReports), on the pull request's head. One set per system:
// two sets that computed one system are refused, as is a per-system hash
// outside the systems its set computed; together they must hold a hash
// for every stale FOD on every system the head's hashbot.toml lists for
// it, else nothing is pushed (as apply writes nothing from incomplete
// results). A system-independent FOD is computed by every set, and they
// must agree, as for apply.
func mergeFixResults(req FixRequest, fp *fixPlan) (*fod.Report, error) {
	if len(req.Results) == 0 {
		return nil, &ResultsError{Reason: "no results file"}
	}
	claims := &systemClaims{by: map[string]string{}}
	covered := map[string]bool{}
	reports := make([]fod.NamedReport, 0, len(req.Results))
	for _, set := range req.Results {
		r := set.Results
		if req.ExpectHead != "" && r.Head != req.ExpectHead {
			return nil, &ResultsError{Reason: fmt.Sprintf("%s: they name the head %.12q, but the run that computed them ran on %.12s", set.Name, r.Head, req.ExpectHead)}
		}
		if err := checkFixResults(r, req.Number, fp); err != nil {
			var re *ResultsError
			if errors.As(err, &re) {
				return nil, &ResultsError{Reason: set.Name + ": " + re.Reason}
			}
			return nil, err
		}
		if err := claims.claim(set); err != nil {
			return nil, err
		}
		for _, t := range r.Report.Results {
			covered[t.FOD] = true
			if t.PerSystem && len(r.Systems) > 0 && !slices.Contains(r.Systems, t.System) {
				return nil, &ResultsError{Reason: fmt.Sprintf("%s: computed for %s, it has a hash for %s", set.Name, strings.Join(r.Systems, ", "), t.Label())}
			}
		}
		reports = append(reports, fod.NamedReport{Name: set.Name, Report: r.Report})
	}
	for _, name := range sortedKeys(fp.stale) {
		if !covered[name] {
			return nil, &ResultsError{Reason: fmt.Sprintf("they have no result for %s, which hashbot's plan names stale (%s)",
				name, strings.Join(fp.stale[name], "; "))}
		}
	}
	merged, err := fod.MergeReports(fp.cfg, sortedKeys(fp.stale), "", fp.head.String(), reports)
	if err != nil {
		return nil, &ResultsError{Reason: err.Error(), Err: err}
	}
	return &fod.Report{Results: merged, Commit: fp.head.String()}, nil
}

// systemClaims are the systems the sets merged so far computed, by the
// set's name; all is the set computed without --system (every system).
type systemClaims struct {
	by  map[string]string
	all string
}

// claim records the systems set computed, refusing a second set for one
// of them: two jobs for one system are a mistake or a forgery, and which
// to believe is not for Fix to guess.
func (c *systemClaims) claim(set NamedFixResults) error {
	taken := func(other string) error {
		return &ResultsError{Reason: fmt.Sprintf("%s and %s computed the same system: one results file per system", other, set.Name)}
	}
	if c.all != "" {
		return taken(c.all)
	}
	if len(set.Results.Systems) == 0 {
		if len(c.by) > 0 {
			return taken(c.by[sortedKeys(c.by)[0]])
		}
		c.all = set.Name
		return nil
	}
	for _, sys := range set.Results.Systems {
		if other, ok := c.by[sys]; ok && other != set.Name {
			return &ResultsError{Reason: fmt.Sprintf("%s and %s both computed %.40q: one results file per system", other, set.Name, sys)}
		}
		c.by[sys] = set.Name
	}
	return nil
}
