package fod

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// target is one FOD for one system, followed through evaluation and builds.
type target struct {
	fod       config.FOD
	system    string // platform it is evaluated and built for
	pinSystem string // key in the pins: system, or "" when system-independent
	old       string // pinned hash, "" when null
	fake      string // the placeholder hash it is built with

	drv    string // .drv path of the latest evaluation
	outs   []string
	waitOn []*target // stale targets in its closure (set by layering)
	res    *TargetResult
	// check marks a [check] attribute (fod.Name and fod.Attr are the
	// attribute) rather than an FOD.
	check bool
}

// where names the setting of hashbot.toml the target comes from.
func (t *target) where() string {
	if t.check {
		return fmt.Sprintf("%s [check] attrs %q", config.FileName, t.fod.Attr)
	}
	return fmt.Sprintf("%s [fod.%s] attr %q", config.FileName, t.fod.Name, t.fod.AttrFor(t.system))
}

func (t *target) label() string {
	if t.pinSystem != "" {
		return t.fod.Name + " (" + t.system + ")"
	}
	return t.fod.Name
}

func (t *target) done() bool { return t.res != nil }

// resolve records the target's outcome.
func (t *target) resolve(s Status, newHash, msg string, logTail []string) {
	t.res = &TargetResult{
		FOD: t.fod.Name, System: t.system, PerSystem: t.pinSystem != "",
		Old: t.old, New: newHash, Status: s, Drv: t.drv, Message: msg, LogTail: logTail,
	}
}

// resolveGot records the hash Nix computed for the target.
func (t *target) resolveGot(got string) {
	if got == t.old {
		t.resolve(StatusUnchanged, got, "", nil)
		return
	}
	t.resolve(StatusChanged, got, "", nil)
}

// RequestError is a request naming an FOD or system hashbot.toml does not
// have, or pins that do not fit hashbot.toml.
type RequestError struct {
	// Problems lists each problem, one sentence each.
	Problems []string
}

func (e *RequestError) Error() string { return strings.Join(e.Problems, "; ") }

// checkRequest checks the request against hashbot.toml and the pins
// before anything runs: every named FOD exists and every hash the pins hold
// (or null) has the right shape. An FOD the pins do not name yet was just
// added to hashbot.toml: `check` calls it stale ("no hash in the pins yet"),
// and it is computed as a null one is (writePins gives it its placeholder).
func checkRequest(req Request) error {
	var problems []string
	if req.Stored == nil && len(req.Config.PinsLayout().Inline) > 0 {
		problems = append(problems, "hashes kept in Nix files (hash-file) need the loaded pins layout (Request.Stored)")
	}
	for _, n := range req.FODs {
		if _, ok := req.Config.FODs[n]; !ok {
			problems = append(problems, fmt.Sprintf("--fod %q: no [fod.%s] in %s (have: %s)",
				n, n, config.FileName, strings.Join(req.Config.FODNames(), ", ")))
		}
	}
	for _, n := range req.Config.FODNames() {
		if !req.Pins.HasFOD(n) {
			continue
		}
		if err := req.Pins.CheckShape(n, req.Config.FODs[n].PerSystem()); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return &RequestError{Problems: problems}
	}
	return nil
}

// selectTargets expands the request into targets. The host's platform
// computes the system-independent FODs.
func selectTargets(req Request, host *nixcmd.Host) ([]*target, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	known := map[string]bool{host.System: true}
	for _, f := range req.Config.FODs {
		for _, s := range f.Systems {
			known[s] = true
		}
	}
	var problems []string
	for _, s := range req.Systems {
		if !known[s] {
			problems = append(problems, fmt.Sprintf("--system %q: no FOD lists it and it is not this machine's (%s)", s, host.System))
		}
	}
	if len(problems) > 0 {
		return nil, &RequestError{Problems: problems}
	}
	names := req.FODs
	if len(names) == 0 {
		names = req.Config.FODNames()
	}
	wantSystem := func(s string) bool { return len(req.Systems) == 0 || slices.Contains(req.Systems, s) }
	var out []*target
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		f := req.Config.FODs[n]
		// A system-independent FOD is computed here whatever the systems
		// asked for: the per-system FODs built for another system may take
		// it as input (src feeds webui-deps), and every machine gets the
		// same hash for it (apply checks that they agree).
		if !f.PerSystem() {
			out = append(out, newTarget(f, host.System, "", req.Pins))
			continue
		}
		for _, s := range f.Systems {
			if wantSystem(s) {
				out = append(out, newTarget(f, s, s, req.Pins))
			}
		}
	}
	return out, nil
}

func newTarget(f config.FOD, system, pinSystem string, p *pins.Pins) *target {
	old, _ := p.Hash(f.Name, pinSystem)
	return &target{fod: f, system: system, pinSystem: pinSystem, old: old, fake: pins.Placeholder(f.Name, pinSystem)}
}
