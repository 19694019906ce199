package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const authentik = `
entry = "nix/default.nix"
pins  = "nix/sources.json"

[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.src]
attr = "src"

[fod.python-deps]
attr = "python-deps"
systems = ["x86_64-linux", "aarch64-linux"]
inputs = ["uv.lock", "pyproject.toml"]
local-inputs = ["nix/python-deps.nix"]

[fod.server-vendor]
attr = "server.goModules"
inputs = ["go.mod", "go.sum"]

[build]
timeout = "90m"
`

func TestParseAppliesDefaults(t *testing.T) {
	c, err := Parse([]byte(`
[upstream]
repo = "goauthentik/authentik"
[fod.src]
attr = "src"
`), "/repo")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Dir: "/repo", Entry: DefaultEntry, Pins: DefaultPins,
		Upstream:    Upstream{Repo: "goauthentik/authentik"},
		FODs:        map[string]FOD{"src": {Name: "src", Attr: "src"}},
		Git:         Git{Author: DefaultAuthor, BranchPrefix: DefaultBranchPrefix, Remote: DefaultRemote},
		PullRequest: PullRequest{Labels: []string{"dependencies", "nix"}, NeedsWorkLabel: DefaultNeedsWorkLabel},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseAuthentikConfig(t *testing.T) {
	c, err := Parse([]byte(authentik), "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"python-deps", "server-vendor", "src"}, c.FODNames()); diff != "" {
		t.Errorf("FODNames (-want +got):\n%s", diff)
	}
	py := c.FODs["python-deps"]
	if !py.PerSystem() || c.FODs["src"].PerSystem() || py.Name != "python-deps" {
		t.Errorf("python-deps = %+v", py)
	}
	if c.Build.Timeout.Duration != 90*time.Minute {
		t.Errorf("timeout = %v", c.Build.Timeout)
	}
	owner, name := c.UpstreamOwnerName()
	if owner != "goauthentik" || name != "authentik" {
		t.Errorf("owner/name = %s/%s", owner, name)
	}
}

func TestParseRejectsBadConfig(t *testing.T) {
	base := "[upstream]\nrepo = \"o/r\"\n[fod.src]\nattr = \"src\"\n"
	tests := []struct {
		name, data, want string
	}{
		{"unknown top-level key names key and line", "entyr = \"x\"\n" + base, `line 1: unknown key "entyr"`},
		{"unknown nested key", base + "sytems = [\"x86_64-linux\"]\n", `line 5: unknown key "fod.src.sytems"`},
		{"syntax error names the line", base + "attr = \n", "hashbot.toml: line 5"},
		{"upstream settings without a repo", "[upstream]\ntag-prefix = \"v\"\n[fod.src]\nattr = \"src\"\n", "[upstream] without repo"},
		{"upstream inputs without an upstream", "[fod.src]\nattr = \"src\"\ninputs = [\"go.sum\"]\n", "[fod.src] inputs are upstream files, and there is no [upstream] repo"},
		{"go-imports without an upstream", "[fod.src]\nattr = \"src\"\ngo-imports = \".\"\n", "[fod.src] go-imports is an upstream module's"},
		{"bad upstream repo", "[upstream]\nrepo = \"nope\"\n[fod.src]\nattr = \"src\"\n", `[upstream] repo "nope": want owner/name`},
		{"no FODs", "[upstream]\nrepo = \"o/r\"\n", "no [fod.<name>] table"},
		{"missing attr", "[upstream]\nrepo = \"o/r\"\n[fod.src]\ninputs = [\"a\"]\n", "[fod.src] attr is required"},
		{"bad attr", "[upstream]\nrepo = \"o/r\"\n[fod.src]\nattr = \"a..b\"\n", `[fod.src] attr "a..b"`},
		{"bad system", base + "systems = [\"x86_64\"]\n", `systems: "x86_64" is not a Nix system`},
		{"duplicate system", base + "systems = [\"x86_64-linux\", \"x86_64-linux\"]\n", "listed twice"},
		{"input outside the repo", base + "inputs = [\"../etc/passwd\"]\n", `inputs: "../etc/passwd": must be a clean path`},
		{"absolute pins", "pins = \"/etc/x.json\"\n" + base, `pins "/etc/x.json": must be relative`},
		{"dot-dot as an input", base + "inputs = [\"..\"]\n", `inputs: "..": must be a clean path`},
		{"dot-dot as a local input", base + "local-inputs = [\"..\"]\n", `local-inputs: "..": must be a clean path`},
		{"dot-dot as the pins", "pins = \"..\"\n" + base, `pins "..": must be a clean path`},
		{"dot-dot in the entry", "entry = \"nix/../../x.nix\"\n" + base, `entry "nix/../../x.nix": must be a clean path`},
		{"a tag prefix with a fragment", "[upstream]\nrepo = \"o/r\"\ntag-prefix = \"v#\"\n[fod.src]\nattr = \"src\"\n", `tag-prefix "v#"`},
		{"a branch that is no ref", "[upstream]\nrepo = \"o/r\"\nbranch = \"a..b\"\n[fod.src]\nattr = \"src\"\n", `[upstream] branch "a..b"`},
		{"a negative timeout", base + "[build]\ntimeout = \"-5s\"\n", `duration "-5s": must be more than 0`},
		{"bad author", base + "[git]\nauthor = \"hashbot\"\n", `[git] author "hashbot"`},
		{"bad duration", base + "[build]\ntimeout = \"soon\"\n", `invalid duration "soon"`},
		{"negative max-jobs", base + "[build]\nmax-jobs = -1\n", "[build] max-jobs -1"},
		{"a flake input without a flake", base + "[source.pkgs]\nrepo = \"o/p\"\nbranch = \"main\"\nflake-input = \"pkgs\"\n", `[source.pkgs] flake-input "pkgs": a flake's input (set flake)`},
		{"a flake input without a branch", "flake = \".\"\n" + base + "[source.pkgs]\nrepo = \"o/p\"\nflake-input = \"pkgs\"\n", `flake-input "pkgs": a flake input is followed by branch`},
		{"a flake input with a url", "flake = \".\"\n" + base + "[source.pkgs]\nrepo = \"o/p\"\nbranch = \"main\"\nflake-input = \"pkgs\"\nurl = \"https://x/{rev}\"\n", `flake-input "pkgs" and url`},
		{"an unknown key in [fix]", base + "[fix]\nenable = true\n", `unknown key "fix.enable"`},
		{"a flake input that is no name", "flake = \".\"\n" + base + "[source.pkgs]\nrepo = \"o/p\"\nbranch = \"main\"\nflake-input = \"a b\"\n", `flake-input "a b" is not a flake input's name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), "/repo")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadNamesMissingFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "no hashbot.toml in "+dir) {
		t.Errorf("err = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(authentik), 0o644); err != nil {
		t.Fatal(err)
	}
	writeRepoFiles(t, dir)
	c, err := Load(dir, LoadOptions{})
	if err != nil || c.Dir != dir {
		t.Fatalf("Load = %+v, %v", c, err)
	}
}

// writeRepoFiles writes the files the authentik configuration names.
func writeRepoFiles(t *testing.T, dir string) {
	t.Helper()
	for _, f := range []string{"nix/default.nix", "nix/sources.json", "nix/python-deps.nix"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadRefusesFilesOutsideOrOdd points the configured files at places
// hashbot must not read or write: each is an error naming the key.
func TestLoadRefusesFilesOutsideOrOdd(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, outside string)
		want  string
	}{
		{"the pins linked outside the repository", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, "nix/sources.json"))
			os.Symlink(filepath.Join(outside, "passwd"), filepath.Join(dir, "nix/sources.json"))
		}, `pins "nix/sources.json"`},
		{"a local input linked to /etc/passwd", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, "nix/python-deps.nix"))
			os.Symlink("/etc/passwd", filepath.Join(dir, "nix/python-deps.nix"))
		}, `local-inputs "nix/python-deps.nix"`},
		{"the nix directory linked outside", func(t *testing.T, dir, outside string) {
			os.RemoveAll(filepath.Join(dir, "nix"))
			os.Symlink(outside, filepath.Join(dir, "nix"))
		}, "leads outside the repository"},
		{"a FIFO as the pins", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, "nix/sources.json"))
			if err := syscall.Mkfifo(filepath.Join(dir, "nix/sources.json"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "named pipe (FIFO)"},
		{"a FIFO as hashbot.toml", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, FileName))
			if err := syscall.Mkfifo(filepath.Join(dir, FileName), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "named pipe (FIFO)"},
		{"the entry a directory", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, "nix/default.nix"))
			os.Mkdir(filepath.Join(dir, "nix/default.nix"), 0o755)
		}, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			os.WriteFile(filepath.Join(outside, "passwd"), []byte("root:x:0:0"), 0o644)
			os.WriteFile(filepath.Join(outside, "sources.json"), []byte("{}"), 0o644)
			os.WriteFile(filepath.Join(outside, "default.nix"), []byte("{}"), 0o644)
			os.WriteFile(filepath.Join(outside, "python-deps.nix"), []byte("{}"), 0o644)
			os.WriteFile(filepath.Join(dir, FileName), []byte(authentik), 0o644)
			writeRepoFiles(t, dir)
			tt.setup(t, dir, outside)
			done := make(chan error, 1)
			go func() { _, err := Load(dir, LoadOptions{}); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Load = %v, want an error with %q", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Load hangs")
			}
		})
	}
}

func TestLoadAppliesTheEnvironmentBeforeCheckingFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte(authentik), 0o644)
	writeRepoFiles(t, dir)
	lookup := func(env map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	c, err := Load(dir, LoadOptions{Lookup: lookup(map[string]string{
		"HASHBOT_PR_LABELS": "deps, bot", "HASHBOT_MAX_JOBS": "3", "HASHBOT_BRANCH_PREFIX": "bot/"})})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"deps", "bot"}, c.PullRequest.Labels); diff != "" || c.Build.MaxJobs != 3 || c.Git.BranchPrefix != "bot/" {
		t.Errorf("labels diff %s, max-jobs %d, prefix %q", diff, c.Build.MaxJobs, c.Git.BranchPrefix)
	}
	_, err = Load(dir, LoadOptions{Lookup: lookup(map[string]string{"HASHBOT_MAX_JOBS": "many"})})
	if err == nil || !strings.Contains(err.Error(), `HASHBOT_MAX_JOBS="many"`) {
		t.Errorf("err = %v", err)
	}
	// hashbot.toml names a pins file that is not there; HASHBOT_PINS names
	// one that is: the override decides before the files are checked.
	os.Rename(filepath.Join(dir, "nix/sources.json"), filepath.Join(dir, "nix/pins.json"))
	if _, err := Load(dir, LoadOptions{}); err == nil {
		t.Fatal("Load took a missing pins file")
	}
	c, err = Load(dir, LoadOptions{Lookup: lookup(map[string]string{"HASHBOT_PINS": "nix/pins.json"})})
	if err != nil || c.Pins != "nix/pins.json" {
		t.Fatalf("Load with HASHBOT_PINS = %+v, %v", c, err)
	}
}

func TestLoadReadsGivenData(t *testing.T) {
	dir := t.TempDir()
	writeRepoFiles(t, dir)
	// No hashbot.toml on disk: the caller read it from a commit.
	c, err := Load(dir, LoadOptions{Data: []byte(authentik)})
	if err != nil || c.Upstream.Repo != "goauthentik/authentik" {
		t.Fatalf("Load = %+v, %v", c, err)
	}
}

func TestDurationsMustBePositive(t *testing.T) {
	for _, d := range []string{"-5s", "0s", "soon"} {
		text := strings.Replace(authentik, `timeout = "90m"`, `timeout = "`+d+`"`, 1)
		_, err := Parse([]byte(text), "/repo")
		if err == nil || !strings.Contains(err.Error(), d) {
			t.Errorf("timeout = %q: Parse = %v, want an error naming it", d, err)
		}
	}
}

func TestInlineHashesNameTheirFiles(t *testing.T) {
	c, err := Parse([]byte(`
entry = "default.nix"
pins = "hashbot.json"
[upstream]
repo = "goauthentik/authentik"
version-file = "package.nix"
version-attr = "version"
[fod.src]
attr = "src"
[fod.vendor]
attr = "goModules"
hash-file = "package.nix"
hash-attr = "vendorHash"
`), "/repo")
	if err != nil {
		t.Fatal(err)
	}
	for fod, want := range map[string]string{"src": "hashbot.json", "vendor": "package.nix", "unknown": "hashbot.json"} {
		if got := c.HashFileOf(fod); got != want {
			t.Errorf("HashFileOf(%q) = %q, want %q", fod, got, want)
		}
	}
	if got, want := c.PinsName(), "hashbot.json, package.nix"; got != want {
		t.Errorf("PinsName() = %q, want %q", got, want)
	}
}

func TestSourceFeeds(t *testing.T) {
	vendor := FOD{Name: "vendor"}
	deps := FOD{Name: "deps", FlakeInputs: []string{"nixpkgs"}}
	tests := []struct {
		name string
		src  Source
		fod  FOD
		want bool
	}{
		{"no fods feeds every FOD", Source{}, vendor, true},
		{"a listed FOD", Source{FODs: []string{"vendor"}}, vendor, true},
		{"an unlisted FOD", Source{FODs: []string{"deps"}}, vendor, false},
		{"a flake input feeds the FODs naming it", Source{FODs: []string{"vendor"}, FlakeInput: "nixpkgs"}, deps, true},
		{"and not the others", Source{FODs: []string{"deps"}, FlakeInput: "nixpkgs"}, vendor, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.src.Feeds(tt.fod); got != tt.want {
				t.Errorf("Feeds(%s) = %v, want %v", tt.fod.Name, got, tt.want)
			}
		})
	}
}
