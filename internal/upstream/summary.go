package upstream

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// MaxListed bounds the packages Lines lists per change kind.
const MaxListed = 25

// Package is one locked package.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Bump is a package whose locked version(s) changed. From and To list every
// locked version when a lock file holds several of one package.
type Bump struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// FileSummary describes how one input file changed between the pinned and
// the candidate ref.
type FileSummary struct {
	File string `json:"file"`
	// FODs are the FODs that have the file as an input.
	FODs []string `json:"fods"`
	// Format is the parser used: "uv.lock", "package-lock.json", "go.mod",
	// "go.sum" or "lines" (any other file, or one that did not parse).
	Format  string    `json:"format"`
	Added   []Package `json:"added,omitempty"`
	Removed []Package `json:"removed,omitempty"`
	Bumped  []Bump    `json:"bumped,omitempty"`
	// RootVersionOnly is true when the only change is the project's own
	// version field (RootVersion has it).
	RootVersionOnly bool  `json:"root_version_only,omitempty"`
	RootVersion     *Bump `json:"root_version,omitempty"`
	// LinesAdded and LinesRemoved count changed lines (go.sum, "lines").
	LinesAdded   int `json:"lines_added,omitempty"`
	LinesRemoved int `json:"lines_removed,omitempty"`
	// Note explains a summary that could not be made in full.
	Note string `json:"note,omitempty"`
}

// Lines renders the summary for a pull-request body: a headline, then one
// line per change ("django 5.2.11 → 5.2.12"), at most MaxListed per kind.
func (s FileSummary) Lines() []string {
	lines := s.Details()
	lines[0] = fmt.Sprintf("%s (%s): %s", s.File, strings.Join(s.FODs, ", "), lines[0])
	return lines
}

// Details is Lines without the file and FOD names, for a pull-request body
// that shows them in a heading already.
func (s FileSummary) Details() []string {
	head := ""
	var counts []string
	for _, c := range []struct {
		n    int
		what string
	}{{len(s.Bumped), "bumped"}, {len(s.Added), "added"}, {len(s.Removed), "removed"}} {
		if c.n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	switch {
	case s.RootVersionOnly && s.RootVersion != nil:
		head += fmt.Sprintf("root version field only (%s → %s); no dependency changed", s.RootVersion.From, s.RootVersion.To)
	case s.RootVersionOnly:
		head += "root version field only; no dependency changed"
	case len(counts) > 0:
		head += strings.Join(counts, ", ")
	case s.LinesAdded+s.LinesRemoved > 0:
		head += fmt.Sprintf("%s added, %d removed", plural(s.LinesAdded, "line"), s.LinesRemoved)
	case s.Note == "":
		head += "changed, but no locked version did"
	}
	if s.Note != "" {
		if head != "" {
			head += "; "
		}
		head += s.Note
	}
	lines := []string{head}
	lines = appendCapped(lines, len(s.Bumped), func(i int) string {
		return fmt.Sprintf("bumped %s %s → %s", s.Bumped[i].Name, s.Bumped[i].From, s.Bumped[i].To)
	})
	lines = appendCapped(lines, len(s.Added), func(i int) string {
		return fmt.Sprintf("added %s %s", s.Added[i].Name, s.Added[i].Version)
	})
	lines = appendCapped(lines, len(s.Removed), func(i int) string {
		return fmt.Sprintf("removed %s %s", s.Removed[i].Name, s.Removed[i].Version)
	})
	return lines
}

func appendCapped(lines []string, n int, line func(int) string) []string {
	for i := range min(n, MaxListed) {
		lines = append(lines, line(i))
	}
	if n > MaxListed {
		lines = append(lines, fmt.Sprintf("… and %d more", n-MaxListed))
	}
	return lines
}

// Summarize compares two versions of file with the parser its name calls
// for. A file that does not parse is summarised by changed lines, with a note.
func Summarize(file string, old, new []byte) FileSummary {
	s := FileSummary{File: file}
	var err error
	switch path.Base(file) {
	case "uv.lock":
		s.Format = "uv.lock"
		err = summarizeUVLock(&s, old, new)
	case "package-lock.json", "npm-shrinkwrap.json":
		s.Format = "package-lock.json"
		err = summarizeNPMLock(&s, old, new)
	case "go.mod":
		s.Format = "go.mod"
		err = summarizeGoMod(&s, old, new)
	case "go.sum":
		s.Format = "go.sum"
		s.LinesAdded, s.LinesRemoved = lineDiff(old, new)
	default:
		s.Format = "lines"
		s.LinesAdded, s.LinesRemoved = lineDiff(old, new)
	}
	if err != nil {
		s = FileSummary{File: file, Format: "lines", Note: fmt.Sprintf("could not parse as %s: %v", s.Format, err)}
		s.LinesAdded, s.LinesRemoved = lineDiff(old, new)
	}
	return s
}

// diffPackages compares name → locked versions maps.
func diffPackages(s *FileSummary, old, new map[string][]string) {
	for name, nv := range new {
		ov, ok := old[name]
		switch {
		case !ok:
			for _, v := range nv {
				s.Added = append(s.Added, Package{name, v})
			}
		case !slices.Equal(ov, nv):
			s.Bumped = append(s.Bumped, Bump{name, strings.Join(ov, ", "), strings.Join(nv, ", ")})
		}
	}
	for name, ov := range old {
		if _, ok := new[name]; !ok {
			for _, v := range ov {
				s.Removed = append(s.Removed, Package{name, v})
			}
		}
	}
	sortPackages(s.Added)
	sortPackages(s.Removed)
	sort.Slice(s.Bumped, func(i, j int) bool { return s.Bumped[i].Name < s.Bumped[j].Name })
}

func sortPackages(p []Package) {
	sort.Slice(p, func(i, j int) bool {
		if p[i].Name != p[j].Name {
			return p[i].Name < p[j].Name
		}
		return p[i].Version < p[j].Version
	})
}

// addVersion records v under name, keeping the list sorted and unique.
func addVersion(m map[string][]string, name, v string) {
	vs := m[name]
	if i, found := slices.BinarySearch(vs, v); !found {
		m[name] = slices.Insert(vs, i, v)
	}
}

// lineDiff counts lines added and removed, as multisets (right for go.sum,
// whose lines are a set; an estimate for other files).
func lineDiff(old, new []byte) (added, removed int) {
	count := map[string]int{}
	for _, l := range strings.Split(string(old), "\n") {
		if l != "" {
			count[l]++
		}
	}
	for _, l := range strings.Split(string(new), "\n") {
		if l == "" {
			continue
		}
		if count[l] > 0 {
			count[l]--
		} else {
			added++
		}
	}
	for _, n := range count {
		removed += n
	}
	return added, removed
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
