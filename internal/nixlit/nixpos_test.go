package nixlit

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestBindingsAgreeWithNixsPositions checks the scanner against Nix
// itself: for each attribute, the line nixlit finds its binding on is the
// line builtins.unsafeGetAttrPos gives, and the literal's value is the
// value Nix evaluates, through comments, strings that look like bindings,
// indented strings and interpolations.
func TestBindingsAgreeWithNixsPositions(t *testing.T) {
	testutil.RequireNix(t)
	const src = `let
  x = "interpolated";
in
{
  # vendorHash = "in a comment";
  /* hash = "in a block comment"; */
  doc = ''
    vendorHash = "in an indented string ''${x}";
  '';
  a = { hash = "sha256-A"; };
  note = "hash = \"in a string ${x}\"";
  vendorHash =
    "sha256-V";
  deps = {
    outputHash = {
      x86_64-linux = "sha256-X";
      "aarch64-linux" = "sha256-R";
    };
  };
}
`
	file := filepath.Join(t.TempDir(), "f.nix")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path      string // for nixlit
		set, attr string // for Nix: the set holding attr
		key       string // a per-system key, for a keyed set
	}{
		{path: "vendorHash", set: "s", attr: "vendorHash"},
		{path: "a.hash", set: "s.a", attr: "hash"},
		{path: "deps.outputHash", set: "s.deps.outputHash", attr: "x86_64-linux", key: "x86_64-linux"},
		{path: "deps.outputHash", set: "s.deps.outputHash", attr: "aarch64-linux", key: "aarch64-linux"},
	}
	for _, c := range cases {
		t.Run(c.path+" "+c.key, func(t *testing.T) {
			expr := `let s = import ` + file + `; in { pos = builtins.unsafeGetAttrPos "` + c.attr + `" (` + c.set + `); value = (` + c.set + `).` + `"` + c.attr + `"; }`
			out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "--expr", expr).Output()
			if err != nil {
				t.Fatalf("nix-instantiate: %v", err)
			}
			var nix struct {
				Pos   struct{ Line int } `json:"pos"`
				Value string             `json:"value"`
			}
			if err := json.Unmarshal(out, &nix); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			b, err := Locate([]byte(src), c.path, 0)
			if err != nil {
				t.Fatalf("Locate: %v", err)
			}
			lit := b.Literal
			line := b.Line
			if c.key != "" {
				lit = b.ByKey[c.key]
				line = lit.Line
			}
			if line != nix.Pos.Line || lit.Value != nix.Value {
				t.Errorf("nixlit: line %d value %q; Nix: line %d value %q", line, lit.Value, nix.Pos.Line, nix.Value)
			}
		})
	}
}
