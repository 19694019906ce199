package pins

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/safefile"
)

const (
	realVendor = "sha256-mGKxBRU5TPgdmiSx0DHEd0Ys8gsVD/YdBfbDdSVpC3U="
	realARM    = "sha256-4WPdYvt3NeimTxinoJu1k+GkG7qlGokvxhPYBt4SdOQ="
	realSrc    = "sha256-C8PtbAeCqpCQ5BThM/RMX0y4vC/5QrifwymMUu7jMv0="
	newVendor  = "sha256-P4H27zK29lAsfhLM+C6kyNm8+HoJrnTQy4EzvKzVJFw="
	newX86     = "sha256-1229KjWeML4to/JfPOsRXdWG2l6Am/gV3urdip5vUMI="
)

// inlinePackage keeps a version, a source hash, a vendor hash and a
// per-system hash in Nix, nixpkgs-style; one system's hash not computed yet.
const inlinePackage = `{ fetchurl, mkFOD, system }:
let
  version = "1.2.0";
in {
  src = fetchurl {
    url = "https://example.org/app-${version}.tar.gz";
    hash = "` + realSrc + `"; # kept by hashbot
  };
  goModules = mkFOD {
    vendorHash = "` + realVendor + `";
  };
  npmDeps = mkFOD {
    outputHash = {
      aarch64-linux = "` + realARM + `";
      x86_64-linux = "";
    }.${system};
  };
}
`

const inlineJSON = `{
  "inputs": {
    "go.mod": "sha256-0BRydL4KWCCE/sMuXXl9IxLHNIyVuS3D5cvJUJMIy44="
  }
}
`

func inlineLayout() Layout {
	return Layout{
		JSON: "hashbot.json",
		Inline: []InlineHash{
			{FOD: "src", InlineValue: InlineValue{File: "package.nix", Attr: "src.hash"}},
			{FOD: "vendor", InlineValue: InlineValue{File: "package.nix", Attr: "vendorHash"}},
			{FOD: "npm", InlineValue: InlineValue{File: "package.nix", Attr: "outputHash"}, Systems: []string{"aarch64-linux", "x86_64-linux"}},
		},
		Version: &InlineValue{File: "package.nix", Attr: "version"},
	}
}

func reader(files map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		s, ok := files[p]
		if !ok {
			return nil, os.ErrNotExist
		}
		return []byte(s), nil
	}
}

