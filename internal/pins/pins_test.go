package pins

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `{
  "version": "2026.2.1",
  "comment": "kept as is",
  "hashes": {
    "src": "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw=",
    "python-deps": {
      "aarch64-linux": null,
      "x86_64-linux": "sha256-old"
    },
    "server-vendor": null
  },
  "inputs": {
    "uv.lock": "sha256-lock"
  },
  "extra": [
    1,
    {
      "z": true,
      "a": "\u00e9"
    }
  ]
}
`

func TestRoundTripKeepsBytes(t *testing.T) {
	p, err := Parse([]byte(sample), "sources.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sample, string(p.Marshal())); diff != "" {
		t.Errorf("round trip changed the file (-want +got):\n%s", diff)
	}
}

func TestSetHashChangesOnlyThatHash(t *testing.T) {
	tests := []struct {
		name           string
		fod, system, h string
		want           string
	}{
		{"per-system null becomes a hash", "python-deps", "aarch64-linux", "sha256-new",
			`"aarch64-linux": "sha256-new"`},
		{"system-independent null becomes a hash", "server-vendor", "", "sha256-vendor",
			`"server-vendor": "sha256-vendor"`},
		{"empty hash writes null", "src", "", "", `"src": null`},
		{"new system is added in sorted order", "python-deps", "riscv64-linux", "sha256-r",
			"\"aarch64-linux\": null,\n      \"riscv64-linux\": \"sha256-r\",\n      \"x86_64-linux\": \"sha256-old\""},
		{"new FOD is appended", "webui-deps", "x86_64-linux", "sha256-w",
			"\"webui-deps\": {\n      \"x86_64-linux\": \"sha256-w\"\n    }\n  },"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(sample), "sources.json")
			if err != nil {
				t.Fatal(err)
			}
			p.SetHash(tt.fod, tt.system, tt.h)
			got := string(p.Marshal())
			if !strings.Contains(got, tt.want) {
				t.Errorf("want %q in:\n%s", tt.want, got)
			}
			if !strings.Contains(got, `"comment": "kept as is"`) || !strings.Contains(got, `"a": "\u00e9"`) {
				t.Errorf("unknown keys were not kept:\n%s", got)
			}
			h, ok := p.Hash(tt.fod, tt.system)
			if h != tt.h || ok != (tt.h != "") {
				t.Errorf("Hash(%q, %q) = %q, %v; want %q", tt.fod, tt.system, h, ok, tt.h)
			}
		})
	}
}

func TestHashReportsNullAndMissingAsNotOK(t *testing.T) {
	p, err := Parse([]byte(sample), "sources.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ fod, system string }{
		{"python-deps", "aarch64-linux"}, {"python-deps", "riscv64-linux"}, {"server-vendor", ""}, {"nope", ""},
	} {
		if h, ok := p.Hash(c.fod, c.system); ok {
			t.Errorf("Hash(%q, %q) = %q, true; want not ok", c.fod, c.system, h)
		}
	}
	if h, ok := p.Hash("python-deps", "x86_64-linux"); !ok || h != "sha256-old" {
		t.Errorf("Hash(python-deps, x86_64-linux) = %q, %v", h, ok)
	}
}

func TestParseRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{"version": `, "reading pins nix/sources.json: not valid JSON"},
		{"top level array", `[]`, "top level must be a JSON object"},
		{"hashes not an object", `{"hashes": []}`, `"hashes" must be an object`},
		{"duplicate key", `{"version": "1", "version": "2"}`, `duplicate key "version"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), "nix/sources.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCheckShape(t *testing.T) {
	p, err := Parse([]byte(sample), "nix/sources.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fod       string
		perSystem bool
		wantErr   string
	}{
		{"python-deps", true, ""},
		{"src", false, ""},
		{"server-vendor", false, ""},
		{"server-vendor", true, ""},
		{"src", true, "hashes.src must be an object keyed by system"},
		{"python-deps", false, "hashes.python-deps must be a hash string or null"},
		{"webui-deps", true, "hashes.webui-deps must be an object keyed by system (or null), and is missing"},
	}
	for _, tt := range tests {
		err := p.CheckShape(tt.fod, tt.perSystem)
		if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("CheckShape(%q, %v) = %v; want %q", tt.fod, tt.perSystem, err, tt.wantErr)
		}
	}
}

