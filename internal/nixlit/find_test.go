package nixlit

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// packageNix is shaped like nixpkgs' authentik package.nix: a version, a
// source with its hash, a Go vendor hash, a per-system FOD hash, and hash
// look-alikes in comments and other strings.
const packageNix = `{ lib, stdenvNoCC, buildGoModule, fetchFromGitHub, system ? "x86_64-linux" }:
let
  version = "2026.2.2";
  # vendorHash = "sha256-NOT-THIS-ONE-IT-IS-A-COMMENT";
  /* hash = "sha256-nor this"; */
  src = fetchFromGitHub {
    owner = "goauthentik";
    repo = "authentik";
    rev = "version/${version}";
    hash = "sha256-SRC";
  };
  meta = with lib; {
    description = "hash = \"sha256-in-a-string\"";
    license = licenses.mit;
  };
  python-deps = stdenvNoCC.mkDerivation {
    name = "python-deps";
    outputHashMode = "recursive";
    outputHash =
      {
        "aarch64-linux" = "sha256-ARM";
        x86_64-linux = "sha256-X86";
      }
      .${system} or (throw "python-deps: unsupported system ${system}");
  };
in
buildGoModule {
  pname = "authentik";
  inherit version src meta;
  vendorHash = "sha256-VENDOR";
  passthru = { inherit python-deps; };
}
`

