package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/cli"
	"github.com/hashbot-nix/hashbot/internal/pins"
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
	code := cli.Main(append(args, "--log-level", "warn"), strings.NewReader(""), &out, &errb)
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
		{"pins lack a configured FOD", func(dir string) {
			updAppendFile(t, filepath.Join(dir, "hashbot.toml"), "\n[fod.newcomer]\nattr = \"flat\"\n")
		}, "newcomer"},
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
			if r.code != cli.ExitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d naming %q", r.code, r.stderr, cli.ExitUsage, tt.want)
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
	if r.code != cli.ExitFailure || !strings.Contains(r.stderr, "nix-build not found on PATH") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestUpdateWritesOnlyWhenEveryTargetSucceeded checks the tree with git:
// a failed target leaves it clean unless --partial is given.
func TestUpdateWritesOnlyWhenEveryTargetSucceeded(t *testing.T) {
	testutil.RequireNix(t)
	testutil.RequireGit(t)
	dir := updEngineRepo(t)
	updGit(t, dir, "init", "-q")
	updGit(t, dir, "add", ".")
	updGit(t, dir, "commit", "-q", "-m", "init")
	pinsPath := filepath.Join(dir, "nix/sources.json")

	r := updRun(t, "update", "--repo", dir, "--fod", "flat", "--fod", "fail", "--fod", "riscv")
	if r.code != cli.ExitPartial {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, cli.ExitPartial, r.stderr)
	}
	for _, want := range []string{"failed", "unavailable", "oops: registry said no", "--partial"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, r.stdout, r.stderr)
		}
	}
	if st := updGit(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("tree changed after a failed run:\n%s", st)
	}

	r = updRun(t, "update", "--repo", dir, "--fod", "flat", "--dry-run")
	if r.code != cli.ExitOK || updGit(t, dir, "status", "--porcelain") != "" {
		t.Fatalf("--dry-run: exit %d, status %q", r.code, updGit(t, dir, "status", "--porcelain"))
	}

	r = updRun(t, "update", "--repo", dir, "--fod", "flat", "--fod", "fail", "--partial", "--json")
	if r.code != cli.ExitPartial {
		t.Fatalf("--partial: exit %d; stderr %s", r.code, r.stderr)
	}
	var doc struct {
		Schema  int  `json:"schema"`
		OK      bool `json:"ok"`
		Results []struct {
			FOD, Status, New string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json output: %v\n%s", err, r.stdout)
	}
	if doc.Schema != 1 || doc.OK || len(doc.Results) != 2 {
		t.Errorf("--json = %+v", doc)
	}
	p, err := pins.Read(pinsPath)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := p.Hash("flat", ""); h != pins.SRI([]byte("flat\n")) {
		t.Errorf("flat = %q after --partial", h)
	}
	if st := updGit(t, dir, "status", "--porcelain", "--untracked-files=all"); st != " M nix/sources.json\n" {
		t.Errorf("status %q, want only the pins changed", st)
	}
	if c := p.Marshal(); !bytes.Contains(c, []byte(`"comment": "kept as is"`)) {
		t.Errorf("unknown key lost:\n%s", c)
	}

	r = updRun(t, "update", "--repo", dir, "--fod", "flat")
	if r.code != cli.ExitOK || !strings.Contains(r.stdout, "unchanged") {
		t.Errorf("second run: exit %d, stdout %q", r.code, r.stdout)
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
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, `no attribute "deeep"`) {
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

func updGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}
