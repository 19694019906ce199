package fod

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/nix-community/go-nix/pkg/derivation"
)

// drvGraph reads .drv files from the store, each at most once per run.
type drvGraph struct {
	drvs map[string]*derivation.Derivation
	read func(path string) (*derivation.Derivation, error)
}

func newDrvGraph() *drvGraph {
	return &drvGraph{drvs: map[string]*derivation.Derivation{}, read: readDrvFile}
}

func readDrvFile(path string) (*derivation.Derivation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err := derivation.ReadDerivation(f)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return d, nil
}

func (g *drvGraph) get(path string) (*derivation.Derivation, error) {
	if d, ok := g.drvs[path]; ok {
		return d, nil
	}
	d, err := g.read(path)
	if err != nil {
		return nil, fmt.Errorf("reading derivation graph: %w", err)
	}
	g.drvs[path] = d
	return d, nil
}

// closureOutputs returns the output paths of every derivation the drv at
// root depends on, directly or not (root's own outputs excluded).
func (g *drvGraph) closureOutputs(root string) (map[string]bool, error) {
	outs := map[string]bool{}
	seen := map[string]bool{root: true}
	stack := []string{root}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		d, err := g.get(p)
		if err != nil {
			return nil, err
		}
		for in := range d.InputDerivations {
			if seen[in] {
				continue
			}
			seen[in] = true
			stack = append(stack, in)
			dep, err := g.get(in)
			if err != nil {
				return nil, err
			}
			for _, o := range dep.Outputs {
				outs[o.Path] = true
			}
		}
	}
	return outs, nil
}

// closureHas says whether drv is root or among its dependencies.
func (g *drvGraph) closureHas(root, drv string) (bool, error) {
	seen := map[string]bool{root: true}
	stack := []string{root}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p == drv {
			return true, nil
		}
		d, err := g.get(p)
		if err != nil {
			return false, err
		}
		for in := range d.InputDerivations {
			if !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	return false, nil
}

// nextLayer splits pending targets into those that can build now and those
// whose closure holds another pending target's placeholder output (they wait
// for that target's real hash). It sets waitOn on every pending target.
func nextLayer(g *drvGraph, pending []*target) (now, later []*target, err error) {
	byOut := map[string]*target{}
	for _, t := range pending {
		for _, o := range t.outs {
			byOut[o] = t
		}
	}
	for _, t := range pending {
		closure, err := g.closureOutputs(t.drv)
		if err != nil {
			return nil, nil, err
		}
		t.waitOn = nil
		for o := range closure {
			if dep, ok := byOut[o]; ok && dep != t {
				t.waitOn = append(t.waitOn, dep)
			}
		}
		if len(t.waitOn) == 0 {
			now = append(now, t)
		} else {
			later = append(later, t)
		}
	}
	if len(now) == 0 && len(later) > 0 {
		return nil, nil, fmt.Errorf("stale FODs depend on each other in a cycle (%s waits on %s)",
			later[0].label(), later[0].waitOn[0].label())
	}
	return now, later, nil
}

// requiredFeatures returns the system features the drv requires
// (requiredSystemFeatures, space-separated in its environment).
func (g *drvGraph) requiredFeatures(drv string) ([]string, error) {
	d, err := g.get(drv)
	if err != nil {
		return nil, err
	}
	return strings.Fields(d.Env["requiredSystemFeatures"]), nil
}

// usesHash says whether the drv's fixed output has the SRI hash sri, that
// is whether the derivation takes its hash from the pins at all.
func (g *drvGraph) usesHash(drv, sri string) (bool, error) {
	d, err := g.get(drv)
	if err != nil {
		return false, err
	}
	digest, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sri, "sha256-"))
	if err != nil {
		return false, fmt.Errorf("placeholder hash %q: %w", sri, err)
	}
	for _, o := range d.Outputs {
		if o.Hash == hex.EncodeToString(digest) {
			return true, nil
		}
	}
	return false, nil
}