func TestLocateFindsTheBoundLiteral(t *testing.T) {
	tests := []struct {
		name, path string
		line       int
		wantValue  string
		wantKeys   map[string]string
		wantVia    []string
		wantLine   int
	}{
		{name: "a plain literal, not the comment above it", path: "vendorHash", wantValue: "sha256-VENDOR", wantLine: 30},
		{name: "the enclosing attribute picks one of two", path: "src.hash", wantValue: "sha256-SRC", wantLine: 10},
		{name: "a let binding", path: "version", wantValue: "2026.2.2", wantLine: 3},
		{name: "a per-system set, quoted and bare keys", path: "outputHash",
			wantKeys: map[string]string{"aarch64-linux": "sha256-ARM", "x86_64-linux": "sha256-X86"}, wantLine: 19},
		{name: "a line picks the binding", path: "hash", line: 10, wantValue: "sha256-SRC", wantLine: 10},
		{name: "with lib; does not end the value early", path: "meta.license", wantLine: 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Locate([]byte(packageNix), tt.path, tt.line)
			if tt.path == "meta.license" {
				// licenses.mit is an expression: found, and refused as one.
				var re *RefusalError
				if !errors.As(err, &re) || re.Line != tt.wantLine || !strings.Contains(re.Why, "licenses.mit") {
					t.Fatalf("Locate = %v, %v; want a refusal at line %d naming licenses.mit", b, err, tt.wantLine)
				}
				return
			}
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			if b.Line != tt.wantLine {
				t.Errorf("Line = %d, want %d", b.Line, tt.wantLine)
			}
			if tt.wantKeys != nil {
				got := map[string]string{}
				for k, l := range b.ByKey {
					got[k] = l.Value
				}
				if diff := cmp.Diff(tt.wantKeys, got); diff != "" {
					t.Errorf("keys (-want +got):\n%s", diff)
				}
			} else if b.Literal == nil || b.Literal.Value != tt.wantValue {
				t.Errorf("Literal = %+v, want %q", b.Literal, tt.wantValue)
			}
			for _, l := range b.Literals() {
				if got := packageNix[l.Start:l.End]; got != l.Value {
					t.Errorf("content bytes %q != value %q", got, l.Value)
				}
			}
			if diff := cmp.Diff(tt.wantVia, b.Via); diff != "" {
				t.Errorf("Via (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocateFollowsVariablesInTheFile(t *testing.T) {
	tests := []struct {
		name, src, path string
		want            string
		via             []string
	}{
		{name: "a variable bound by let", path: "vendorHash",
			src: "let h = \"sha256-H\"; in { vendorHash = h; }", want: "sha256-H", via: []string{"h"}},
		{name: "inherit of a let binding", path: "vendorHash",
			src: "let vendorHash = \"sha256-I\"; in f { inherit vendorHash; }", want: "sha256-I"},
		{name: "two steps", path: "hash",
			src: "let a = \"sha256-A\"; b = a; in { hash = b; }", want: "sha256-A", via: []string{"b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Locate([]byte(tt.src), tt.path, 0)
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			if b.Literal == nil || b.Literal.Value != tt.want {
				t.Fatalf("Literal = %+v, want %q", b.Literal, tt.want)
			}
			if tt.via != nil {
				if diff := cmp.Diff(tt.via, b.Via); diff != "" {
					t.Errorf("Via (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLocateRefusesWhatItCannotWrite(t *testing.T) {
	tests := []struct {
		name, src, path string
		wantLine        int
		wantWhy         string
	}{
		{name: "lib.fakeHash", src: "{\n vendorHash = lib.fakeHash;\n}", path: "vendorHash", wantLine: 2, wantWhy: "is lib.fakeHash, a placeholder"},
		{name: "an interpolation", src: `{ hash = "sha256-${x}"; }`, path: "hash", wantLine: 1, wantWhy: "interpolation"},
		{name: "an indented string", src: "{ hash = ''sha256-X''; }", path: "hash", wantLine: 1, wantWhy: "indented string"},
		{name: "an escape", src: `{ hash = "sha256-\X"; }`, path: "hash", wantLine: 1, wantWhy: "escapes"},
		{name: "a function argument", src: "{ vendorHash }: f { vendorHash = vendorHash; }", path: "vendorHash", wantLine: 1,
			wantWhy: "which this file does not bind"},
		{name: "a variable bound twice", src: "let h = \"a\"; in { x = let h = \"b\"; in h; hash = h; }", path: "hash", wantLine: 1,
			wantWhy: "bound 2 times"},
		{name: "inherit from another set", src: "{ inherit (sources) hash; }", path: "hash", wantLine: 1, wantWhy: "inherited from (sources)"},
		{name: "not bound", src: "{ a = 1; }", path: "hash", wantWhy: "is not bound in this file"},
		{name: "bound twice", src: "{\n a = { hash = \"1\"; };\n b = { hash = \"2\"; };\n}", path: "hash", wantLine: 2,
			wantWhy: "bound 2 times in this file (lines 2, 3)"},
		{name: "an expression", src: `{ hash = builtins.readFile ./h; }`, path: "hash", wantLine: 1, wantWhy: "the expression builtins.readFile ./h"},
		{name: "a set with an expression", src: `{ h = { x86_64-linux = f 1; }; }`, path: "h", wantLine: 1, wantWhy: "x86_64-linux = f 1"},
		{name: "a function", src: `{ h = { a, b }: a; }`, path: "h", wantLine: 1, wantWhy: "is a function"},
		{name: "a variable loop", src: "let a = b; b = a; in { hash = a; }", path: "hash", wantLine: 1, wantWhy: "too many variables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Locate([]byte(tt.src), tt.path, 0)
			var re *RefusalError
			if !errors.As(err, &re) {
				t.Fatalf("Locate = %+v, %v; want a *RefusalError", b, err)
			}
			if re.Line != tt.wantLine || !strings.Contains(re.Why, tt.wantWhy) {
				t.Errorf("refusal = line %d %q; want line %d containing %q", re.Line, re.Why, tt.wantLine, tt.wantWhy)
			}
		})
	}
}

func TestLexRefusesUnterminatedSyntax(t *testing.T) {
	for _, src := range []string{`{ a = "x; }`, "{ a = ''x; }", "/* open", `{ a = "${ b"; }`, "{ a = ${b; "} {
		_, err := Locate([]byte(src), "a", 0)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Locate(%q) = %v; want a *SyntaxError", src, err)
		}
	}
}

func TestLexReadsNixStrings(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{name: "an escaped quote", src: `{ d = "say \"hash = 1\""; hash = "H"; }`, want: "H"},
		{name: "an escaped $ in an indented string", src: "{ d = ''a ''${b} ''' c''; hash = \"H\"; }", want: "H"},
		{name: "a literal $${", src: `{ d = "$${x"; hash = "H"; }`, want: "H"},
		{name: "a nested string in an interpolation", src: `{ d = "${f "}"}"; hash = "H"; }`, want: "H"},
		{name: "a URI and a path", src: `{ u = https://x.org/a; p = ./a/b.nix; s = <nixpkgs/lib>; hash = "H"; }`, want: "H"},
		{name: "a dynamic attribute", src: `{ ${n} = "x"; hash = "H"; }`, want: "H"},
		{name: "comparisons are not bindings", src: `{ x = a == b; y = a != b && c <= d; hash = "H"; }`, want: "H"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Locate([]byte(tt.src), "hash", 0)
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			if b.Literal.Value != tt.want {
				t.Errorf("value %q, want %q", b.Literal.Value, tt.want)
			}
		})
	}
}

func TestSpliceChangesOnlyLiteralContent(t *testing.T) {
	src := []byte(packageNix)
	vendor, err := Locate(src, "vendorHash", 0)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := Locate(src, "outputHash", 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Splice(src, []Edit{
		{Literal: deps.ByKey["x86_64-linux"], Value: "sha256-NEWX86"},
		{Literal: vendor.Literal, Value: "sha256-NEWVENDOR"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(`"sha256-X86"`, `"sha256-NEWX86"`, `"sha256-VENDOR"`, `"sha256-NEWVENDOR"`).Replace(packageNix)
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("spliced (-want +got):\n%s", diff)
	}
	// The masks of the two are equal: only literal content changed.
	again, err := Locate(out, "vendorHash", 0)
	if err != nil {
		t.Fatal(err)
	}
	deps2, _ := Locate(out, "outputHash", 0)
	m1, _ := Mask(src, append(vendor.Literals(), deps.Literals()...))
	m2, _ := Mask(out, append(again.Literals(), deps2.Literals()...))
	if string(m1) != string(m2) {
		t.Error("masks differ after a splice of literal content only")
	}
	for _, bad := range []string{`a"b`, `a\b`, "a${b}", "a\nb"} {
		if _, err := Splice(src, []Edit{{Literal: vendor.Literal, Value: bad}}); err == nil {
			t.Errorf("Splice accepted the value %q", bad)
		}
	}
	if _, err := Splice(src, []Edit{{Literal: vendor.Literal, Value: "x"}, {Literal: vendor.Literal, Value: "y"}}); err == nil {
		t.Error("Splice accepted overlapping edits")
	}
}

// FuzzLocate checks that any bytes are read without panicking and that
// every literal found, by Locate or Bindings, is the bytes it claims.
func FuzzLocate(f *testing.F) {
	f.Add([]byte(packageNix), "outputHash")
	f.Add([]byte("let h = \"a\"; in { hash = h; }"), "hash")
	f.Add([]byte("{ a = ''x ''${y} ${z}''; b.c = \"d\"; }"), "b.c")
	f.Fuzz(func(t *testing.T, src []byte, path string) {
		if path == "" {
			return
		}
		check := func(b *Binding) {
			for _, l := range b.Literals() {
				if l.Start < 0 || l.End > len(src) || l.Start > l.End || string(src[l.Start:l.End]) != l.Value {
					t.Fatalf("literal %+v does not match the source", l)
				}
			}
		}
		found, _ := Bindings(t.Context(), src, func(string) bool { return true })
		for _, f := range found {
			check(f.Binding)
		}
		b, err := Locate(src, path, 0)
		if err != nil {
			return
		}
		check(b)
		if _, err := Splice(src, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBindingsListsLiteralsWithTheirShortestPath(t *testing.T) {
	found, err := Bindings(t.Context(), []byte(packageNix), func(n string) bool { return n == "hash" || strings.HasSuffix(n, "Hash") })
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range found {
		got[f.Binding.Path] = f.Binding.Line
	}
	// outputHashMode is a literal too, but its name is no hash's.
	want := map[string]int{"hash": 10, "outputHash": 19, "vendorHash": 30}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
}

func TestBindingsNamesATwiceBoundLiteralByItsEnclosingAttribute(t *testing.T) {
	src := "{\n a = f { hash = \"1\"; };\n b = { hash = \"2\"; };\n}"
	found, err := Bindings(t.Context(), []byte(src), func(n string) bool { return n == "hash" })
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range found {
		paths = append(paths, f.Binding.Path)
	}
	if diff := cmp.Diff([]string{"a.hash", "b.hash"}, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}
