package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Check is [check]: the attributes built with the new hashes in place, to
// say in the pull request whether the package still builds, and the
// upstream lock files no FOD reads on purpose.
type Check struct {
	// Attrs are the attribute paths built after the FODs, for every
	// configured system ("assembled"; a flake's "packages.{system}.default").
	Attrs []string `toml:"attrs"`
	// Timeout bounds the check's Nix builds; empty means [build] timeout.
	Timeout Duration `toml:"timeout"`
	// IgnoreLocks are upstream lock files (paths, or patterns as in
	// inputs) that no FOD reads on purpose: they are not reported as
	// unclaimed (UnclaimedLocks).
	IgnoreLocks []string `toml:"ignore-locks"`
}

// DefaultNeedsWorkLabel is the label of a pull request whose check failed.
const DefaultNeedsWorkLabel = "hashbot:needs-work"

// The values of [pull-request] auto-merge: GitHub's merge methods.
var autoMergeMethods = []string{"squash", "merge", "rebase"}

// AttrForSystem is the attribute path attr for system: SystemPlaceholder
// replaced by system.
func AttrForSystem(attr, system string) string {
	return strings.ReplaceAll(attr, SystemPlaceholder, system)
}

// CheckTimeout is the bound of the check's builds: [check] timeout, else
// [build] timeout; 0 means none.
func (c *Config) CheckTimeout() time.Duration {
	if c.Check.Timeout.Duration > 0 {
		return c.Check.Timeout.Duration
	}
	return c.Build.Timeout.Duration
}

// CheckSystems are the systems the check builds for: every system an FOD
// lists, sorted; none (the machine's own) when no FOD lists one.
func (c *Config) CheckSystems() []string {
	var out []string
	for _, name := range c.FODNames() {
		for _, s := range c.FODs[name].Systems {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// validateCheck checks [check] and the pull request settings it drives.
func (c *Config) validateCheck() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(FileName+": "+format, args...))
	}
	for _, a := range c.Check.Attrs {
		hasSystem := strings.Contains(a, SystemPlaceholder)
		switch {
		case !attrPattern.MatchString(strings.ReplaceAll(a, SystemPlaceholder, "x86_64-linux")):
			bad("[check] attrs: %q is not an attribute path", a)
		case hasSystem && c.Flake == "":
			bad("[check] attrs: %q: %s is for a flake's attribute paths (set flake)", a, SystemPlaceholder)
		case !hasSystem && c.Flake != "":
			bad("[check] attrs: %q: a flake's attribute is built for every system and needs %s in its path (\"packages.%s.default\")",
				a, SystemPlaceholder, SystemPlaceholder)
		}
	}
	if m := c.PullRequest.AutoMerge; m != "" && !slices.Contains(autoMergeMethods, m) {
		bad("[pull-request] auto-merge %q: want one of %s", m, strings.Join(autoMergeMethods, ", "))
	}
	if c.PullRequest.AutoMerge != "" && len(c.Check.Attrs) == 0 {
		bad("[pull-request] auto-merge %q without [check] attrs: auto-merge waits for the check to build on every system", c.PullRequest.AutoMerge)
	}
	if strings.TrimSpace(c.PullRequest.NeedsWorkLabel) == "" {
		bad("[pull-request] needs-work-label: must not be empty")
	}
	return errs
}
