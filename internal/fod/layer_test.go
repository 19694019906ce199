package fod

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nix-community/go-nix/pkg/derivation"
)

// fakeGraph is a drvGraph over in-memory derivations: name -> inputs.
func fakeGraph(deps map[string][]string) *drvGraph {
	g := newDrvGraph()
	g.read = func(p string) (*derivation.Derivation, error) {
		in, ok := deps[p]
		if !ok {
			return nil, os.ErrNotExist
		}
		d := &derivation.Derivation{InputDerivations: map[string][]string{},
			Outputs: map[string]*derivation.Output{"out": {Path: p + "-out"}}}
		for _, i := range in {
			d.InputDerivations[i] = []string{"out"}
		}
		return d, nil
	}
	return g
}

func TestNextLayerWaitsOnStaleInputs(t *testing.T) {
	g := fakeGraph(map[string][]string{
		"src": {"stdenv"}, "deps": {"mid"}, "mid": {"src"}, "other": {"stdenv"},
		"top": {"deps"}, "stdenv": nil,
	})
	mk := func(name string) *target {
		return &target{fod: fodConfig(name), drv: name, outs: []string{name + "-out"}}
	}
	src, deps, other, top := mk("src"), mk("deps"), mk("other"), mk("top")
	now, later, err := nextLayer(g, []*target{src, deps, other, top})
	if err != nil {
		t.Fatal(err)
	}
	names := func(ts []*target) (out []string) {
		for _, t := range ts {
			out = append(out, t.fod.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"src", "other"}, names(now)); diff != "" {
		t.Errorf("first layer (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"deps", "top"}, names(later)); diff != "" {
		t.Errorf("later (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"src"}, names(deps.waitOn)); diff != "" {
		t.Errorf("deps waits on (-want +got):\n%s", diff)
	}
	if len(top.waitOn) != 2 {
		t.Errorf("top waits on %v, want src and deps", names(top.waitOn))
	}
}

func TestNextLayerReportsUnreadableDrv(t *testing.T) {
	g := fakeGraph(map[string][]string{"a": {"missing"}})
	_, _, err := nextLayer(g, []*target{{fod: fodConfig("a"), drv: "a"}})
	if err == nil {
		t.Fatal("want an error for a derivation that cannot be read")
	}
}
