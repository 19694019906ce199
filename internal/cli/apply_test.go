package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// applyResults writes a schema-1 results file like `update --json` does.
func applyResults(t *testing.T, dir, name, results string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	doc := `{"schema": 1, "ok": true, "version": "1.0.0", "host": "x", "results": [` + results + `]}`
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The hashes the results files give (SRI, as hashbot writes them).
const (
	applyHashFlat  = "sha256-XcJ68of6VUqhD+yd6Nckp5ZFcvH/0kwrAOGjqGDOdnk="
	applyHashX86   = "sha256-E9amaOsHiaaOIP9bk6X9QpgdgcFPn7agdWqTaLjiA34="
	applyHashArm   = "sha256-3ff/Xr2dZs4WFGbBwCYkMPoE3jKw5CDuP0ieLiES44Y="
	applyHashOther = "sha256-2SmKENGwc1g33EvYXaxkGw887yekfl1TpU8vP1svz/o="
)

const (
	applyFlat    = `{"fod": "flat", "system": "x86_64-linux", "per_system": false, "new": "` + applyHashFlat + `", "status": "changed"}`
	applyX86     = `{"fod": "persys", "system": "x86_64-linux", "per_system": true, "new": "` + applyHashX86 + `", "status": "changed"}`
	applyArm     = `{"fod": "persys", "system": "aarch64-linux", "per_system": true, "new": "` + applyHashArm + `", "status": "changed"}`
	applyArmBad  = `{"fod": "persys", "system": "aarch64-linux", "per_system": true, "status": "unavailable", "message": "no builder"}`
	applyFlat2   = `{"fod": "flat", "system": "aarch64-linux", "per_system": false, "new": "` + applyHashOther + `", "status": "changed"}`
	applyNotHash = `{"fod": "flat", "system": "x86_64-linux", "per_system": false, "new": "sha256-flat", "status": "changed"}`
	applyFake    = `{"fod": "flat", "system": "x86_64-linux", "per_system": false, "new": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "status": "changed"}`
)

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		code    int
		want    string // in stderr
		written bool
	}{
		{name: "one file per platform", files: map[string]string{
			"x86.json": applyFlat + "," + applyX86 + "," + applyArmBad,
			"arm.json": applyArm,
		}, code: ExitOK, want: "wrote 3 hash(es)", written: true},
		{name: "a platform failed", files: map[string]string{
			"x86.json": applyFlat + "," + applyX86 + "," + applyArmBad,
		}, code: ExitPartial, want: "persys (aarch64-linux): unavailable in"},
		{name: "two hashes for one FOD", files: map[string]string{
			"x86.json": applyFlat + "," + applyX86,
			"arm.json": applyFlat2 + "," + applyArm,
		}, code: ExitFailure, want: "conflicting results: flat: " + applyHashOther + " from"},
		{name: "a hash that is not SRI", files: map[string]string{
			"x86.json": applyNotHash + "," + applyX86 + "," + applyArm,
		}, code: ExitUsage, want: `x86.json: results[0] (flat): new hash: hashes.flat "sha256-flat": not a Nix hash`},
		{name: "lib.fakeHash", files: map[string]string{
			"x86.json": applyFake + "," + applyX86 + "," + applyArm,
		}, code: ExitUsage, want: `hashes.flat "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=": a fake hash`},
		{name: "an md5 hash", files: map[string]string{
			"x86.json": strings.Replace(applyFlat, applyHashFlat, "md5-jvt4fqicHCtDKd0pQlwwZQ==", 1) + "," + applyX86 + "," + applyArm,
		}, code: ExitUsage, want: `hashes.flat "md5-jvt4fqicHCtDKd0pQlwwZQ==": hashed with md5, and only sha256 hashes are pinned`},
		{name: "hashbot's own placeholder", files: map[string]string{
			"x86.json": strings.Replace(applyFlat, applyHashFlat, pins.Placeholder("flat", ""), 1) + "," + applyX86 + "," + applyArm,
		}, code: ExitUsage, want: `hashbot's own placeholder, not a hash Nix computed`},
		{name: "not a results file", files: map[string]string{"x86.json": "nope"}, code: ExitUsage, want: "x86.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := updEngineRepo(t)
			resDir := t.TempDir()
			args := []string{"apply", "--repo", dir, "--fod", "flat", "--fod", "persys"}
			for name, results := range tt.files {
				p := applyResults(t, resDir, name, results)
				if results == "nope" {
					os.WriteFile(p, []byte("nope"), 0o644)
				}
				args = append(args, p)
			}
			before := updReadTree(t, dir)
			r := updRun(t, args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			if !tt.written {
				if updReadTree(t, dir) != before {
					t.Error("the repository changed")
				}
				return
			}
			p, err := readPins(filepath.Join(dir, "nix/sources.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range [][3]string{{"flat", "", applyHashFlat}, {"persys", "x86_64-linux", applyHashX86}, {"persys", "aarch64-linux", applyHashArm}} {
				if h, _ := p.Hash(c[0], c[1]); h != c[2] {
					t.Errorf("%s %s = %q, want %q", c[0], c[1], h, c[2])
				}
			}
		})
	}
}

func TestApplyFlags(t *testing.T) {
	testFlags(t, newApplyCmd, []flagCase[applyOptions]{
		{name: "the results files are the arguments", args: []string{"results/x86_64-linux.json", "results/aarch64-linux.json"},
			want: applyOptions{Files: []string{"results/x86_64-linux.json", "results/aarch64-linux.json"}}},
		{name: "every flag", args: []string{"--set-version", "2026.2.2", "--fod", "src", "--fod", "deps", "--dry-run", "x86.json"},
			want: applyOptions{Files: []string{"x86.json"}, FODs: []string{"src", "deps"}, DryRun: true, SetVersion: "2026.2.2"}},
		{name: "a downgrade asked for in so many words", args: []string{"--set-version", "0.9.0", "--allow-downgrade", "x86.json"},
			want: applyOptions{Files: []string{"x86.json"}, SetVersion: "0.9.0", AllowDowngrade: true}},
		{name: "no results file is refused", args: []string{"--dry-run"}, wantErr: "requires at least 1 arg(s), only received 0"},
		{name: "a version that is a command substitution is refused", args: []string{"--set-version", "$(id)", "x.json"},
			wantErr: `--set-version "$(id)" is not a version`, wantUsage: true},
	})
}

// TestApplyRemovesTheTemporaryFilesOfAKilledRun: a run killed while it
// staged its files leaves them behind; the next one removes them first.
func TestApplyRemovesTheTemporaryFilesOfAKilledRun(t *testing.T) {
	dir := updEngineRepo(t)
	stale := []string{filepath.Join(dir, "nix", safefile.TempPrefix+"sources.json-123"), filepath.Join(dir, safefile.TempPrefix+"journal.json-456")}
	for _, p := range stale {
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := applyResults(t, t.TempDir(), "x86.json", applyFlat+","+applyX86+","+applyArm)
	if r := updRun(t, "apply", "--repo", dir, "--fod", "flat", "--fod", "persys", res); r.code != ExitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
}

// readPins parses the pins file at path.
func readPins(path string) (*pins.Pins, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return pins.Parse(data, path)
}
