package config

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

var (
	namePattern   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*$`)
	attrPattern   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$`)
	systemPattern = regexp.MustCompile(`^[a-z0-9_]+-[a-z0-9_]+$`)
	authorPattern = regexp.MustCompile(`^[^<>]+ <[^<>\s]+>$`)
)

// Validate checks every setting and returns all problems at once, each
// naming the key and the bad value.
// ValidName says whether s can name an FOD or a source: a Nix identifier,
// as the keys of the pins are attribute names in the Nix code.
func ValidName(s string) bool { return namePattern.MatchString(s) }

func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(FileName+": "+format, args...))
	}
	switch {
	case c.Flake != "" && c.Entry != "":
		bad("entry %q and flake %q: name one, the entry file or the flake's directory", c.Entry, c.Flake)
	case c.Flake != "" && c.Flake != ".":
		if err := checkRelPath(c.Flake); err != nil {
			bad("flake %q: %v (\".\" for the repository's root)", c.Flake, err)
		}
	case c.Flake == "":
		if err := checkRelPath(c.Entry); err != nil {
			bad("entry %q: %v", c.Entry, err)
		}
	}
	if f := c.Upstream.VersionFile; f != "" {
		if err := checkNixFile(f); err != nil {
			bad("[upstream] version-file %q: %v", f, err)
		}
		if !attrPattern.MatchString(c.Upstream.VersionAttr) {
			bad("[upstream] version-attr %q: want a Nix attribute path such as \"version\"", c.Upstream.VersionAttr)
		}
		if c.Upstream.Branch != "" {
			bad("[upstream] version-file with branch %q: a branch's head has no version to write there", c.Upstream.Branch)
		}
	} else if c.Upstream.VersionAttr != "" {
		bad("[upstream] version-attr %q without version-file: name the file it is in", c.Upstream.VersionAttr)
	}
	if err := checkRelPath(c.Pins); err != nil {
		bad("pins %q: %v", c.Pins, err)
	}
	errs = append(errs, c.validateUpstream()...)
	// A prefix is checked with a version after it, as tags will have one.
	if c.Upstream.TagPrefix != "" && (!ghrepo.ValidRef(c.Upstream.TagPrefix+"0") || strings.ContainsAny(c.Upstream.TagPrefix, "#%")) {
		bad("[upstream] tag-prefix %q: not a valid tag prefix", c.Upstream.TagPrefix)
	}
	if c.Upstream.Branch != "" && !ghrepo.ValidRef(c.Upstream.Branch) {
		bad("[upstream] branch %q: not a valid branch name", c.Upstream.Branch)
	}
	if c.PullRequest.Base != "" && !ghrepo.ValidRef(c.PullRequest.Base) {
		bad("[pull-request] base %q: not a valid branch name", c.PullRequest.Base)
	}
	if !ghrepo.ValidRef(c.Git.BranchPrefix + "x") {
		bad("[git] branch-prefix %q: not a valid branch name prefix", c.Git.BranchPrefix)
	}
	if c.Git.Sign != "" && c.Git.Sign != SignByGitHub {
		bad("[git] sign %q: the one way is %q (commits through GitHub's API, which GitHub signs)", c.Git.Sign, SignByGitHub)
	}
	if len(c.FODs) == 0 {
		bad("no [fod.<name>] table: nothing to keep up to date")
	}
	for _, name := range c.FODNames() {
		f := c.FODs[name]
		errs = append(errs, f.validate()...)
		if f.HashFile == c.Pins {
			bad("[fod.%s] hash-file %q is the pins file: the pins file keeps hashes of its own: a hash-file is another file", name, f.HashFile)
		}
		if strings.Contains(f.Attr, SystemPlaceholder) && c.Flake == "" {
			bad("[fod.%s] attr %q: %s is for a flake's attribute paths (set flake)", name, f.Attr, SystemPlaceholder)
		}
		if len(f.FlakeInputs) > 0 && c.Flake == "" {
			bad("[fod.%s] flake-inputs: a flake's inputs (set flake)", name)
		}
		for _, in := range f.FlakeInputs {
			if !ValidName(in) {
				bad("[fod.%s] flake-inputs: %q is not a flake input's name", name, in)
			}
		}
		if c.Flake != "" && f.PerSystem() && !strings.Contains(f.Attr, SystemPlaceholder) {
			bad("[fod.%s] attr %q: a flake's FOD with systems needs %s in its path (\"packages.%s.%s\")",
				name, f.Attr, SystemPlaceholder, SystemPlaceholder, name)
		}
	}
	for _, name := range c.SourceNames() {
		errs = append(errs, c.Sources[name].validate(c)...)
	}
	if !authorPattern.MatchString(c.Git.Author) {
		bad("[git] author %q: want \"Name <email>\"", c.Git.Author)
	}
	if c.PullRequest.Repo != "" && !ghrepo.Valid(c.PullRequest.Repo) {
		bad("[pull-request] repo %q: want owner/name", c.PullRequest.Repo)
	}
	for _, l := range c.Check.IgnoreLocks {
		if err := checkRelPath(l); err != nil {
			bad("[check] ignore-locks %q: %v", l, err)
		}
	}
	if c.Build.MaxJobs < 0 {
		bad("[build] max-jobs %d: must be 0 (one per target) or more", c.Build.MaxJobs)
	}
	errs = append(errs, c.validateCheck()...)
	return errors.Join(errs...)
}

