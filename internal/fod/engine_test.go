package fod

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// engFixture is a copy of testdata/engine/repo with its config and pins.
type engFixture struct {
	dir  string
	cfg  *config.Config
	pins *pins.Pins
	snap map[string]string
}

func newEngFixture(t *testing.T) *engFixture {
	t.Helper()
	return newEngFixtureFrom(t, "testdata/engine/repo")
}

// newEngFixtureFrom copies the packaging repo at src into a temp dir.
func newEngFixtureFrom(t *testing.T, src string) *engFixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := copyTree(src, dir); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(dir, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := readPins(filepath.Join(cfg.Dir, cfg.Pins))
	if err != nil {
		t.Fatal(err)
	}
	return &engFixture{dir: dir, cfg: cfg, pins: p, snap: snapshotTree(t, dir)}
}

// assertUntouched fails when any file of the fixture changed.
func (f *engFixture) assertUntouched(t *testing.T) {
	t.Helper()
	if diff := cmp.Diff(f.snap, snapshotTree(t, f.dir)); diff != "" {
		t.Errorf("the repository changed (-before +after):\n%s", diff)
	}
}

func snapshotTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		snap[strings.TrimPrefix(p, dir)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// countingRunner records the nix-build invocations that build derivations
// and can rewrite Nix's answers.
type countingRunner struct {
	nixcmd.Runner
	mu     sync.Mutex
	builds [][]string
	config func([]byte) []byte // rewrites nix show-config's output
}

func (c *countingRunner) Run(ctx context.Context, cmd nixcmd.Command) (*nixcmd.Output, error) {
	if cmd.Name == "nix-build" && !slices.Contains(cmd.Args, "--version") {
		c.mu.Lock()
		c.builds = append(c.builds, cmd.Args)
		c.mu.Unlock()
	}
	out, err := c.Runner.Run(ctx, cmd)
	if err == nil && cmd.Name == "nix" && c.config != nil {
		out.Stdout = c.config(out.Stdout)
	}
	return out, err
}

func newTestEngine(t *testing.T) (*Engine, *countingRunner) {
	t.Helper()
	testutil.RequireNix(t)
	r := &countingRunner{Runner: nixcmd.New(nixcmd.Options{})}
	return NewEngine(EngineOptions{Nix: r}), r
}

// flatHash is the SRI hash of a flat-mode FOD whose output is data.
func flatHash(data string) string { return pins.SRI([]byte(data)) }

// statusOf indexes results by label.
func statusOf(rep *Report) map[string]TargetResult {
	m := map[string]TargetResult{}
	for _, r := range rep.Results {
		m[r.Label()] = r
	}
	return m
}

func TestComputeBuildsEveryTargetInOneBuildPerLayer(t *testing.T) {
	e, runner := newTestEngine(t)
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins,
		FODs: []string{"flat", "tree", "persys", "deep", "right", "src", "deps"}})
	if err != nil {
		t.Fatal(err)
	}
	f.assertUntouched(t)
	got := map[string][2]string{}
	for _, r := range rep.Results {
		got[r.Label()] = [2]string{string(r.Status), r.New}
	}
	treeHash := handBuiltHash(t, f.dir, "tree")
	srcHash := handBuiltHash(t, f.dir, "src")
	want := map[string][2]string{
		"flat":                   {"changed", flatHash("flat\n")},
		"tree":                   {"changed", treeHash},
		"persys (x86_64-linux)":  {"changed", flatHash("x86_64-linux\n")},
		"persys (aarch64-linux)": {"changed", flatHash("aarch64-linux\n")},
		"deep":                   {"changed", flatHash("deep\n")},
		"right":                  {"unchanged", flatHash("right\n")},
		"src":                    {"changed", srcHash},
		"deps":                   {"changed", flatHash("version 1.0.0\ndeps\n")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	// One nix-build per layer, then one in which Nix confirms the hashes.
	if rep.Layers != 2 || len(runner.builds) != 3 {
		t.Errorf("layers = %d, nix-build runs = %d; want 2 (src feeds deps) and 3 (a build per layer, a confirming one)",
			rep.Layers, len(runner.builds))
	}
	if !rep.OK() {
		t.Errorf("OK() = false for %s", rep.Summary())
	}
	p := f.pins.Clone()
	if n := rep.Apply(p); n != 7 {
		t.Errorf("Apply changed %d hashes, want 7", n)
	}
	if h, _ := p.Hash("persys", "aarch64-linux"); h != flatHash("aarch64-linux\n") {
		t.Errorf("applied persys aarch64-linux = %q", h)
	}
}

// handBuiltHash builds attr with the repo's own (null, so empty) hash the
// way a person would and returns the hash Nix reports.
func handBuiltHash(t *testing.T, dir, attr string) string {
	t.Helper()
	out, _ := nixcmd.New(nixcmd.Options{}).Run(t.Context(), nixcmd.Command{
		Name: "nix-build", Args: []string{filepath.Join(dir, "nix/default.nix"), "-A", attr, "--no-out-link"}})
	var got string
	for _, l := range out.StderrTail {
		NewParser().Feed([]byte(l), func(Result) {})
		if f := strings.Fields(l); len(f) == 2 && f[0] == "got:" {
			got = f[1]
		}
	}
	if got == "" {
		t.Fatalf("building %s by hand gave no hash: %q", attr, out.StderrTail)
	}
	return got
}

func TestComputeReportsEachFailureAndLeavesTreeUntouched(t *testing.T) {
	e, _ := newTestEngine(t)
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins,
		FODs: []string{"fail", "riscv", "flat", "fixed", "needsriscv"}})
	if err != nil {
		t.Fatal(err)
	}
	f.assertUntouched(t)
	res := statusOf(rep)
	want := map[string]Status{
		"fail": StatusFailed, "flat": StatusChanged, "fixed": StatusFailed,
		"riscv (x86_64-linux)": StatusChanged, "riscv (riscv64-linux)": StatusUnavailable,
		"needsriscv": StatusUnavailable,
	}
	for label, s := range want {
		if res[label].Status != s {
			t.Errorf("%s: status %s (%s), want %s", label, res[label].Status, res[label].Message, s)
		}
	}
	if tail := strings.Join(res["fail"].LogTail, "\n"); !strings.Contains(tail, "oops: registry said no") {
		t.Errorf("fail's log tail %q lacks the builder's error", tail)
	}
	if m := res["riscv (riscv64-linux)"].Message; !strings.Contains(m, "hashbot apply") {
		t.Errorf("unavailable message %q says nothing of how to get a builder", m)
	}
	if m := res["needsriscv"].Message; !strings.Contains(m, "riscv-tool.drv needs riscv64-linux") {
		t.Errorf("needsriscv: message %q does not name the dependency", m)
	}
	if m := res["fixed"].Message; !strings.Contains(m, "does not take its outputHash") {
		t.Errorf("fixed: message %q, want the pins diagnosis", m)
	}
	if rep.OK() {
		t.Error("OK() = true with failures")
	}
	p := f.pins.Clone()
	if n := rep.Apply(p); n != 2 {
		t.Errorf("Apply set %d hashes, want 2 (flat, riscv x86_64-linux)", n)
	}
}

