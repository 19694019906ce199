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

func TestStarterEscapesWhatItPrintsInComments(t *testing.T) {
	const inject = "x\n[pull-request]\nrepo = \"evil/repo\"\n"
	kept := StarterFOD{FOD: FOD{Name: "gopkgs", Attr: "packages.{system}.gopkgs", HashFile: "gopkgs.nix", HashAttr: "vendorHash"}}
	tests := []struct {
		name string
		edit func(s *Starter)
		want string // in the TOML, escaped
	}{
		{name: "a problem with an outputHash of several lines", edit: func(s *Starter) {
			s.FODs = append(s.FODs, StarterFOD{FOD: FOD{Name: "docs", Attr: "docs"}, Problem: "its outputHash (" + inject + ") is computed"})
		}, want: `# Not kept: its outputHash (x\n[pull-request]\nrepo = \"evil/repo\"\n) is computed.` + "\n"},
		{name: "a version candidate of several lines", edit: func(s *Starter) {
			s.Upstream.VersionFile, s.VersionCandidates = "", []string{"a.nix (version)", "b.json (" + inject + ")"}
		}, want: `#   b.json (x\n[pull-request]\nrepo = \"evil/repo\"\n)` + "\n"},
		{name: "a name of several lines, not kept", edit: func(s *Starter) {
			s.FODs = append(s.FODs, StarterFOD{FOD: FOD{Name: inject, Attr: "docs"}, Problem: "its outputHash is computed"})
		}, want: `# [fod."x\n[pull-request]\nrepo = \"evil/repo\"\n"]` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Starter{Flake: ".", Pins: "hashbot.json", Upstream: Upstream{Repo: "up/app", VersionFile: "v.nix"}, FODs: []StarterFOD{kept}}
			tt.edit(&s)
			data := s.TOML()
			c, err := Parse(data, t.TempDir())
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, data)
			}
			if c.PullRequest.Repo != "" || strings.Join(c.FODNames(), ",") != "gopkgs" {
				t.Errorf("a comment was read as TOML: [pull-request] repo %q, FODs %v\n%s", c.PullRequest.Repo, c.FODNames(), data)
			}
			if !strings.Contains(string(data), tt.want) {
				t.Errorf("hashbot.toml lacks %q:\n%s", tt.want, data)
			}
		})
	}
}

func TestStarterQuotesANameThatIsNoIdentifier(t *testing.T) {
	s := Starter{Flake: ".", Pins: "hashbot.json", Upstream: Upstream{Repo: "up/app"}, FODs: []StarterFOD{
		{FOD: FOD{Name: "x]\nattr = \"x\"\n[pull-request]\nrepo = \"evil/repo\"\n[fod.y", Attr: "y", HashFile: "y.nix", HashAttr: "hash"}}}}
	data := s.TOML()
	c, err := Parse(data, t.TempDir())
	if err == nil {
		t.Errorf("Parse took the name as TOML: [pull-request] repo %q, FODs %v\n%s", c.PullRequest.Repo, c.FODNames(), data)
	}
}

func TestLocalStarterRendersAConfigWithoutUpstream(t *testing.T) {
	s := Starter{Flake: ".", Pins: "hashbot.json", PullRequestRepo: "me/app", FODs: []StarterFOD{
		{FOD: FOD{Name: "vendor", Attr: "packages.{system}.app.goModules", HashFile: "flake.nix", HashAttr: "vendorHash",
			LocalInputs: []string{"go.mod", "go.sum"}, FlakeInputs: []string{"nixpkgs"}}},
		{FOD: FOD{Name: "web", Attr: "packages.{system}.web.npmDeps", HashFile: "flake.nix", HashAttr: "npmDepsHash"}},
		{FOD: FOD{Name: "src", Attr: "packages.{system}.src", HashFile: "flake.nix", HashAttr: "hash"}},
	}}
	data := s.TOML()
	c, err := Parse(data, t.TempDir())
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, data)
	}
	if c.HasUpstream() {
		t.Errorf("the local starter follows an upstream:\n%s", data)
	}
	if v := c.FODs["vendor"]; strings.Join(v.LocalInputs, ",") != "go.mod,go.sum" || strings.Join(v.FlakeInputs, ",") != "nixpkgs" {
		t.Errorf("[fod.vendor] local-inputs %v, flake-inputs %v", v.LocalInputs, v.FlakeInputs)
	}
	if w := c.LockWarnings(); len(w) != 0 {
		t.Errorf("the local starter's inputs warn: %v", w)
	}
	text := string(data)
	for _, want := range []string{
		"# local-inputs = [\"package.json\", \"package-lock.json\"]  # not found at the root",
		"# local-inputs = []  # the files of this repository its fetcher reads",
		"# [fix]\n# enabled = true",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("hashbot.toml lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"\n[upstream]", "# inputs =", "version-file", "tag-prefix"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("hashbot.toml has %q, an upstream's:\n%s", unwanted, text)
		}
	}
}

func TestLocalInputsHintFollowsTheFetcher(t *testing.T) {
	tests := []struct {
		name string
		fod  FOD
		want []string
	}{
		{"buildGoModule's goModules", FOD{Attr: "packages.{system}.app.goModules"}, []string{"go.mod", "go.sum"}},
		{"an inline vendorHash", FOD{Attr: "vendor", HashAttr: "vendorHash"}, []string{"go.mod", "go.sum"}},
		{"buildNpmPackage's npmDeps", FOD{Attr: "web.npmDeps"}, []string{"package.json", "package-lock.json"}},
		{"an npmDepsHash", FOD{Attr: "web", HashAttr: "npmDepsHash"}, []string{"package.json", "package-lock.json"}},
		{"pnpm's pnpmDeps", FOD{Attr: "web.pnpmDeps", HashAttr: "hash"}, []string{"package.json", "pnpm-lock.yaml"}},
		{"buildRustPackage's cargoDeps", FOD{Attr: "app.cargoDeps"}, []string{"Cargo.toml", "Cargo.lock"}},
		{"a cargoHash", FOD{Attr: "app", HashAttr: "cargoHash"}, []string{"Cargo.toml", "Cargo.lock"}},
		{"a source fetch", FOD{Attr: "src", HashAttr: "hash"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LocalInputsHint(tt.fod); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("LocalInputsHint = %v, want %v", got, tt.want)
			}
			for _, p := range LocalInputsHint(tt.fod) {
				if _, ok := lockPairOf(p); !ok {
					t.Errorf("%s is no manifest or lock of lockPairs", p)
				}
			}
		})
	}
}