func (s Source) validate(c *Config) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(FileName+": [source.%s] "+format, append([]any{s.Name}, args...)...))
	}
	if !ValidName(s.Name) {
		bad("name: want letters, digits, '-' or '_'")
	}
	if s.Repo == "" {
		bad("repo is required (owner/name on GitHub)")
	} else if !ghrepo.Valid(s.Repo) {
		bad("repo %q: want owner/name", s.Repo)
	}
	switch {
	case s.Branch != "" && (s.TagPrefix != "" || s.IncludePrereleases):
		bad("branch %q and tag-prefix or include-prereleases: follow a branch or releases, not both", s.Branch)
	case s.Branch != "" && !ghrepo.ValidRef(s.Branch):
		bad("branch %q: not a valid branch name", s.Branch)
	case s.TagPrefix != "" && (!ghrepo.ValidRef(s.TagPrefix+"0") || strings.ContainsAny(s.TagPrefix, "#%")):
		bad("tag-prefix %q: not a valid tag prefix", s.TagPrefix)
	}
	for _, f := range s.FODs {
		if _, ok := c.FODs[f]; !ok {
			bad("fods: %q is no [fod.%s] (have: %s)", f, f, strings.Join(c.FODNames(), ", "))
		}
	}
	if s.FlakeInput != "" {
		switch {
		case !ValidName(s.FlakeInput):
			bad("flake-input %q is not a flake input's name", s.FlakeInput)
		case c.Flake == "":
			bad("flake-input %q: a flake's input (set flake)", s.FlakeInput)
		case s.Branch == "":
			bad("flake-input %q: a flake input is followed by branch (set branch to the one flake.nix names)", s.FlakeInput)
		case s.URL != "":
			bad("flake-input %q and url: a flake input's archive is the one flake.lock locks", s.FlakeInput)
		}
	}
	if s.URL != "" {
		u, err := url.Parse(strings.NewReplacer("{rev}", "0", "{repo}", "o/r").Replace(s.URL))
		if !strings.Contains(s.URL, "{rev}") || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsAny(s.URL, " \t\n\"'") {
			bad("url %q: want an http(s) URL with {rev} where the commit or tag goes", s.URL)
		}
	}
	return errs
}

func (f FOD) validate() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(FileName+": [fod.%s] "+format, append([]any{f.Name}, args...)...))
	}
	if !ValidName(f.Name) {
		bad("name: want letters, digits, '-' or '_'")
	}
	if f.Attr == "" {
		bad("attr is required (the attribute path in the entry's result)")
	} else if !attrPattern.MatchString(strings.ReplaceAll(f.Attr, SystemPlaceholder, "system")) {
		bad("attr %q: want a Nix attribute path such as \"server.goModules\"", f.Attr)
	}
	seen := map[string]bool{}
	for _, s := range f.Systems {
		if !systemPattern.MatchString(s) {
			bad("systems: %q is not a Nix system such as \"x86_64-linux\"", s)
		}
		if seen[s] {
			bad("systems: %q is listed twice", s)
		}
		seen[s] = true
	}
	for _, p := range f.Inputs {
		if err := checkRelPath(p); err != nil {
			bad("inputs: %q: %v", p, err)
		} else if _, err := path.Match(p, ""); err != nil {
			bad("inputs: %q: not a valid pattern: %v", p, err)
		}
	}
	for key, dir := range map[string]string{"go-imports": f.GoImports.Dir, "local-go-imports": f.LocalGoImports.Dir} {
		if dir != "" && dir != "." {
			if err := checkRelPath(dir); err != nil {
				bad("%s %q: %v (\".\" for the repository's root)", key, dir, err)
			}
		}
	}
	for _, why := range f.goDefaultErrors() {
		bad("%s", why)
	}
	for _, p := range f.LocalInputs {
		if err := checkRelPath(p); err != nil {
			bad("local-inputs: %q: %v", p, err)
		}
	}
	switch {
	case f.HashFile != "" && f.HashAttr == "":
		bad("hash-file %q without hash-attr: name the attribute holding the hash (\"vendorHash\", \"src.hash\")", f.HashFile)
	case f.HashFile == "" && f.HashAttr != "":
		bad("hash-attr %q without hash-file: name the Nix file it is in", f.HashAttr)
	case f.HashFile != "":
		if err := checkNixFile(f.HashFile); err != nil {
			bad("hash-file %q: %v", f.HashFile, err)
		}
		if !attrPattern.MatchString(f.HashAttr) {
			bad("hash-attr %q: want a Nix attribute path such as \"vendorHash\" or \"src.hash\"", f.HashAttr)
		}
	}
	return errs
}

// checkNixFile is checkRelPath for a file of Nix code, or a JSON file the
// Nix code reads (nixpkgs' source.json).
func checkNixFile(p string) error {
	if err := checkRelPath(p); err != nil {
		return err
	}
	if !strings.HasSuffix(p, ".nix") && !strings.HasSuffix(p, ".json") {
		return errors.New("not a .nix or .json file")
	}
	return nil
}

// checkRelPath accepts a clean, relative, slash-separated path inside the
// repository: hashbot reads these files and must not be led outside it.
func checkRelPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case strings.HasPrefix(p, "/"):
		return errors.New("must be relative to the repository root")
	case path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../"):
		return errors.New("must be a clean path inside the repository (no . or .. segments)")
	}
	return nil
}