// TestComputeRerunsWithoutSystemNixRefuses makes hashbot believe Nix can
// build riscv64-linux: Nix 2.8 then aborts the whole build, and hashbot
// must build the other targets again without it.
func TestComputeRerunsWithoutSystemNixRefuses(t *testing.T) {
	e, runner := newTestEngine(t)
	runner.config = func(b []byte) []byte {
		var conf map[string]map[string]any
		if err := json.Unmarshal(b, &conf); err != nil {
			t.Fatal(err)
		}
		conf["extra-platforms"]["value"] = []string{"aarch64-linux", "riscv64-linux"}
		b, _ = json.Marshal(conf)
		return b
	}
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"riscv", "flat"}})
	if err != nil {
		t.Fatal(err)
	}
	res := statusOf(rep)
	if s := res["riscv (riscv64-linux)"].Status; s != StatusUnavailable {
		t.Errorf("riscv64-linux: %s, want unavailable", s)
	}
	if s := res["riscv (x86_64-linux)"].Status; s != StatusChanged {
		t.Errorf("riscv x86_64-linux: %s (%s), want changed", s, res["riscv (x86_64-linux)"].Message)
	}
	// Nix before 2.3x aborts the whole build on the refusal, and hashbot
	// builds the others again; Nix 2.34 builds them all at once. Then one
	// build confirms the hashes.
	if n := len(runner.builds); n < 2 || n > 3 {
		t.Errorf("nix-build runs = %d, want 3 (one aborted, one without riscv64-linux, one confirming) or 2 (no abort)", n)
	}
}

