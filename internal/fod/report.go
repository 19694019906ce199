package fod

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// Status is the outcome of one target (one FOD for one system).
type Status string

// The statuses a target ends with.
const (
	// StatusChanged is a target whose new hash differs from its pin.
	StatusChanged Status = "changed"
	// StatusUnchanged is a target whose pin was already right.
	StatusUnchanged Status = "unchanged"
	// StatusFailed is a target whose builder (or a dependency's) failed, or
	// whose build gave no hash.
	StatusFailed Status = "failed"
	// StatusUnavailable is a target no builder here can build.
	StatusUnavailable Status = "unavailable"
	// StatusUnreproducible is a target whose second build (--verify) gave
	// a different hash.
	StatusUnreproducible Status = "unreproducible"
)

// Succeeded says whether the status carries a usable new hash.
func (s Status) Succeeded() bool { return s == StatusChanged || s == StatusUnchanged }

// ReportSchema is the version of the JSON form of a Report.
const ReportSchema = 1

// TargetResult is the outcome of one target.
type TargetResult struct {
	// FOD is the FOD's name in hashbot.toml.
	FOD string `json:"fod"`
	// System is the platform the target was evaluated and built for. For a
	// system-independent FOD it is the platform that computed it.
	System string `json:"system"`
	// PerSystem is true when the FOD has one hash per system.
	PerSystem bool `json:"per_system"`
	// Old is the pinned hash before the run ("" when null).
	Old string `json:"old,omitempty"`
	// New is the computed hash; set when Status succeeded.
	New string `json:"new,omitempty"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Drv is the derivation hashbot built (with a placeholder hash).
	Drv string `json:"drv,omitempty"`
	// Message explains a status other than changed or unchanged.
	Message string `json:"message,omitempty"`
	// LogTail is the end of the target's own build log when it failed.
	LogTail []string `json:"log_tail,omitempty"`
}

// PinSystem is the system key of the target in the pins: System for a
// per-system FOD, "" otherwise.
func (r TargetResult) PinSystem() string {
	if r.PerSystem {
		return r.System
	}
	return ""
}

// Label names the target for people: "npm-deps (aarch64-linux)" or "src".
func (r TargetResult) Label() string {
	if r.PerSystem {
		return r.FOD + " (" + r.System + ")"
	}
	return r.FOD
}

// Report is the outcome of one Compute.
type Report struct {
	// Results holds one entry per selected target, sorted by FOD and system.
	Results []TargetResult
	// Version is the pins' version the hashes were computed for.
	Version string
	// Host is the platform of the machine that ran Nix.
	Host string
	// NixVersion is the version of Nix that built.
	NixVersion string
	// Builders are the remote builders Nix was configured with.
	Builders []string
	// Layers is the number of build layers (FODs feeding stale FODs).
	Layers int
	// Duration is the wall time of Compute.
	Duration time.Duration
	// Warnings are things the user may want to change (build users, …).
	Warnings []string
	// Sources are the source pins ([source.<name>]) the hashes were
	// computed against: results computed against different ones are not
	// merged.
	Sources map[string]pins.Source
	// FlakeLock is the flake.lock the hashes were computed with when the
	// run pinned a flake input in it ([source] flake-input, update
	// --source): apply writes it with them, and results computed with
	// different locks are not merged. nil when no flake input was pinned.
	FlakeLock []byte
	// Checks are the [check] attributes built with the new hashes, one
	// per attribute and system, sorted; nil when none was asked for.
	Checks []CheckResult
	// Commit is the commit of the packaging repository the hashes were
	// computed on ("" outside a git repository): results cross from the
	// jobs that compute to the one that publishes, and are applied and
	// published on that commit only.
	Commit string
}

// OK says whether every selected target succeeded (changed or unchanged).
func (r *Report) OK() bool {
	for _, t := range r.Results {
		if !t.Status.Succeeded() {
			return false
		}
	}
	return true
}

// Changed returns the targets whose hash changed.
func (r *Report) Changed() []TargetResult {
	var out []TargetResult
	for _, t := range r.Results {
		if t.Status == StatusChanged {
			out = append(out, t)
		}
	}
	return out
}

// Apply sets the new hash of every successful target in p and returns how
// many hashes changed. Targets that did not succeed are left as they are.
func (r *Report) Apply(p *pins.Pins) (changed int) {
	for _, t := range r.Results {
		if !t.Status.Succeeded() || t.New == "" {
			continue
		}
		if old, ok := p.Hash(t.FOD, t.PinSystem()); ok && old == t.New {
			continue
		}
		p.SetHash(t.FOD, t.PinSystem(), t.New)
		changed++
	}
	return changed
}

// Summary counts the targets by status: "2 changed, 1 failed".
func (r *Report) Summary() string {
	counts := map[Status]int{}
	for _, t := range r.Results {
		counts[t.Status]++
	}
	var parts []string
	for _, s := range []Status{StatusChanged, StatusUnchanged, StatusFailed, StatusUnavailable, StatusUnreproducible} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		return "no targets"
	}
	return strings.Join(parts, ", ")
}

func sortResults(rs []TargetResult) {
	slices.SortFunc(rs, func(a, b TargetResult) int {
		if c := strings.Compare(a.FOD, b.FOD); c != 0 {
			return c
		}
		return strings.Compare(a.System, b.System)
	})
}

// reportJSON is the JSON form of a Report: the output of
// `hashbot update --json` and the input of `hashbot apply`.
type reportJSON struct {
	Schema          int                   `json:"schema"`
	OK              bool                  `json:"ok"`
	Version         string                `json:"version"`
	Host            string                `json:"host"`
	NixVersion      string                `json:"nix_version"`
	Builders        []string              `json:"builders"`
	Layers          int                   `json:"layers"`
	DurationSeconds float64               `json:"duration_seconds"`
	Warnings        []string              `json:"warnings"`
	Sources         map[string]sourceJSON `json:"sources,omitempty"`
	FlakeLock       string                `json:"flake_lock,omitempty"`
	Commit          string                `json:"commit,omitempty"`
	Results         []TargetResult        `json:"results"`
	Checks          []CheckResult         `json:"checks,omitempty"`
}

// sourceJSON is a source pin in a report, as in the pins file.
type sourceJSON struct {
	Rev     string `json:"rev"`
	Version string `json:"version,omitempty"`
	URL     string `json:"url"`
	Hash    string `json:"hash"`
}

// MarshalJSON writes the report in its documented JSON form (schema 1).
func (r *Report) MarshalJSON() ([]byte, error) {
	j := reportJSON{
		Schema: ReportSchema, OK: r.OK(), Version: r.Version, Host: r.Host,
		NixVersion: r.NixVersion, Builders: r.Builders, Layers: r.Layers,
		DurationSeconds: r.Duration.Round(time.Millisecond).Seconds(),
		Warnings:        r.Warnings, Results: r.Results, FlakeLock: string(r.FlakeLock),
		Commit: r.Commit, Checks: r.Checks,
	}
	for name, src := range r.Sources {
		if j.Sources == nil {
			j.Sources = map[string]sourceJSON{}
		}
		j.Sources[name] = sourceJSON(src)
	}
	if j.Builders == nil {
		j.Builders = []string{}
	}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	if j.Results == nil {
		j.Results = []TargetResult{}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the JSON form written by MarshalJSON.
func (r *Report) UnmarshalJSON(data []byte) error {
	var j reportJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if j.Schema != ReportSchema {
		return fmt.Errorf("report schema %d: this hashbot reads schema %d", j.Schema, ReportSchema)
	}
	for i, t := range j.Results {
		if t.FOD == "" || t.Status == "" {
			return fmt.Errorf("results[%d]: fod and status are required", i)
		}
		if t.PerSystem && t.System == "" {
			return fmt.Errorf("results[%d] (%s): per_system without a system", i, t.FOD)
		}
		if t.Status.Succeeded() && t.New == "" {
			return fmt.Errorf("results[%d] (%s): status %s without a new hash", i, t.Label(), t.Status)
		}
		// hashbot apply writes New into the pins: only a hash as hashbot
		// writes it (SRI), and never a placeholder, is taken.
		if t.New != "" {
			if err := pins.CheckHash(pins.HashPath(t.FOD, t.PinSystem()), t.New); err != nil {
				return fmt.Errorf("results[%d] (%s): new hash: %w", i, t.Label(), err)
			}
		}
	}
	if j.Commit != "" && !pins.IsCommit(j.Commit) {
		return fmt.Errorf("commit %.50q: not a full commit id", j.Commit)
	}
	var sources map[string]pins.Source
	for name, src := range j.Sources {
		if err := checkSourcePin(name, src); err != nil {
			return err
		}
		if sources == nil {
			sources = map[string]pins.Source{}
		}
		sources[name] = pins.Source(src)
	}
	*r = Report{
		Results: j.Results, Version: j.Version, Host: j.Host, NixVersion: j.NixVersion,
		Builders: j.Builders, Layers: j.Layers, Warnings: j.Warnings, Sources: sources,
		Duration: time.Duration(j.DurationSeconds * float64(time.Second)),
		Commit:   j.Commit, Checks: j.Checks,
	}
	if j.FlakeLock != "" { // apply guards it against the lock it replaces
		r.FlakeLock = []byte(j.FlakeLock)
	}
	return nil
}

// checkSourcePin refuses a source pin of a report that hashbot would not
// have written: apply copies it into the pins, and Nix fetches its URL.
func checkSourcePin(name string, src sourceJSON) error {
	where := "sources." + name
	if !config.ValidName(name) {
		return fmt.Errorf("sources: %.50q is not a source name", name)
	}
	if src.Rev == "" || strings.ContainsFunc(src.Rev, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Errorf("%s.rev %.50q: not a commit or a tag", where, src.Rev)
	}
	if u, err := url.Parse(src.URL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%s.url %.80q: not an http(s) URL", where, src.URL)
	}
	if src.Hash == "" { // not pinned yet: the Nix code fell back (nix/lib.nix)
		return nil
	}
	return pins.CheckHash(where+".hash", src.Hash)
}
