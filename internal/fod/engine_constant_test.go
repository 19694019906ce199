package fod

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// settingsNix answers only ProbeHostWith's questions, as Nix 2.8 on an
// x86_64-linux machine without extra platforms, and counts them.
type settingsNix struct {
	mu    sync.Mutex
	asked int
	other []string // any other command: Compute should have none
}

func (s *settingsNix) Run(_ context.Context, c nixcmd.Command) (*nixcmd.Output, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case c.Name == "nix-build" && slices.Equal(c.Args, []string{"--version"}):
		s.asked++
		return &nixcmd.Output{Stdout: []byte("nix-build (Nix) 2.8.0\n")}, nil
	case c.Name == "nix" && slices.Contains(c.Args, "show-config"):
		s.asked++
		return &nixcmd.Output{Stdout: []byte(`{"system": {"value": "x86_64-linux"}, "extra-platforms": {"value": []}}`)}, nil
	}
	s.other = append(s.other, c.Name+" "+strings.Join(c.Args, " "))
	return nil, errors.New("settingsNix answers only ProbeHostWith")
}

// TestComputeAsksNixForItsSettingsOnce computes a target this machine
// cannot build (nothing to evaluate or build) with one engine, then with
// another on the same state directory: the second asks Nix nothing unless
// the Nix binary or NIX_CONFIG changed in between.
func TestComputeAsksNixForItsSettingsOnce(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, nixBinary string)
		want   int // questions the second engine asks Nix
	}{
		{"the same Nix", func(*testing.T, string) {}, 0},
		{"Nix's binary replaced (its mtime changed)", func(t *testing.T, bin string) {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(bin, later, later); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"NIX_CONFIG changed", func(t *testing.T, _ string) {
			t.Setenv("NIX_CONFIG", "extra-platforms = riscv64-linux")
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nixBinary := fakeNixOnPath(t)
			state := t.TempDir()
			f := newEngFixture(t)
			req := Request{Config: f.cfg, Pins: f.pins, FODs: []string{"riscv"}, Systems: []string{"riscv64-linux"}}
			compute := func() int {
				t.Helper()
				nix := &settingsNix{}
				rep, err := NewEngine(EngineOptions{Nix: nix, StateDir: state}).Compute(t.Context(), req)
				if err != nil {
					t.Fatal(err)
				}
				if r := statusOf(rep)["riscv (riscv64-linux)"]; r.Status != StatusUnavailable {
					t.Errorf("riscv (riscv64-linux): %s (%s), want unavailable", r.Status, r.Message)
				}
				if nix.other != nil {
					t.Errorf("Compute ran %q", nix.other)
				}
				return nix.asked
			}
			if n := compute(); n != 2 {
				t.Fatalf("the first engine asked Nix %d questions, want 2 (version, settings)", n)
			}
			tt.change(t, nixBinary)
			if n := compute(); n != tt.want {
				t.Errorf("the second engine asked Nix %d questions, want %d", n, tt.want)
			}
		})
	}
}

// fakeNixOnPath makes PATH a directory holding only a nix binary and
// nix-build (a link to it), for the probe cache's key, isolated from the
// host's nix.conf; it returns the binary's path.
func fakeNixOnPath(t *testing.T) string {
	t.Helper()
	nix := testutil.FakeNixInstall(t)
	t.Setenv("NIX_CONF_DIR", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("NIX_CONFIG", "")
	return nix
}

// processCounter counts the Nix processes a run starts, by program and
// (for nix-store, and nix-build --version) by operation.
type processCounter struct {
	nixcmd.Runner
	mu sync.Mutex
	n  map[string]int
}

func (p *processCounter) Run(ctx context.Context, c nixcmd.Command) (*nixcmd.Output, error) {
	key := c.Name
	switch {
	case c.Name == "nix-store" && len(c.Args) > 0:
		key += " " + c.Args[0]
	case c.Name == "nix-build" && slices.Contains(c.Args, "--version"):
		key += " --version"
	}
	p.mu.Lock()
	p.n[key]++
	p.mu.Unlock()
	return p.Runner.Run(ctx, c)
}

// quietNix drops the output paths nix-build prints when it realises an
// expression (hashbot's confirmation), as if it printed fewer than asked.
type quietNix struct{ nixcmd.Runner }

func (q quietNix) Run(ctx context.Context, c nixcmd.Command) (*nixcmd.Output, error) {
	out, err := q.Runner.Run(ctx, c)
	if err == nil && c.Name == "nix-build" && strings.HasSuffix(c.Args[len(c.Args)-1], "build.nix") {
		out.Stdout = nil
	}
	return out, err
}

// TestComputeConfirmsInOneNixBuild counts the Nix processes of a run whose
// Nix settings are cached: one evaluation and one build of the targets,
// then one nix-build that evaluates them with their new hashes and
// realises them. Only when that fails (a hash Nix did not compute), or when
// it does not print every output, are the targets evaluated again and the
// store asked which outputs are valid; --verify evaluates them before
// realising them, and builds them once more.
func TestComputeConfirmsInOneNixBuild(t *testing.T) {
	tests := []struct {
		name    string
		wrap    func(nixcmd.Runner) nixcmd.Runner
		verify  bool
		want    map[string]int
		flatNew string // flat's new hash, "" when it is failed
	}{
		{
			name:    "every hash confirmed",
			want:    map[string]int{"nix-instantiate": 1, "nix-build": 2},
			flatNew: flatHash("flat\n"),
		},
		{
			name: "a hash Nix did not compute",
			wrap: func(r nixcmd.Runner) nixcmd.Runner {
				return &lyingNix{Runner: r, from: flatHash("flat\n"), to: capHashEvil}
			},
			// flat's builder prints nothing: its log tail is read from the store.
			want: map[string]int{"nix-instantiate": 2, "nix-build": 2, "nix-store --check-validity": 1, "nix-store --read-log": 1},
		},
		{
			name:    "the confirming nix-build prints fewer outputs than targets",
			wrap:    func(r nixcmd.Runner) nixcmd.Runner { return quietNix{r} },
			want:    map[string]int{"nix-instantiate": 2, "nix-build": 2, "nix-store --check-validity": 1},
			flatNew: flatHash("flat\n"),
		},
		{
			name:    "verify",
			verify:  true,
			want:    map[string]int{"nix-instantiate": 2, "nix-build": 3},
			flatNew: flatHash("flat\n"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEngine(t)
			e.opts.StateDir = t.TempDir()
			if _, err := e.probeHost(t.Context()); err != nil {
				t.Fatal(err)
			}
			counter := &processCounter{Runner: e.opts.Nix, n: map[string]int{}}
			e.opts.Nix = counter
			if tt.wrap != nil {
				e.opts.Nix = tt.wrap(counter)
			}
			f := newEngFixture(t)
			rep, err := e.Compute(t.Context(), Request{Config: f.cfg, Pins: f.pins, FODs: []string{"flat", "deep"}, Verify: tt.verify})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, counter.n); diff != "" {
				t.Errorf("Nix processes (-want +got):\n%s", diff)
			}
			res := statusOf(rep)
			if r := res["flat"]; r.New != tt.flatNew {
				t.Errorf("flat: %s %q (%s), want the hash %q", r.Status, r.New, r.Message, tt.flatNew)
			}
			if r := res["deep"]; r.Status != StatusChanged || r.New != flatHash("deep\n") {
				t.Errorf("deep: %s %q (%s), want changed (confirmed)", r.Status, r.New, r.Message)
			}
		})
	}
}