func loadInline(t *testing.T, pkg, js string) *Stored {
	t.Helper()
	s, err := inlineLayout().Load(reader(map[string]string{"package.nix": pkg, "hashbot.json": js}), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func TestLoadReadsInlineLiteralsIntoThePins(t *testing.T) {
	s := loadInline(t, inlinePackage, inlineJSON)
	got := map[string]string{}
	for _, k := range []struct{ fod, sys string }{{"src", ""}, {"vendor", ""}, {"npm", "aarch64-linux"}, {"npm", "x86_64-linux"}} {
		h, _ := s.Pins.Hash(k.fod, k.sys)
		got[HashPath(k.fod, k.sys)] = h
	}
	want := map[string]string{"hashes.src": realSrc, "hashes.vendor": realVendor,
		"hashes.npm.aarch64-linux": realARM, "hashes.npm.x86_64-linux": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hashes (-want +got):\n%s", diff)
	}
	if v := s.Pins.Version(); v != "1.2.0" {
		t.Errorf("Version = %q", v)
	}
	if err := s.Pins.CheckShape("npm", true); err != nil {
		t.Errorf("CheckShape: %v", err)
	}
	if w := s.Where("npm", "x86_64-linux"); w != "outputHash.x86_64-linux at package.nix:15" {
		t.Errorf("Where = %q", w)
	}
	if w := s.Where("other", ""); w != "hashes.other in hashbot.json" {
		t.Errorf("Where = %q", w)
	}
}

func TestRenderWritesOnlyLiteralContent(t *testing.T) {
	s := loadInline(t, inlinePackage, inlineJSON)
	p := s.Pins.Clone()
	p.SetHash("vendor", "", newVendor)
	p.SetHash("npm", "x86_64-linux", newX86)
	p.SetVersion("1.3.0")
	files, err := s.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(realVendor, newVendor, `x86_64-linux = ""`, `x86_64-linux = "`+newX86+`"`,
		`version = "1.2.0"`, `version = "1.3.0"`).Replace(inlinePackage)
	if diff := cmp.Diff(want, string(files["package.nix"])); diff != "" {
		t.Errorf("package.nix (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(inlineJSON, string(files["hashbot.json"])); diff != "" {
		t.Errorf("the JSON took inline values (-want +got):\n%s", diff)
	}
	if err := s.Guard(files); err != nil {
		t.Errorf("Guard refused a literal-only change: %v", err)
	}
	// Loaded again, the new files give the new pins.
	again := loadInline(t, string(files["package.nix"]), string(files["hashbot.json"]))
	if h, _ := again.Pins.Hash("npm", "x86_64-linux"); h != newX86 || again.Pins.Version() != "1.3.0" {
		t.Errorf("reloaded: npm.x86_64-linux %q, version %q", h, again.Pins.Version())
	}
	// A null keeps its literal as it is.
	q := s.Pins.Clone()
	q.SetHash("vendor", "", "")
	files, _ = s.Render(q)
	if string(files["package.nix"]) != inlinePackage {
		t.Error("a null hash changed its literal")
	}
}

func TestGuardRefusesChangesOutsideLiterals(t *testing.T) {
	s := loadInline(t, inlinePackage, inlineJSON)
	tests := []struct {
		name, pkg, want string
	}{
		{name: "a changed comment", pkg: strings.Replace(inlinePackage, "kept by hashbot", "kept by a person", 1),
			want: "changed outside its hash and version literals"},
		{name: "a fake hash", pkg: strings.Replace(inlinePackage, realVendor, "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1),
			want: "vendorHash"},
		{name: "not a hash", pkg: strings.Replace(inlinePackage, realVendor, "sha256-oops", 1), want: "not a Nix hash"},
		{name: "an md5 hash", pkg: strings.Replace(inlinePackage, realVendor, "md5-jvt4fqicHCtDKd0pQlwwZQ==", 1),
			want: "vendorHash \"md5-jvt4fqicHCtDKd0pQlwwZQ==\": hashed with md5"},
		{name: "a sha1 hash", pkg: strings.Replace(inlinePackage, realVendor, "sha1-/bxQT+aUDYdc3wj2ktwNBJCpaT8=", 1),
			want: "hashed with sha1"},
		{name: "not a version", pkg: strings.Replace(inlinePackage, `"1.2.0"`, `"1.2.0 beta"`, 1), want: "version"},
		{name: "a literal made an expression", pkg: strings.Replace(inlinePackage, `"`+realVendor+`"`, "lib.fakeHash", 1),
			want: "hides the literal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Guard(Files{"package.nix": []byte(tt.pkg), "hashbot.json": []byte(inlineJSON)})
			if !errors.Is(err, ErrGuard) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Guard = %v; want a guard error containing %q", err, tt.want)
			}
		})
	}
	if err := s.Guard(Files{"other.nix": nil}); !errors.Is(err, ErrGuard) {
		t.Errorf("Guard of a file outside the layout = %v", err)
	}
}

func TestLoadRefusesLayoutsItCannotKeep(t *testing.T) {
	tests := []struct {
		name, pkg, js, want string
	}{
		{name: "a hash in both homes", pkg: inlinePackage,
			js:   `{"hashes": {"vendor": "` + realVendor + `"}}`,
			want: "hashbot.json: hashes.vendor is here and in package.nix (vendorHash): a hash has one home"},
		{name: "the version in both homes", pkg: inlinePackage, js: `{"version": "1.2.0"}`,
			want: `"version" is here and in package.nix`},
		{name: "a missing system key", pkg: strings.Replace(inlinePackage, `      x86_64-linux = "";`+"\n", "", 1), js: inlineJSON,
			want: "package.nix:13: outputHash has no key x86_64-linux"},
		{name: "an attribute the file does not bind", pkg: strings.Replace(inlinePackage, "vendorHash", "vendorHash2", 1), js: inlineJSON, want: "package.nix: vendorHash is not bound in this file"},
		{name: "a placeholder expression", pkg: strings.Replace(inlinePackage, `"`+realVendor+`"`, "lib.fakeHash", 1), js: inlineJSON,
			want: "package.nix:10: vendorHash is lib.fakeHash, a placeholder"},
		{name: "3.9 MB of nested interpolations", js: inlineJSON,
			pkg:  strings.Replace(inlinePackage, "${version}", strings.Repeat(`${"`, 780_000)+strings.Repeat(`"}`, 780_000), 1),
			want: "package.nix:6: cannot read the Nix code: ${ … } nested more than 128 deep"},
		{name: "a file larger than hashbot reads", js: inlineJSON, pkg: inlinePackage + "#" + strings.Repeat("x", safefile.MaxRepoFile),
			want: "package.nix: " + strconv.Itoa(len(inlinePackage)+1+safefile.MaxRepoFile) + " bytes, more than the 4194304 hashbot reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inlineLayout().Load(reader(map[string]string{"package.nix": tt.pkg, "hashbot.json": tt.js}), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestMaskLiteralsIgnoresHashAndVersionChanges(t *testing.T) {
	l := inlineLayout()
	a, err := l.MaskLiterals("package.nix", []byte(inlinePackage))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.NewReplacer(realVendor, newVendor, `"1.2.0"`, `"1.3.0"`).Replace(inlinePackage)
	b, _ := l.MaskLiterals("package.nix", []byte(changed))
	if string(a) != string(b) {
		t.Error("a hash or version change changed the masked recipe")
	}
	c, _ := l.MaskLiterals("package.nix", []byte(strings.Replace(inlinePackage, "fetchurl {", "fetchurl { name = \"x\";", 1)))
	if string(a) == string(c) {
		t.Error("a recipe change left the masked recipe alike")
	}
	if other, _ := l.MaskLiterals("go.mod", []byte("x")); string(other) != "x" {
		t.Error("a file without literals was changed")
	}
}

// TestLayoutKeepsLiteralsOfASourceJSON reads and writes a version and a
// hash in a JSON file the Nix code reads, as nixpkgs' source.json.
func TestLayoutKeepsLiteralsOfASourceJSON(t *testing.T) {
	const source = "{\n  \"version\": \"1.2.0\",\n  \"hash\": \"" + realSrc + "\",\n  \"note\": \"kept\"\n}\n"
	l := Layout{JSON: "hashbot.json",
		Inline:  []InlineHash{{FOD: "src", InlineValue: InlineValue{File: "source.json", Attr: "hash"}}},
		Version: &InlineValue{File: "source.json", Attr: "version"}}
	s, err := l.Load(reader(map[string]string{"source.json": source, "hashbot.json": "{}\n"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := s.Pins.Hash("src", ""); h != realSrc || s.Pins.Version() != "1.2.0" {
		t.Fatalf("loaded src %q, version %q", h, s.Pins.Version())
	}
	p := s.Pins.Clone()
	p.SetVersion("1.3.0")
	p.SetHash("src", "", newVendor)
	files, err := s.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("1.2.0", "1.3.0", realSrc, newVendor).Replace(source)
	if diff := cmp.Diff(want, string(files["source.json"])); diff != "" {
		t.Errorf("source.json (-want +got):\n%s", diff)
	}
	if err := s.Guard(files); err != nil {
		t.Errorf("Guard: %v", err)
	}
	for _, bad := range []string{`{"version": 1, "hash": ""}`, `{"version": "1.2.0", "hash": "sha256-\u0041"}`} {
		if _, err := l.Load(reader(map[string]string{"source.json": bad, "hashbot.json": "{}"}), ""); err == nil {
			t.Errorf("Load(%s) succeeded", bad)
		}
	}
}

// TestLoadRefusesAJSONHashFileWithADuplicateKey: Nix reads the last of
// two equal keys, and hashbot would write the first.
func TestLoadRefusesAJSONHashFileWithADuplicateKey(t *testing.T) {
	tests := []struct {
		name, source, want string
	}{
		{name: "the hash twice", source: "{\n  \"hash\": \"" + realSrc + "\",\n  \"hash\": \"" + newVendor + "\"\n}\n",
			want: `source.json: reading JSON: $: duplicate key "hash"`},
		{name: "the version twice", source: "{\"version\": \"1.2.0\", \"hash\": \"" + realSrc + "\", \"version\": \"9\"}",
			want: `source.json: reading JSON: $: duplicate key "version"`},
		{name: "a system twice", source: "{\"version\": \"1\", \"hash\": {\"x86_64-linux\": \"\",\n \"x86_64-linux\": \"\"}}",
			want: `source.json: reading JSON: $.hash: duplicate key "x86_64-linux"`},
		{name: "another key twice", source: "{\"version\": \"1\", \"hash\": \"" + realSrc + "\", \"meta\": {\"a\": 1, \"a\": [{}]}}",
			want: `source.json: reading JSON: $.meta: duplicate key "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Layout{JSON: "hashbot.json",
				Inline:  []InlineHash{{FOD: "src", InlineValue: InlineValue{File: "source.json", Attr: "hash"}}},
				Version: &InlineValue{File: "source.json", Attr: "version"}}
			if strings.Contains(tt.source, "x86_64-linux") {
				l.Inline[0].Systems = []string{"x86_64-linux"}
			}
			_, err := l.Load(reader(map[string]string{"source.json": tt.source, "hashbot.json": "{}\n"}), "")
			var le *LayoutError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v; want a *LayoutError containing %q", err, tt.want)
			}
		})
	}
}

// FuzzLocateJSON checks that any bytes are read without panicking and that
// a literal found is the bytes it claims.
func FuzzLocateJSON(f *testing.F) {
	f.Add([]byte(`{"version": "1.2.0", "hash": "sha256-x", "h": {"x86_64-linux": ""}}`), "h")
	f.Add([]byte(`{"a": {"b": "c\u0041"}}`), "a.b")
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		b, err := locateJSON(data, path)
		if err != nil {
			return
		}
		for _, l := range b.Literals() {
			if l.Start < 0 || l.End > len(data) || l.Start > l.End || string(data[l.Start:l.End]) != l.Value {
				t.Fatalf("literal %+v does not match the data", l)
			}
		}
	})
}
