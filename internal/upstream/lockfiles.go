package upstream

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"golang.org/x/mod/modfile"
)

// summarizeUVLock diffs the [[package]] name/version pairs of two uv.lock
// files. The project's own packages are the ones whose source is the
// workspace root (editable or virtual ".").
func summarizeUVLock(s *FileSummary, old, new []byte) error {
	var od, nd map[string]any
	if err := toml.Unmarshal(old, &od); err != nil {
		return fmt.Errorf("old file: %w", err)
	}
	if err := toml.Unmarshal(new, &nd); err != nil {
		return fmt.Errorf("new file: %w", err)
	}
	op, oroot := uvPackages(od)
	np, nroot := uvPackages(nd)
	diffPackages(s, op, np)
	if oroot != nil && nroot != nil && oroot["version"] != nroot["version"] {
		s.RootVersion = &Bump{Name: fmt.Sprint(nroot["name"]), From: fmt.Sprint(oroot["version"]), To: fmt.Sprint(nroot["version"])}
		oroot["version"] = nroot["version"]
		s.RootVersionOnly = reflect.DeepEqual(od, nd)
	}
	return nil
}

func uvPackages(doc map[string]any) (map[string][]string, map[string]any) {
	out := map[string][]string{}
	var root map[string]any
	list, _ := doc["package"].([]any)
	for _, p := range list {
		pkg, ok := p.(map[string]any)
		if !ok {
			continue
		}
		name, _ := pkg["name"].(string)
		version, _ := pkg["version"].(string)
		if name == "" {
			continue
		}
		addVersion(out, name, version)
		if src, ok := pkg["source"].(map[string]any); ok && (src["editable"] == "." || src["virtual"] == ".") {
			root = pkg
		}
	}
	return out, root
}

// summarizeNPMLock diffs the "packages" map of two lockfile-v2/v3
// package-lock.json files by package name (several paths may lock one name).
// Link entries (workspace symlinks) carry no version and are skipped.
func summarizeNPMLock(s *FileSummary, old, new []byte) error {
	var od, nd map[string]any
	if err := json.Unmarshal(old, &od); err != nil {
		return fmt.Errorf("old file: %w", err)
	}
	if err := json.Unmarshal(new, &nd); err != nil {
		return fmt.Errorf("new file: %w", err)
	}
	op, err := npmPackages(od)
	if err != nil {
		return fmt.Errorf("old file: %w", err)
	}
	np, err := npmPackages(nd)
	if err != nil {
		return fmt.Errorf("new file: %w", err)
	}
	diffPackages(s, op, np)
	oroot, _ := op0(od)["version"].(string)
	nroot, _ := op0(nd)["version"].(string)
	if oroot != nroot || od["version"] != nd["version"] {
		s.RootVersion = &Bump{Name: fmt.Sprint(nd["name"]), From: oroot, To: nroot}
		od["version"] = nd["version"]
		if r := op0(od); r != nil {
			r["version"] = op0(nd)["version"]
		}
		s.RootVersionOnly = reflect.DeepEqual(od, nd)
	}
	return nil
}

// op0 is the root entry packages[""].
func op0(doc map[string]any) map[string]any {
	pk, _ := doc["packages"].(map[string]any)
	root, _ := pk[""].(map[string]any)
	return root
}

func npmPackages(doc map[string]any) (map[string][]string, error) {
	if v, _ := doc["lockfileVersion"].(float64); v < 2 {
		return nil, fmt.Errorf("lockfileVersion %v: only versions 2 and 3 (with a \"packages\" map) are supported", doc["lockfileVersion"])
	}
	pk, ok := doc["packages"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no \"packages\" map")
	}
	out := map[string][]string{}
	for key, e := range pk {
		entry, ok := e.(map[string]any)
		if key == "" || !ok {
			continue
		}
		version, _ := entry["version"].(string)
		if version == "" {
			continue // a link to a workspace
		}
		name, _ := entry["name"].(string)
		if name == "" {
			name = key[strings.LastIndex(key, "node_modules/")+len("node_modules/"):]
			if !strings.Contains(key, "node_modules/") {
				name = key
			}
		}
		addVersion(out, name, version)
	}
	return out, nil
}

// summarizeGoMod diffs the requirements and the go/toolchain lines.
func summarizeGoMod(s *FileSummary, old, new []byte) error {
	of, err := modfile.Parse("go.mod", old, nil)
	if err != nil {
		return fmt.Errorf("old file: %w", err)
	}
	nf, err := modfile.Parse("go.mod", new, nil)
	if err != nil {
		return fmt.Errorf("new file: %w", err)
	}
	diffPackages(s, goRequirements(of), goRequirements(nf))
	return nil
}

func goRequirements(f *modfile.File) map[string][]string {
	out := map[string][]string{}
	for _, r := range f.Require {
		addVersion(out, r.Mod.Path, r.Mod.Version)
	}
	if f.Go != nil {
		out["go"] = []string{f.Go.Version}
	}
	if f.Toolchain != nil {
		out["toolchain"] = []string{f.Toolchain.Name}
	}
	for _, r := range f.Replace {
		addVersion(out, "replace "+r.Old.String(), r.New.String())
	}
	return out
}
