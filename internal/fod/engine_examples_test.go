package fod

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestComputeExamplesRepo runs the engine on examples/: a real `go mod
// vendor` through the Go module proxy and a real `npm ci` from the npm
// registry, fed by a src FOD not computed yet. It then builds every FOD by hand with
// the computed pins: Nix accepts them only if they are the hashes it gets.
func TestComputeExamplesRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("hits the Go module proxy and the npm registry")
	}
	e, runner := newTestEngine(t)
	testutil.RequireNixForExamples(t)
	f := newEngFixtureFrom(t, "../../examples")
	dir, cfg, p := f.dir, f.cfg, f.pins
	rep, err := e.Compute(t.Context(), Request{Config: cfg, Pins: p})
	if err != nil {
		t.Fatal(err)
	}
	res := statusOf(rep)
	// The committed pins hold the right vendor hash and null for the others.
	want := map[string]Status{
		"src": StatusChanged, "server-vendor": StatusUnchanged,
		"webui-deps (x86_64-linux)": StatusChanged, "webui-deps (aarch64-linux)": StatusChanged,
	}
	for label, s := range want {
		if r := res[label]; r.Status != s {
			t.Errorf("%s: %s (%s) %q, want %s", label, r.Status, r.Message, r.LogTail, s)
		}
	}
	if res["webui-deps (x86_64-linux)"].New == res["webui-deps (aarch64-linux)"].New {
		t.Error("webui-deps has the same hash on both systems")
	}
	if rep.Layers != 2 || len(runner.builds) != 4 {
		t.Errorf("layers = %d, builds = %d; want 2 (src feeds both) and 4 (a build per layer, a confirming one, the check)",
			rep.Layers, len(runner.builds))
	}
	// [check] attrs = ["app"]: the package, built on both systems with the
	// hashes just computed.
	for _, c := range rep.Checks {
		if c.Status != CheckBuilt {
			t.Errorf("check %s: %s (%s) %q", c.Label(), c.Status, c.Message, c.LogTail)
		}
	}
	if len(rep.Checks) != 2 {
		t.Errorf("checks %v, want app on both systems", rep.Checks)
	}
	rep.Apply(p)
	if err := os.WriteFile(filepath.Join(cfg.Dir, cfg.Pins), p.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	nix := nixcmd.New(nixcmd.Options{})
	for _, sys := range []string{"x86_64-linux", "aarch64-linux"} {
		_, err := nix.Run(t.Context(), nixcmd.Command{Name: "nix-build", Args: []string{
			filepath.Join(dir, cfg.Entry), "--argstr", "system", sys, "--no-out-link",
			"-A", "src", "-A", "server.goModules", "-A", "webui.npmDeps"}})
		if err != nil {
			t.Errorf("building the examples by hand for %s with the computed pins: %v", sys, err)
		}
	}
}