func TestComputeVerifyMarksUnreproducible(t *testing.T) {
	e, _ := newTestEngine(t)
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"clock", "flat"}, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	f.assertUntouched(t)
	res := statusOf(rep)
	if s := res["clock"].Status; s != StatusUnreproducible {
		t.Errorf("clock: %s, want unreproducible", s)
	}
	if s := res["flat"].Status; s != StatusChanged {
		t.Errorf("flat: %s (%s), want changed", s, res["flat"].Message)
	}
	p := f.pins.Clone()
	rep.Apply(p)
	if _, ok := p.Hash("clock", ""); ok {
		t.Error("an unreproducible hash was applied")
	}
}

func TestComputeMissingAttrIsAttrError(t *testing.T) {
	e, runner := newTestEngine(t)
	f := newEngFixture(t)
	fod := f.cfg.FODs["deep"]
	fod.Attr = "nested.deeper"
	f.cfg.FODs["deep"] = fod
	_, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"deep", "flat"}})
	var ae *AttrError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *AttrError", err)
	}
	if !strings.Contains(err.Error(), `"deeper"`) || !strings.Contains(err.Error(), "[fod.deep]") {
		t.Errorf("error %q does not name the attribute and the FOD", err)
	}
	if len(runner.builds) != 0 {
		t.Errorf("built %d times after an evaluation error", len(runner.builds))
	}
	f.assertUntouched(t)
}

func TestComputeCancelKillsBuild(t *testing.T) {
	e, _ := newTestEngine(t)
	f := newEngFixture(t)
	ctx, cancel := context.WithCancel(t.Context())
	e.opts.Progress = func(ev ProgressEvent) {
		if ev.Kind == ProgressStarted {
			time.AfterFunc(500*time.Millisecond, cancel)
		}
	}
	start := time.Now()
	_, err := e.Compute(ctx, Request{Config: f.cfg, Pins: f.pins, FODs: []string{"slow"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Compute returned %v after start", d)
	}
	deadline := time.Now().Add(10 * time.Second)
	for processWithArg("31.7") {
		if time.Now().After(deadline) {
			t.Fatal("the builder's sleep 31.7 still runs after cancel")
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.assertUntouched(t)
}

// processWithArg says whether any process has arg in its command line.
func processWithArg(arg string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err == nil && slices.Contains(strings.Split(string(data), "\x00"), arg) {
			return true
		}
	}
	return false
}

// TestComputeVerifyFailsWhatAnUnreproducibleFODFeeds checks that a hash
// computed from an unreproducible FOD's output is not kept either (it was
// computed from an input whose hash is not written), and that the message
// names the FOD to blame.
func TestComputeVerifyFailsWhatAnUnreproducibleFODFeeds(t *testing.T) {
	e, _ := newTestEngine(t)
	f := newEngFixture(t)
	rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins,
		FODs: []string{"clocksrc", "clockdeps", "flat"}, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	res := statusOf(rep)
	want := map[string]Status{"clocksrc": StatusUnreproducible, "clockdeps": StatusFailed, "flat": StatusChanged}
	for label, s := range want {
		if res[label].Status != s {
			t.Errorf("%s: %s (%s), want %s", label, res[label].Status, res[label].Message, s)
		}
	}
	if m := res["clockdeps"].Message; !strings.Contains(m, "clocksrc") {
		t.Errorf("clockdeps: message %q does not name clocksrc", m)
	}
	p := f.pins.Clone()
	if n := rep.Apply(p); n != 1 {
		t.Errorf("Apply set %d hashes, want 1 (flat)", n)
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
