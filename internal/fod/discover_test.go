package fod

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// discoverRepo has an FOD with an inline hash, one whose hash a set keyed
// by system holds, one in a JSON file, one whose hash is computed, and a
// package with its source as a sub-attribute.
var discoverRepo = map[string]string{
	"default.nix": `{ system ? builtins.currentSystem }:
let
  fod = name: outputHash: derivation {
    inherit name system outputHash;
    builder = "/bin/sh"; args = [ "-c" "echo > $out" ];
    outputHashMode = "flat"; outputHashAlgo = "sha256";
  };
  source = builtins.fromJSON (builtins.readFile ./source.json);
  # vendorHash = "a comment is no literal";
in
{
  vendor = fod "vendor" (let vendorHash = ""; in vendorHash);
  deps = fod "deps" (let outputHash = { x86_64-linux = ""; aarch64-linux = ""; }.${system}; in outputHash);
  fromJSON = fod "from-json" source.hash;
  computed = fod "computed" (builtins.hashString "sha256" "x");
  app = derivation { name = "app"; inherit system; builder = "/bin/sh"; src = fod "app-src" "";
    args = [ "-c" "echo > $out" ]; } // { src = fod "app-src" (let hash = ""; in hash); };
  notADerivation = 1;
}
`,
	"source.json": `{ "version": "1.2.3", "hash": "" }`,
}

func TestDiscoverFindsEachHashLiteralByNixsAnswer(t *testing.T) {
	e, _ := newTestEngine(t)
	dir := t.TempDir()
	for name, data := range discoverRepo {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshotTree(t, dir)
	d, err := e.Discover(t.Context(), DiscoverRequest{Dir: dir, Entry: "default.nix"})
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	got := map[string]string{}
	for _, f := range d.FODs {
		where := f.HashAttr + " " + f.HashFile + ":" + strconv.Itoa(f.Line) + " " + strings.Join(f.Systems, ",")
		if f.Problem != "" {
			where = "problem"
		}
		got[f.Name+" "+f.Attr] = where
	}
	want := map[string]string{
		"vendor vendor":     "vendorHash default.nix:12 ",
		"deps deps":         "outputHash default.nix:13 aarch64-linux,x86_64-linux",
		"fromJSON fromJSON": "hash source.json:1 ",
		"computed computed": "problem",
		"src app.src":       "hash default.nix:17 ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("discovered (-want +got):\n%s", diff)
	}
	if d.Version == nil || *d.Version != (pins.InlineValue{File: "source.json", Attr: "version"}) {
		t.Errorf("Version = %+v", d.Version)
	}
	if diff := cmp.Diff(before, snapshotTree(t, dir)); diff != "" {
		t.Errorf("Discover wrote to the repository (-before +after):\n%s", diff)
	}
}
