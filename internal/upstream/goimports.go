package upstream

import (
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// goFile is one Go file of an upstream tree and what it imports.
type goFile struct {
	path    string
	imports []string
}

// parseGoFile reads the imports of a Go file, or reports false when `go
// mod vendor` never looks at it: a file whose build constraint holds under
// no set of tags but "ignore" (`//go:build ignore`), or one go build skips
// by name. Every other constraint (GOOS, GOARCH, custom tags) is taken as
// met: vendoring gathers the imports of every platform and tag, and of the
// main module's tests.
func parseGoFile(p string, src []byte) (goFile, bool) {
	if base := path.Base(p); strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") {
		return goFile{}, false
	}
	f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return goFile{}, false // go build would fail on it too; it adds no import
	}
	if !buildsUnderAnyTags(f) {
		return goFile{}, false
	}
	out := goFile{path: p}
	for _, imp := range f.Imports {
		if s, err := strconv.Unquote(imp.Path.Value); err == nil {
			out.imports = append(out.imports, s)
		}
	}
	return out, true
}

// buildsUnderAnyTags evaluates a file's build constraint the way `go mod
// vendor` gathers imports (cmd/go's imports.AnyTags): every tag but
// "ignore" counts as both set and unset, so only a constraint that needs
// "ignore" to hold leaves the file out.
func buildsUnderAnyTags(f *ast.File) bool {
	for _, group := range f.Comments {
		if group.Pos() >= f.Package {
			break
		}
		for _, c := range group.List {
			if !constraint.IsGoBuild(c.Text) && !constraint.IsPlusBuild(c.Text) {
				continue
			}
			expr, err := constraint.Parse(c.Text)
			if err != nil {
				continue
			}
			if !evalAnyTags(expr, true) {
				return false
			}
		}
	}
	return true
}

// evalAnyTags evaluates x with every tag but "ignore" matching whichever
// way prefer asks (cmd/go/internal/imports' matchTag with "*").
func evalAnyTags(x constraint.Expr, prefer bool) bool {
	switch x := x.(type) {
	case *constraint.TagExpr:
		return x.Tag != "ignore" && prefer
	case *constraint.NotExpr:
		return !evalAnyTags(x.X, !prefer)
	case *constraint.AndExpr:
		return evalAnyTags(x.X, prefer) && evalAnyTags(x.Y, prefer)
	case *constraint.OrExpr:
		return evalAnyTags(x.X, prefer) || evalAnyTags(x.Y, prefer)
	}
	return false
}

// modulePath reads the module path of a go.mod.
func modulePath(data []byte) string {
	return modfile.ModulePath(data)
}

// goImports returns the sorted, distinct packages outside the standard
// library and outside the module itself that the Go module at dir imports
// (from its non-test and test files alike, as `go mod vendor` gathers
// them): with go.mod and go.sum, what decides its vendor directory. Files
// under testdata, vendor, directories starting with '.' or '_', and nested
// modules are not the module's.
func goImports(t *tree, dir string) []string {
	mod := t.goMods[dir]
	set := map[string]bool{}
	for _, f := range t.goFiles {
		if !inModule(t, dir, f.path) {
			continue
		}
		for _, imp := range f.imports {
			if imp == "C" || isStandard(imp) || mod != "" && (imp == mod || strings.HasPrefix(imp, mod+"/")) {
				continue
			}
			set[imp] = true
		}
	}
	out := make([]string, 0, len(set))
	for imp := range set {
		out = append(out, imp)
	}
	slices.Sort(out)
	return out
}

// inModule says whether the Go file at p belongs to the module rooted at
// dir ("." for the repository's root).
func inModule(t *tree, dir, p string) bool {
	rel := p
	if dir != "." {
		var ok bool
		if rel, ok = strings.CutPrefix(p, dir+"/"); !ok {
			return false
		}
	}
	segs := strings.Split(path.Dir(rel), "/")
	cur := dir
	for _, s := range segs {
		if s == "." {
			continue
		}
		if s == "testdata" || s == "vendor" || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "_") {
			return false
		}
		cur = path.Join(cur, s)
		if _, nested := t.goMods[cur]; nested {
			return false
		}
	}
	return true
}

// isStandard says whether an import path is the standard library's: its
// first element has no dot (cmd/go's rule).
func isStandard(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// localTree reads the Go files and go.mod files of the repository at root
// (not its .git, testdata or vendor directories), for a local module's
// import fingerprint.
func localTree(root string) (*tree, error) {
	t := &tree{goMods: map[string]string{}}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if name := d.Name(); rel != "." && (name == ".git" || name == "testdata" || name == "vendor" || name == "result" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(rel, ".go") && path.Base(rel) != "go.mod" {
			return nil
		}
		data, err := safefile.ReadRegular(p, treeMaxFile)
		if err != nil {
			return err
		}
		if path.Base(rel) == "go.mod" {
			t.goMods[path.Dir(rel)] = modulePath(data)
		} else if f, ok := parseGoFile(rel, data); ok {
			t.goFiles = append(t.goFiles, f)
		}
		return nil
	})
	return t, err
}

// localImportChanges fingerprints the imports of every local Go module an
// FOD names (local-go-imports), records them in newInputs and says in
// local why each changed.
func localImportChanges(cfg *config.Config, p *pins.Pins, newInputs, local map[string]string) error {
	var t *tree
	for _, name := range cfg.FODNames() {
		dir := cfg.FODs[name].LocalGoImports.Dir
		key := config.LocalGoImportsKey(dir)
		if dir == "" || newInputs[key] != "" {
			continue
		}
		if t == nil {
			var err error
			if t, err = localTree(cfg.Dir); err != nil {
				return fmt.Errorf("reading this repository's Go files (local-go-imports in %s): %w", config.FileName, err)
			}
		}
		sri := pins.SRI([]byte(strings.Join(goImports(t, dir), "\n")))
		newInputs[key] = sri
		what := "the imports of the Go module at " + dir
		if why := recordedChange(p, key, sri, what+" have no recorded hash in "+cfg.Pins, what+" changed"); why != "" {
			local[key] = why
		}
	}
	return nil
}
