package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// engineRepo copies the engine's tiny-FOD fixture repo into a temp dir.
func updEngineRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dir, os.DirFS("../fod/testdata/engine/repo")); err != nil {
		t.Fatal(err)
	}
	return dir
}

type updResult struct {
	code           int
	stdout, stderr string
}

func updRun(t *testing.T, args ...string) updResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(append(args, "--log-level", "warn"), strings.NewReader(""), &out, &errb)
	return updResult{code, out.String(), errb.String()}
}

func TestUpdateRejectsBadRepos(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string)
		want  string
	}{
		{"missing hashbot.toml", func(dir string) { os.Remove(filepath.Join(dir, "hashbot.toml")) }, "no hashbot.toml"},
		{"unknown key", func(dir string) {
			updAppendFile(t, filepath.Join(dir, "hashbot.toml"), "\n[fod.flat2]\nattr = \"flat\"\nsytems = []\n")
		}, `unknown key "fod.flat2.sytems"`},
		{"pins not JSON", func(dir string) {
			os.WriteFile(filepath.Join(dir, "nix/sources.json"), []byte("{\"hashes\": {"), 0o644)
		}, "nix/sources.json"},
		// (An FOD the pins do not name yet is computed, as a null one.)
		{"pins give a per-system FOD one hash", func(dir string) {
			path := filepath.Join(dir, "nix/sources.json")
			data, _ := os.ReadFile(path)
			os.WriteFile(path, bytes.Replace(data, []byte(`"persys": { "aarch64-linux": null, "x86_64-linux": null }`),
				[]byte(`"persys": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="`), 1), 0o644)
		}, "hashes.persys must be an object keyed by system"},
		{"unknown --fod", func(string) {}, `--fod "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := updEngineRepo(t)
			tt.setup(dir)
			before := updReadTree(t, dir)
			r := updRun(t, "update", "--repo", dir, "--fod", "nope")
			if tt.name != "unknown --fod" {
				r = updRun(t, "update", "--repo", dir)
			}
			if r.code != ExitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d naming %q", r.code, r.stderr, ExitUsage, tt.want)
			}
			if after := updReadTree(t, dir); after != before {
				t.Error("the repository changed")
			}
		})
	}
}

func TestUpdateWithoutNixSaysSo(t *testing.T) {
	dir := updEngineRepo(t)
	t.Setenv("PATH", t.TempDir())
	r := updRun(t, "update", "--repo", dir, "--fod", "flat")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "nix-build not found on PATH") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestUpdateMissingAttrIsUsageError(t *testing.T) {
	testutil.RequireNix(t)
	dir := updEngineRepo(t)
	toml := filepath.Join(dir, "hashbot.toml")
	data, _ := os.ReadFile(toml)
	os.WriteFile(toml, bytes.Replace(data, []byte(`attr = "nested.deep"`), []byte(`attr = "nested.deeep"`), 1), 0o644)
	before := updReadTree(t, dir)
	r := updRun(t, "update", "--repo", dir, "--fod", "deep")
	if r.code != ExitUsage || !strings.Contains(r.stderr, `no attribute "deeep"`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if updReadTree(t, dir) != before {
		t.Error("the repository changed")
	}
}

func updAppendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// readTree concatenates every file of dir, for before/after comparisons.
func updReadTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, "/.git/") {
			data, _ := os.ReadFile(p)
			b.WriteString(p + "\n" + string(data))
		}
		return nil
	})
	return b.String()
}

func TestUpdateFlags(t *testing.T) {
	testFlags(t, newUpdateCmd, []flagCase[updateOptions]{
		{name: "no flags compute every FOD", want: updateOptions{}},
		{name: "repeated flags add up", args: []string{"--fod", "python-deps", "--fod", "src", "--system", "x86_64-linux", "--system", "aarch64-linux"},
			want: updateOptions{FODs: []string{"python-deps", "src"}, Systems: []string{"x86_64-linux", "aarch64-linux"}}},
		{name: "every other flag", args: []string{"--verify", "--dry-run", "--partial", "--json", "--max-jobs", "4",
			"--set-version", "2026.2.2", "--source", "nixpkgs=3f1c2a9b0d4e5f60718293a4b5c6d7e8f9012345", "--source", "tools=main"},
			want: updateOptions{Verify: true, DryRun: true, Partial: true, JSON: true, MaxJobs: 4, SetVersion: "2026.2.2",
				Sources: []string{"nixpkgs=3f1c2a9b0d4e5f60718293a4b5c6d7e8f9012345", "tools=main"}}},
		{name: "a downgrade asked for in so many words", args: []string{"--set-version", "0.9.0", "--allow-downgrade"},
			want: updateOptions{SetVersion: "0.9.0", AllowDowngrade: true}},
		{name: "a negative --max-jobs is refused", args: []string{"--max-jobs", "-1"},
			wantErr: "--max-jobs -1: must be 0 or more", wantUsage: true},
		{name: "a version with a trailing space is refused", args: []string{"--dry-run", "--set-version", "2026.2.2 "},
			wantErr: `--set-version "2026.2.2 " is not a version`, wantUsage: true},
		{name: "a source without a rev is refused", args: []string{"--source", "nixpkgs"},
			wantErr: `--source "nixpkgs": want NAME=REV, once per source`, wantUsage: true},
		{name: "a source given twice is refused", args: []string{"--source", "nixpkgs=a", "--source", "nixpkgs=b"},
			wantErr: `--source "nixpkgs=b": want NAME=REV, once per source`, wantUsage: true},
		{name: "a --max-jobs that is not a number is refused", args: []string{"--max-jobs", "many"}, wantErr: `invalid argument "many"`},
		{name: "an argument is refused", args: []string{"surplus-argument"}, wantErr: `unknown command "surplus-argument"`},
	})
}
