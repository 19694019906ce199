package config

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// GoModule is the setting of go-imports or local-go-imports: the directory
// of the Go module ("." for the root) whose imports a FOD's output depends
// on, as `go mod vendor` copies only the packages the module imports. In
// hashbot.toml it is a string, or false for no module; left out, it is
// the default of the FOD (see applyGoDefaults).
type GoModule struct {
	// Dir is the module's directory, "" for none.
	Dir string
	// Off says the configuration wrote false: no module, and no default.
	Off bool
}

// IsSet says whether the FOD fingerprints a Go module's imports.
func (m GoModule) IsSet() bool { return m.Dir != "" }

// written says whether the setting is decided: hashbot.toml gave a
// directory or false, which no default overrides (or, once defaults are
// applied, one was given by default).
func (m GoModule) written() bool { return m.Dir != "" || m.Off }

// UnmarshalTOML takes a string (the module's directory) or false, and
// refuses anything else with the line it is on.
func (m *GoModule) UnmarshalTOML(raw []byte) error {
	var v struct {
		V any `toml:"v"`
	}
	doc := append([]byte("v = "), raw...)
	if err := toml.Unmarshal(doc, &v); err != nil {
		return goModuleError(raw, "")
	}
	switch x := v.V.(type) {
	case string:
		if x == "" {
			return goModuleError(raw, " (write false for none)")
		}
		*m = GoModule{Dir: x}
	case bool:
		if x {
			return goModuleError(raw, " (true names no module: write its directory)")
		}
		*m = GoModule{Off: true}
	default:
		return goModuleError(raw, "")
	}
	return nil
}

// goModuleError is the decoding error of a go-imports value: a
// ParserError highlighting it, so that the message names its line.
func goModuleError(raw []byte, why string) error {
	return &unstable.ParserError{Highlight: raw,
		Message: fmt.Sprintf("want a Go module's directory (\".\" for the root) or false, not %s%s", raw, why)}
}

// goVendorAttrs are the last names of attribute paths of a Go vendor FOD:
// buildGoModule's goModules, and the vendor derivation other Nix code
// names so; goVendorHashAttrs the attributes its hash is written as.
var (
	goVendorAttrs     = []string{"goModules", "vendor"}
	goVendorHashAttrs = []string{"vendorHash", "vendorSha256"}
)

// vendorsGo says whether the FOD vendors a Go module: its attribute is a
// goModules (or vendor) derivation, its hash is a vendorHash, or its
// inputs name a go.mod.
func (f FOD) vendorsGo() bool {
	return slices.Contains(goVendorAttrs, lastName(f.Attr)) ||
		f.HashAttr != "" && slices.Contains(goVendorHashAttrs, lastName(f.HashAttr)) ||
		len(goModDirs(f.Inputs)) > 0
}

func lastName(attr string) string { return attr[strings.LastIndex(attr, ".")+1:] }

// goModDirs lists the directories of the go.mod files paths name, in
// order; a pattern's directory is a pattern.
func goModDirs(paths []string) []string {
	var dirs []string
	for _, p := range paths {
		if path.Base(p) == goModFile && !slices.Contains(dirs, path.Dir(p)) {
			dirs = append(dirs, path.Dir(p))
		}
	}
	return dirs
}

// oneModule is the directory of the one Go module dirs name, or false when
// they name several, or some by a pattern, or none.
func oneModule(dirs []string) (string, bool) {
	if len(dirs) != 1 || IsPattern(dirs[0]) {
		return "", false
	}
	return dirs[0], true
}

// applyGoDefaults gives a FOD that vendors a Go module the module whose
// imports it depends on, unless hashbot.toml says (a directory, or false):
// go-imports is the directory of the go.mod its inputs name, or "." when
// they name none (a goModules attribute with go.sum alone, say), and
// local-go-imports the directory of the go.mod its local-inputs name.
// A FOD without upstream inputs gets no go-imports: every moved version
// makes it stale already. Inputs naming several go.mod files leave the
// choice to the configuration (goDefaultErrors).
func (f *FOD) applyGoDefaults() {
	if !f.GoImports.written() && len(f.Inputs) > 0 && f.vendorsGo() && !f.otherEcosystem() {
		dirs := goModDirs(f.Inputs)
		if dir, ok := oneModule(dirs); ok {
			f.GoImports.Dir = dir
		} else if len(dirs) == 0 {
			f.GoImports.Dir = "."
		}
	}
	if dir, ok := oneModule(goModDirs(f.LocalInputs)); ok && !f.LocalGoImports.written() {
		f.LocalGoImports.Dir = dir
	}
}

// otherEcosystem says whether the FOD's inputs, naming no go.mod, name
// another language's manifest or lock (an attribute "vendor" of a
// Composer or Cargo vendor directory): then it vendors no Go module.
func (f FOD) otherEcosystem() bool {
	if len(goModDirs(f.Inputs)) > 0 {
		return false
	}
	for _, in := range f.Inputs {
		if p, ok := lockPairOf(path.Base(in)); ok && p.manifest != goModFile {
			return true
		}
	}
	return false
}

// goDefaultErrors names what the Go defaults could not decide: inputs
// (or local-inputs) naming the go.mod of several modules, or some by a
// pattern, with no go-imports (local-go-imports) to say which one the FOD
// vendors.
func (f FOD) goDefaultErrors() []string {
	var out []string
	check := func(inputsKey, key string, paths []string, m GoModule) {
		dirs := goModDirs(paths)
		if _, one := oneModule(dirs); len(dirs) > 0 && !one && !m.written() {
			out = append(out, fmt.Sprintf("%s name the go.mod of several modules (%s): set %s to the directory of the one this FOD vendors, or false",
				inputsKey, strings.Join(dirs, ", "), key))
		}
	}
	check("inputs", "go-imports", f.Inputs, f.GoImports)
	check("local-inputs", "local-go-imports", f.LocalInputs, f.LocalGoImports)
	return out
}
