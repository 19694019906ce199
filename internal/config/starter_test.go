package config

import (
	"strings"
	"testing"
)

func TestStarterRendersAConfigThatParses(t *testing.T) {
	s := Starter{Flake: ".", Pins: "hashbot.json", PullRequestRepo: "me/app-nix",
		Upstream: Upstream{Repo: "goauthentik/authentik", TagPrefix: "version/", VersionFile: "components/default.nix", VersionAttr: "version"},
		FODs: []StarterFOD{
			{FOD: FOD{Name: "gopkgs", Attr: "packages.{system}.gopkgs", HashFile: "components/gopkgs.nix", HashAttr: "vendorHash"}},
			{FOD: FOD{Name: "webui", Attr: "packages.{system}.webui", Systems: []string{"aarch64-linux", "x86_64-linux"},
				HashFile: "components/webui.nix", HashAttr: "outputHash"}},
			{FOD: FOD{Name: "docs", Attr: "packages.{system}.docs"}, Problem: "its outputHash is computed"},
		}}
	data := s.TOML()
	c, err := Parse(data, t.TempDir())
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, data)
	}
	if got := c.FODNames(); strings.Join(got, ",") != "gopkgs,webui" {
		t.Errorf("FODs = %v, want the two kept", got)
	}
	text := string(data)
	for _, want := range []string{"# Not kept: its outputHash is computed.\n# [fod.docs]\n", "# inputs = [\"go.mod\", \"go.sum\"]",
		"version-file = \"components/default.nix\"\n", "[pull-request]\nrepo = \"me/app-nix\"\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("hashbot.toml lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "version-attr") {
		t.Error("the default version-attr was written")
	}
	// The Go vendor FOD (a vendorHash) is told its imports count once its
	// inputs name the go.mod; the npm FOD is not.
	goImports := "# inputs = [\"go.mod\", \"go.sum\"]\n# go-imports = \".\"  # the default with inputs"
	if n := strings.Count(text, "go-imports"); !strings.Contains(text, goImports) || n != 1 {
		t.Errorf("hashbot.toml says go-imports %d times, want once, after gopkgs' inputs (%q):\n%s", n, goImports, text)
	}
}
