package fod

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// NamedReport is a Report read from a file, for MergeReports.
type NamedReport struct {
	// Name is where the report came from (a file name).
	Name   string
	Report *Report
}

// ReadReportFile reads a report written by `hashbot update --json`.
func ReadReportFile(path string) (*Report, error) {
	data, err := safefile.ReadRegular(path, 0)
	if err != nil {
		return nil, fmt.Errorf("reading results %s: %w", path, err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading results %s: %w", path, err)
	}
	return &r, nil
}

// MergeError is a set of reports that cannot be applied: two different
// hashes for one target, or a required target without a hash.
type MergeError struct {
	// Conflicts lists disagreements between (or within) reports.
	Conflicts []string
	// Missing lists required targets no report has a hash for.
	Missing []string
}

func (e *MergeError) Error() string {
	var parts []string
	if len(e.Conflicts) > 0 {
		parts = append(parts, "conflicting results: "+strings.Join(e.Conflicts, "; "))
	}
	if len(e.Missing) > 0 {
		parts = append(parts, "incomplete results: "+strings.Join(e.Missing, "; "))
	}
	return strings.Join(parts, "; ")
}

// MergeReports combines reports computed on different machines (one per
// platform) into one successful result per required target: every system
// of each per-system FOD and each system-independent FOD among fods (empty
// means all of hashbot.toml). It refuses, with a *MergeError, reports that
// disagree on a hash or on the version, a required target that no report
// computed, and results for FODs (or an FOD's systems) hashbot.toml does
// not have. version, when
// not empty, is the pins' version the reports must have been computed for;
// commit is the commit they are applied on (the working tree's HEAD, ""
// outside a git repository), which every report must name as the one it
// was computed on: hashes of another commit's recipes are never applied.
func MergeReports(cfg *config.Config, fods []string, version, commit string, reports []NamedReport) ([]TargetResult, error) {
	if len(fods) == 0 {
		fods = cfg.FODNames()
	}
	merr := &MergeError{}
	type found struct {
		ok     map[string][]string // hash -> report names
		others []string            // "failed in x.json: message"
		first  TargetResult
	}
	byKey := map[string]*found{}
	key := func(fod, sys string) string { return fod + "\x00" + sys }
	for i, nr := range reports {
		if got := nr.Report.Commit; got != commit {
			merr.Conflicts = append(merr.Conflicts, commitConflict(nr.Name, got, commit))
		}
		if version != "" && nr.Report.Version != version {
			merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("%s was computed for version %q, the pins are at %q",
				nr.Name, nr.Report.Version, version))
		}
		if first := reports[0]; i > 0 && !maps.Equal(nr.Report.Sources, first.Report.Sources) {
			merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("%s was computed against %s, %s against %s",
				first.Name, describeSources(first.Report.Sources), nr.Name, describeSources(nr.Report.Sources)))
		}
		if first := reports[0]; i > 0 && string(nr.Report.FlakeLock) != string(first.Report.FlakeLock) {
			merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("%s and %s were computed with different flake.lock files: compute every platform with the same --source revs",
				first.Name, nr.Name))
		}
		for _, r := range nr.Report.Results {
			f, ok := cfg.FODs[r.FOD]
			if !ok {
				merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("%s has FOD %q, which %s does not", nr.Name, r.FOD, config.FileName))
				continue
			}
			if f.PerSystem() != r.PerSystem {
				merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("%s: %s per_system=%v, but %s says %v",
					nr.Name, r.FOD, r.PerSystem, config.FileName, f.PerSystem()))
				continue
			}
			// A hash for a system the FOD does not list would be dropped
			// without a word: results cross from other machines, so say it.
			if r.PerSystem && !slices.Contains(f.Systems, r.System) {
				merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("%s has %s for system %.40q, which %s does not list for it",
					nr.Name, r.FOD, r.System, config.FileName))
				continue
			}
			k := key(r.FOD, r.PinSystem())
			fd := byKey[k]
			if fd == nil {
				fd = &found{ok: map[string][]string{}}
				byKey[k] = fd
			}
			if !r.Status.Succeeded() {
				fd.others = append(fd.others, fmt.Sprintf("%s in %s", r.Status, nr.Name))
				continue
			}
			if len(fd.ok) == 0 {
				fd.first = r
			}
			fd.ok[r.New] = append(fd.ok[r.New], nr.Name)
		}
	}
	var out []TargetResult
	for _, name := range fods {
		f, ok := cfg.FODs[name]
		if !ok {
			merr.Conflicts = append(merr.Conflicts, fmt.Sprintf("--fod %q: no [fod.%s] in %s", name, name, config.FileName))
			continue
		}
		for _, sys := range f.PinSystems() {
			label := name
			if sys != "" {
				label += " (" + sys + ")"
			}
			fd := byKey[key(name, sys)]
			switch {
			case fd == nil:
				merr.Missing = append(merr.Missing, label+": in no results file")
			case len(fd.ok) == 0:
				merr.Missing = append(merr.Missing, label+": "+strings.Join(fd.others, ", "))
			case len(fd.ok) > 1:
				merr.Conflicts = append(merr.Conflicts, label+": "+describeHashes(fd.ok))
			default:
				out = append(out, fd.first)
			}
		}
	}
	if len(merr.Conflicts) > 0 || len(merr.Missing) > 0 {
		return nil, merr
	}
	sortResults(out)
	return out, nil
}

func describeHashes(m map[string][]string) string {
	var parts []string
	for h, names := range m {
		parts = append(parts, fmt.Sprintf("%s from %s", h, strings.Join(names, ", ")))
	}
	sort.Strings(parts)
	return strings.Join(parts, " vs ")
}

// describeSources names the source pins a report was computed against:
// "nixpkgs at 5f4a1c2d9e8b (sha256-…)", or "no source pins".
func describeSources(m map[string]pins.Source) string {
	if len(m) == 0 {
		return "no source pins"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(m)) {
		s := m[name]
		hash := s.Hash
		if hash == "" {
			hash = "no hash"
		}
		parts = append(parts, fmt.Sprintf("%s at %.12s (%s)", name, s.Rev, hash))
	}
	return strings.Join(parts, ", ")
}

// commitConflict says why results computed on commit got cannot be applied
// on commit want.
func commitConflict(name, got, want string) string {
	switch {
	case got == "":
		return fmt.Sprintf("%s names no commit it was computed on, and this working tree is at %.12s: compute it again with this hashbot", name, want)
	case want == "":
		return fmt.Sprintf("%s was computed on commit %.12s, and this working tree is no git repository", name, got)
	}
	return fmt.Sprintf("%s was computed on commit %.12s, but this working tree is at %.12s: check out the commit the results were computed on (or compute them again)", name, got, want)
}
