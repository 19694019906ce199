package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
)

func TestInitFlags(t *testing.T) {
	testFlags(t, newInitCmd, []flagCase[initOptions]{
		{name: "a flake", args: []string{"--flake", ".", "--upstream", "goauthentik/authentik", "--tag-prefix", "version/"},
			want: initOptions{Flake: ".", Upstream: "goauthentik/authentik", TagPrefix: "version/", Pins: "hashbot.json"}},
		{name: "an entry and attributes", args: []string{"--entry", "default.nix", "--attr", "authentik", "--attr", "python-deps",
			"--upstream", "o/r", "--pins", "nix/hashbot.json", "--dry-run"},
			want: initOptions{Entry: "default.nix", Attrs: []string{"authentik", "python-deps"}, Upstream: "o/r",
				Pins: "nix/hashbot.json", DryRun: true}},
		{name: "the upstream is required", args: []string{"--flake", "."}, wantErr: "--upstream owner/name is required", wantUsage: true},
		{name: "an upstream that is no repository", args: []string{"--upstream", "nope"}, wantErr: `--upstream "nope": want owner/name`, wantUsage: true},
		{name: "an entry and a flake", args: []string{"--upstream", "o/r", "--entry", "a.nix", "--flake", "."},
			wantErr: `--entry "a.nix" and --flake ".": name one`, wantUsage: true},
		{name: "a bad pull-request repo", args: []string{"--upstream", "o/r", "--pull-request-repo", "x"},
			wantErr: `--pull-request-repo "x": want owner/name`, wantUsage: true},
		{name: "no arguments", args: []string{"--upstream", "o/r", "extra"}, wantErr: "unknown command"},
		{name: "a repository that packages itself", args: []string{"--local", "--flake", ".", "--pull-request-repo", "me/app"},
			want: initOptions{Local: true, Flake: ".", PullRequest: "me/app", Pins: "hashbot.json"}},
		{name: "local with an upstream", args: []string{"--local", "--upstream", "o/r"},
			wantErr: "--local is a repository that packages itself", wantUsage: true},
		{name: "local with a tag prefix", args: []string{"--local", "--tag-prefix", "v"},
			wantErr: "--local is a repository that packages itself", wantUsage: true},
	})
}

func TestInitPinsFileWritesNothingOutsideTheRepository(t *testing.T) {
	tests := []struct {
		name    string
		pins    string
		wantErr string // "" = written in the repository
	}{
		{name: "a new file in a new directory", pins: "nix/hashbot.json"},
		{name: "through a directory link leading out", pins: "out/hashbot.json", wantErr: "--pins: out/hashbot.json ("},
		{name: "up and out", pins: "nix/../../hashbot.json", wantErr: "leads outside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
			for _, d := range []string{dir, outside} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
				t.Fatal(err)
			}
			_, err := pinsFile(dir, tt.pins)
			if tt.wantErr == "" {
				if data, rerr := os.ReadFile(filepath.Join(dir, tt.pins)); err != nil || string(data) != "{}\n" {
					t.Errorf("pinsFile = %v; the pins read %q (%v)", err, data, rerr)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("pinsFile = %v, want %q", err, tt.wantErr)
			}
			for _, d := range []string{outside, base} {
				if _, err := os.Stat(filepath.Join(d, "hashbot.json")); err == nil {
					t.Errorf("written outside the repository: %s", filepath.Join(d, "hashbot.json"))
				}
			}
		})
	}
}

func TestInitLocalGuessesInputsThatExist(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"go.mod": "module example.com/app\n", "go.sum": "", "package.json": "{}", "package-lock.json": "{}",
		"flake.nix": "{ outputs = _: { }; }\n", "hashbot.json": "{}\n",
		"flake.lock": `{"nodes":{"root":{"inputs":{"nixpkgs":"nixpkgs"}},"nixpkgs":{"locked":{"type":"github"}}},"root":"root","version":7}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	starter := config.Starter{Flake: ".", Pins: "hashbot.json", Upstream: config.Upstream{Repo: "should/go"},
		VersionCandidates: []string{"a.nix (version)"}, FODs: []config.StarterFOD{
			{FOD: config.FOD{Name: "vendor", Attr: "packages.{system}.app.goModules", HashFile: "flake.nix", HashAttr: "vendorHash"}},
			{FOD: config.FOD{Name: "web", Attr: "packages.{system}.web.npmDeps", HashFile: "flake.nix", HashAttr: "npmDepsHash"}},
			{FOD: config.FOD{Name: "crate", Attr: "packages.{system}.crate.cargoDeps", HashFile: "flake.nix", HashAttr: "hash"}},
			{FOD: config.FOD{Name: "src", Attr: "packages.{system}.src", HashFile: "flake.nix", HashAttr: "hash"}},
		}}
	localStarter(&starter, dir)
	got := map[string][]string{}
	for _, f := range starter.FODs {
		got[f.Name] = f.LocalInputs
		if strings.Join(f.FlakeInputs, ",") != "nixpkgs" {
			t.Errorf("[fod.%s] flake-inputs = %v, want nixpkgs (the flake.lock's root has it)", f.Name, f.FlakeInputs)
		}
	}
	want := map[string][]string{
		"vendor": {"go.mod", "go.sum"},
		"web":    {"package.json", "package-lock.json"},
		"crate":  nil, // Cargo.toml and Cargo.lock are not there
		"src":    nil, // no fetcher hashbot knows
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("local-inputs (-want +got):\n%s", diff)
	}
	if starter.Upstream.Repo != "" || starter.VersionCandidates != nil {
		t.Errorf("the starter still follows an upstream: %+v, %v", starter.Upstream, starter.VersionCandidates)
	}
	cfg, err := config.Parse(starter.TOML(), dir)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, starter.TOML())
	}
	if err := cfg.CheckFiles(); err != nil {
		t.Errorf("CheckFiles: %v", err)
	}
}
