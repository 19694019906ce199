package config

import (
	"errors"
	"fmt"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// ErrNoUpstream says a command that follows upstream releases (run, or
// serve without [fix] enabled) was given a configuration without
// [upstream]: a repository that packages itself has nothing upstream to
// follow, only its own files, and keeps its hashes right with fix, check
// and update (and serve with [fix] enabled).
var ErrNoUpstream = errors.New(FileName + ": no [upstream] repo: this command follows an upstream project's releases; " +
	"a repository that packages itself keeps its hashes with `hashbot fix`, `check` and `update` (or add [upstream] repo = \"owner/name\")")

// HasUpstream says whether the configuration follows an upstream project
// ([upstream] repo).
func (c *Config) HasUpstream() bool { return c.Upstream.Repo != "" }

// RequireUpstream returns ErrNoUpstream unless the configuration follows
// an upstream project: what run and serve ask before they start.
func (c *Config) RequireUpstream() error {
	if !c.HasUpstream() {
		return ErrNoUpstream
	}
	return nil
}

// validateUpstream checks [upstream]: it may be left out (a repository
// that packages itself), but then nothing may need it: no [upstream] key,
// and no FOD with upstream inputs or go-imports.
func (c *Config) validateUpstream() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(FileName+": "+format, args...))
	}
	if c.Upstream.Repo != "" {
		if !ghrepo.Valid(c.Upstream.Repo) {
			bad("[upstream] repo %q: want owner/name", c.Upstream.Repo)
		}
		return errs
	}
	u := c.Upstream
	if u.TagPrefix != "" || u.Branch != "" || u.IncludePrereleases || u.VersionFile != "" {
		bad("[upstream] without repo: name the project it follows (owner/name on GitHub), or leave [upstream] out")
	}
	for _, name := range c.FODNames() {
		f := c.FODs[name]
		if len(f.Inputs) > 0 {
			bad("[fod.%s] inputs are upstream files, and there is no [upstream] repo: a file of this repository is a local-input", name)
		}
		if f.GoImports.IsSet() {
			bad("[fod.%s] go-imports is an upstream module's, and there is no [upstream] repo: use local-go-imports", name)
		}
	}
	return errs
}
