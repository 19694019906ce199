package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGoImportsDefaults checks which Go module a FOD fingerprints the
// imports of when hashbot.toml does not say, and that what it says wins.
func TestGoImportsDefaults(t *testing.T) {
	tests := []struct {
		name      string
		fod       string
		want      GoModule // go-imports
		wantLocal GoModule // local-go-imports
	}{
		{"go.mod among the inputs fingerprints its module, as the README writes a vendor FOD",
			"attr = \"server.goModules\"\ninputs = [\"go.mod\", \"go.sum\"]\n", GoModule{Dir: "."}, GoModule{}},
		{"a go.mod in a directory names that module, whatever the attribute",
			"attr = \"deps\"\ninputs = [\"server/go.mod\", \"server/go.sum\"]\n", GoModule{Dir: "server"}, GoModule{}},
		{"a goModules attribute with go.sum alone fingerprints the root module",
			"attr = \"app.goModules\"\ninputs = [\"go.sum\"]\n", GoModule{Dir: "."}, GoModule{}},
		{"a vendor attribute does too",
			"attr = \"vendor\"\ninputs = [\"go.sum\"]\n", GoModule{Dir: "."}, GoModule{}},
		{"a vendorHash written in a Nix file does too",
			"attr = \"packages.x86_64-linux.gopkgs\"\ninputs = [\"go.sum\"]\nhash-file = \"gopkgs.nix\"\nhash-attr = \"vendorHash\"\n", GoModule{Dir: "."}, GoModule{}},
		{"go-imports = false leaves the imports out",
			"attr = \"server.goModules\"\ninputs = [\"go.mod\", \"go.sum\"]\ngo-imports = false\n", GoModule{Off: true}, GoModule{}},
		{"a directory written wins over the default",
			"attr = \"server.goModules\"\ninputs = [\"go.mod\", \"go.sum\"]\ngo-imports = \"cmd/server\"\n", GoModule{Dir: "cmd/server"}, GoModule{}},
		{"a vendor attribute of a Cargo lock vendors no Go",
			"attr = \"rust.vendor\"\ninputs = [\"Cargo.toml\", \"Cargo.lock\"]\n", GoModule{}, GoModule{}},
		{"a FOD of another language has none",
			"attr = \"python-deps\"\ninputs = [\"uv.lock\", \"pyproject.toml\"]\n", GoModule{}, GoModule{}},
		{"without upstream inputs no upstream module: a moved version makes it stale already",
			"attr = \"hashbot.goModules\"\nlocal-inputs = [\"go.mod\", \"go.sum\"]\n", GoModule{}, GoModule{Dir: "."}},
		{"local-inputs naming a go.mod fingerprint that local module",
			"attr = \"tools\"\nlocal-inputs = [\"tools/go.mod\"]\n", GoModule{}, GoModule{Dir: "tools"}},
		{"local-go-imports = false leaves the local imports out",
			"attr = \"hashbot.goModules\"\nlocal-inputs = [\"go.mod\"]\nlocal-go-imports = false\n", GoModule{}, GoModule{Off: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte("[upstream]\nrepo = \"o/r\"\n[fod.x]\n"+tt.fod), "/repo")
			if err != nil {
				t.Fatal(err)
			}
			f := c.FODs["x"]
			if diff := cmp.Diff(tt.want, f.GoImports); diff != "" {
				t.Errorf("go-imports (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantLocal, f.LocalGoImports); diff != "" {
				t.Errorf("local-go-imports (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGoImportsRefusals checks the values go-imports cannot take, and the
// FODs whose module no default can choose.
func TestGoImportsRefusals(t *testing.T) {
	base := "[upstream]\nrepo = \"o/r\"\n[fod.vendor]\nattr = \"vendor\"\ninputs = [\"go.mod\"]\n"
	tests := []struct {
		name, extra, want string
	}{
		{"a number names its line", "go-imports = 3\n", `line 6, column 14: toml: want a Go module's directory ("." for the root) or false, not 3`},
		{"true names no module", "go-imports = true\n", "not true (true names no module: write its directory)"},
		{"an empty string is not false", "local-go-imports = \"\"\n", `not "" (write false for none)`},
		{"a list", "go-imports = [\".\"]\n", "line 6"},
		{"a directory outside the repository", "go-imports = \"../x\"\n", `[fod.vendor] go-imports "../x": must be a clean path`},
		{"inputs naming two modules", "inputs = [\"a/go.mod\", \"b/go.mod\"]\n",
			"[fod.x] inputs name the go.mod of several modules (a, b): set go-imports to the directory of the one this FOD vendors, or false"},
		{"a pattern naming go.mod files", "inputs = [\"*/go.mod\"]\n", "[fod.x] inputs name the go.mod of several modules (*)"},
		{"local-inputs naming two modules", "local-inputs = [\"go.mod\", \"tools/go.mod\"]\n",
			"[fod.x] local-inputs name the go.mod of several modules (., tools): set local-go-imports"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := base + tt.extra
			if strings.HasPrefix(tt.extra, "inputs") || strings.HasPrefix(tt.extra, "local-inputs") {
				data = "[upstream]\nrepo = \"o/r\"\n[fod.x]\nattr = \"x\"\n" + tt.extra
			}
			_, err := Parse([]byte(data), "/repo")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
	// Written, the module is the configuration's choice: no error.
	for _, ok := range []string{"go-imports = \"a\"\n", "go-imports = false\n"} {
		data := "[upstream]\nrepo = \"o/r\"\n[fod.x]\nattr = \"x\"\ninputs = [\"a/go.mod\", \"b/go.mod\"]\n" + ok
		if _, err := Parse([]byte(data), "/repo"); err != nil {
			t.Errorf("%s: %v", strings.TrimSpace(ok), err)
		}
	}
}