func TestInputsAndVersion(t *testing.T) {
	p, err := Parse([]byte(`{"version": "1"}`), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	p.SetVersion("2")
	p.SetRev("abc")
	p.SetInput("uv.lock", "sha256-x")
	want := "{\n  \"version\": \"2\",\n  \"rev\": \"abc\",\n  \"inputs\": {\n    \"uv.lock\": \"sha256-x\"\n  }\n}\n"
	if diff := cmp.Diff(want, string(p.Marshal())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if h, ok := p.Input("uv.lock"); !ok || h != "sha256-x" {
		t.Errorf("Input = %q, %v", h, ok)
	}
}

func TestCloneIsIndependent(t *testing.T) {
	p, _ := Parse([]byte(sample), "p.json")
	c := p.Clone()
	c.SetHash("src", "", "sha256-changed")
	if h, _ := p.Hash("src", ""); h == "sha256-changed" {
		t.Error("changing the clone changed the original")
	}
}

func TestSRI(t *testing.T) {
	// sha256 of the empty string, in SRI form.
	if got := SRI(nil); got != "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" {
		t.Errorf("SRI(nil) = %s", got)
	}
	if _, err := (Layout{JSON: "p.json"}).RecipeSRI(t.TempDir(), "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("RecipeSRI on a missing file: %v", err)
	}
}

func TestSetHashKeepsAnExistingSystemOrder(t *testing.T) {
	const doc = `{
  "hashes": {
    "deps": {
      "x86_64-linux": "sha256-x",
      "aarch64-linux": "sha256-a"
    }
  }
}
`
	p, err := Parse([]byte(doc), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	p.SetHash("deps", "aarch64-linux", "sha256-new")
	want := strings.Replace(doc, `"sha256-a"`, `"sha256-new"`, 1)
	if diff := cmp.Diff(want, string(p.Marshal())); diff != "" {
		t.Errorf("the order of systems changed (-want +got):\n%s", diff)
	}
}

// TestSaveWritesOnlyTheChangedFilesKeepingModesAndLinks is the pins
// writer every command uses: the changed files only, each file's mode
// kept, a symbolic link kept and its target replaced, nothing left
// behind, and a fake hash refused with nothing written.
func TestSaveWritesOnlyTheChangedFilesKeepingModesAndLinks(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "nix"), 0o755)
	const old = "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="
	const next = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	first, err := Parse([]byte(`{"version": "1.0.0", "hashes": {"src": "`+old+`"}}`), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "nix/real.json"), first.Marshal(), 0o600)
	os.Symlink("real.json", filepath.Join(dir, "nix/sources.json"))
	layout := Layout{JSON: "nix/sources.json"}
	load := func() *Stored {
		t.Helper()
		s, err := layout.Load(ReadTree(dir), "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := load()
	p := s.Pins.Clone()
	p.SetHash("src", "", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	if _, err := s.Save(dir, p, nil); err == nil {
		t.Fatal("Save wrote a fake hash")
	}
	if got := load().Pins; got.Version() != "1.0.0" {
		t.Fatal("a refused Save changed the file")
	}
	if written, err := s.Save(dir, s.Pins, nil); err != nil || len(written) != 0 {
		t.Fatalf("Save of unchanged pins = %v, %v; want nothing written", written, err)
	}
	p = s.Pins.Clone()
	p.SetHash("src", "", next)
	written, err := s.Save(dir, p, nil)
	if err != nil || len(written) != 1 || written[0] != "nix/sources.json" {
		t.Fatalf("Save = %v, %v", written, err)
	}
	if h, _ := load().Pins.Hash("src", ""); h != next {
		t.Errorf("src = %s after Save, want %s", h, next)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "nix/sources.json")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a regular file (%v)", err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "nix/real.json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "nix")); len(entries) != 2 {
		t.Errorf("files left behind: %v", entries)
	}
}

func TestSourcesRoundTrip(t *testing.T) {
	p, err := Parse([]byte(`{"version": "1", "hashes": {}, "sources": {"nixpkgs": {"note": "kept", "rev": "old"}}}`), "pins")
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := p.Source("nixpkgs"); !ok || s.Rev != "old" || s.Hash != "" {
		t.Errorf("Source = %+v, %v", s, ok)
	}
	p.SetSource("nixpkgs", Source{Rev: "abc", URL: "https://x/abc.tar.gz", Hash: "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="})
	p.SetSource("other", Source{Rev: "v1", Version: "1", URL: "https://x/v1.tar.gz"})
	want := `{
  "version": "1",
  "hashes": {},
  "sources": {
    "nixpkgs": {
      "note": "kept",
      "rev": "abc",
      "url": "https://x/abc.tar.gz",
      "hash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="
    },
    "other": {
      "rev": "v1",
      "version": "1",
      "url": "https://x/v1.tar.gz",
      "hash": null
    }
  }
}
`
	if got := string(p.Marshal()); got != want {
		t.Errorf("Marshal:\n%s\nwant:\n%s", got, want)
	}
	if _, ok := p.Source("missing"); ok {
		t.Error("a missing source was found")
	}
	if _, err := Parse([]byte(`{"sources": []}`), "pins"); err == nil {
		t.Error("sources that are not an object were accepted")
	}
}
