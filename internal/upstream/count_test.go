package upstream_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hashbot-nix/hashbot/internal/upstream"
)

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func fileNames(res *upstream.Result) []string {
	var out []string
	for _, s := range res.Summaries {
		out = append(out, s.File)
	}
	return out
}

type counts struct{ added, removed, bumped int }

func (c counts) total() int { return c.added + c.removed + c.bumped }

// naiveDiff counts name-level changes of name → versions maps.
func naiveDiff(old, new map[string][]string) counts {
	var c counts
	for name, nv := range new {
		ov, ok := old[name]
		switch {
		case !ok:
			c.added += len(nv)
		case !slices.Equal(ov, nv):
			c.bumped++
		}
	}
	for name, ov := range old {
		if _, ok := new[name]; !ok {
			c.removed += len(ov)
		}
	}
	return c
}

var uvPackageRE = regexp.MustCompile(`(?m)^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"`)

// uvVersions reads uv.lock with a regular expression, not TOML.
func uvVersions(t testing.TB, data []byte) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range uvPackageRE.FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = insertSorted(out[m[1]], m[2])
	}
	if n := strings.Count(string(data), "[[package]]"); n != countAll(out) {
		t.Fatalf("regexp found %d packages of %d", countAll(out), n)
	}
	return out
}

func npmVersions(t testing.TB, data []byte) map[string][]string {
	t.Helper()
	var doc struct {
		Packages map[string]struct {
			Name, Version string
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for key, p := range doc.Packages {
		if key == "" || p.Version == "" {
			continue
		}
		name := p.Name
		if i := strings.LastIndex(key, "node_modules/"); name == "" && i >= 0 {
			name = key[i+len("node_modules/"):]
		} else if name == "" {
			name = key
		}
		out[name] = insertSorted(out[name], p.Version)
	}
	return out
}

func insertSorted(vs []string, v string) []string {
	if i, found := slices.BinarySearch(vs, v); !found {
		return slices.Insert(vs, i, v)
	}
	return vs
}

func countAll(m map[string][]string) int {
	n := 0
	for _, vs := range m {
		n += len(vs)
	}
	return n
}
