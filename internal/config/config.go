// Package config loads hashbot.toml, the file that tells hashbot where a
// packaging repository keeps its Nix entry point and pins, which upstream
// project it follows, and which fixed-output derivations it manages.
//
// Loading is strict: an unknown key is an error naming the key and its line,
// so that a typo never silently turns a setting off. Defaults are applied
// after decoding and Validate runs before anything else does. Of hashbot's
// packages it imports only leaves: ghrepo and safefile for its rules, and
// pins for the layout it describes (PinsLayout).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// FileName is the configuration file's name at the repository root.
const FileName = "hashbot.toml"

// Defaults for settings hashbot.toml may leave out.
const (
	DefaultEntry        = "nix/default.nix"
	DefaultPins         = "nix/sources.json"
	DefaultAuthor       = "hashbot <hashbot@localhost>"
	DefaultBranchPrefix = "hashbot/"
	DefaultRemote       = "origin"
	DefaultVersionAttr  = "version"
)

// DefaultLabels are the labels put on hashbot's pull requests.
var DefaultLabels = []string{"dependencies", "nix"}

// Config is a loaded, defaulted and validated hashbot.toml.
type Config struct {
	// Dir is the absolute path of the repository root (not from the file).
	Dir string `toml:"-"`
	// Entry is the Nix file evaluating to a function of { system, ... }
	// (or to an attribute set).
	Entry string `toml:"entry"`
	// Flake, instead of Entry, is the directory of a flake.nix ("." for
	// the repository's root): FOD attributes are paths in its outputs, with
	// {system} where the system goes ("packages.{system}.gopkgs").
	Flake string `toml:"flake"`
	// Pins is the JSON file the Nix code reads hashes from, and where
	// hashbot keeps what it records (input fingerprints, sources, the
	// version) beside the hashes written in Nix files (hash-file).
	Pins        string            `toml:"pins"`
	Upstream    Upstream          `toml:"upstream"`
	Sources     map[string]Source `toml:"source"`
	FODs        map[string]FOD    `toml:"fod"`
	Git         Git               `toml:"git"`
	PullRequest PullRequest       `toml:"pull-request"`
	Build       Build             `toml:"build"`
	Check       Check             `toml:"check"`
	Fix         Fix               `toml:"fix"`
}

// Fix configures how hashbot keeps pull requests' hashes right (`hashbot
// fix`).
type Fix struct {
	// Enabled makes `hashbot serve` fix the pull requests of the packaging
	// repository on its pull_request deliveries (opened, synchronize,
	// reopened). `hashbot fix` by hand needs no opt-in.
	Enabled bool `toml:"enabled"`
}

// Upstream is the project whose releases the pins follow.
type Upstream struct {
	// Repo is the GitHub repository, "owner/name".
	Repo string `toml:"repo"`
	// TagPrefix is what release tags start with ("version/" for authentik).
	TagPrefix string `toml:"tag-prefix"`
	// Branch, when set, follows a branch's head commit instead of releases.
	Branch string `toml:"branch"`
	// IncludePrereleases lets a prerelease be the candidate version.
	IncludePrereleases bool `toml:"include-prereleases"`
	// VersionFile, when set, is the Nix file whose string literal bound
	// to VersionAttr is the pinned version (nixpkgs' `version = "…";`),
	// kept there instead of in the pins.
	VersionFile string `toml:"version-file"`
	// VersionAttr is the attribute holding the version literal; default
	// "version".
	VersionAttr string `toml:"version-attr"`
}

// Source is a pinned input of the build other than the release: a
// repository followed by branch head or by release (nixpkgs on
// nixos-25.11, say), pinned under "sources" in the pins by its rev, the URL
// of its archive at that rev and the archive's hash. When it moves, the
// FODs it feeds are stale, and its pin moves in the same pull request.
type Source struct {
	// Name is the key under [source] and under "sources" in the pins.
	Name string `toml:"-"`
	// Repo is the GitHub repository, "owner/name".
	Repo string `toml:"repo"`
	// Branch follows this branch's head commit; without it, releases.
	Branch string `toml:"branch"`
	// TagPrefix is what release tags start with (release mode).
	TagPrefix string `toml:"tag-prefix"`
	// IncludePrereleases lets a prerelease be the candidate (release mode).
	IncludePrereleases bool `toml:"include-prereleases"`
	// FODs are the FODs it feeds; empty means every FOD.
	FODs []string `toml:"fods"`
	// URL is the archive's URL with "{rev}" where the commit or tag goes
	// (and "{repo}" for owner/name); empty means GitHub's own archive,
	// "<web>/{repo}/archive/{rev}.tar.gz".
	URL string `toml:"url"`
	// FlakeInput, when set, is the input of the flake (flake.lock) this
	// source is: its pin is the input's locked revision, kept in flake.lock
	// rather than in the pins, and hashbot moves it with Nix (nix flake
	// update). It follows Branch.
	FlakeInput string `toml:"flake-input"`
}

// Feeds says whether the source feeds the FOD f: one it lists (every FOD
// when it lists none), or, for a flake input, one whose flake-inputs name
// it.
func (s Source) Feeds(f FOD) bool {
	return len(s.FODs) == 0 || slices.Contains(s.FODs, f.Name) ||
		(s.FlakeInput != "" && slices.Contains(f.FlakeInputs, s.FlakeInput))
}

// SourceNames returns the configured source names, sorted.
func (c *Config) SourceNames() []string {
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// FOD is one fixed-output derivation whose hash hashbot keeps.
type FOD struct {
	// Name is the key under [fod] and under "hashes" in the pins.
	Name string `toml:"-"`
	// Attr is the attribute path in the entry's result ("server.goModules").
	Attr string `toml:"attr"`
	// Systems, when set, gives the FOD one hash per system.
	Systems []string `toml:"systems"`
	// Inputs are upstream files the FOD's output depends on; a pattern
	// ('*', '?' and '[…]' within a path segment, as path.Match) stands for
	// every file it matches, each compared on its own (the package.json of
	// every npm workspace, the pyproject.toml of every uv member).
	Inputs []string `toml:"inputs"`
	// GoImports is the upstream Go module ("." for the root) whose imports
	// the FOD depends on, as `go mod vendor` does: the packages outside the
	// standard library that the module's files import are fingerprinted,
	// and a change to them makes the FOD stale even when go.mod and go.sum
	// are the same. A FOD that vendors Go (vendorsGo) has it by default;
	// false turns it off.
	GoImports GoModule `toml:"go-imports"`
	// LocalGoImports is GoImports for a Go module of this repository
	// (hashbot's own vendor FOD), by default the one whose go.mod the
	// local-inputs name.
	LocalGoImports GoModule `toml:"local-go-imports"`
	// LocalInputs are files of the packaging repo that change the recipe.
	// A file holding hash literals (hash-file) is fingerprinted with their
	// content left out: writing a new hash there changes no recipe.
	LocalInputs []string `toml:"local-inputs"`
	// HashFile, when set, is the Nix file the hash is written in, as a
	// string literal bound to HashAttr (nixpkgs' `vendorHash = "…";`), or
	// for a per-system FOD, a set of them keyed by system; the pins keep
	// no hash for the FOD.
	HashFile string `toml:"hash-file"`
	// FlakeInputs are inputs of the flake (its flake.lock) the FOD is
	// built with: when one's locked revision moves, the FOD is stale.
	FlakeInputs []string `toml:"flake-inputs"`
	// HashAttr is the attribute holding the literal in HashFile:
	// "vendorHash", or "src.hash" for the hash inside the value of src.
	HashAttr string `toml:"hash-attr"`
}

// Inline says whether the FOD's hash is written in a Nix file.
func (f FOD) Inline() bool { return f.HashFile != "" }

// SystemPlaceholder stands for the system in a flake's attribute paths.
const SystemPlaceholder = "{system}"

// AttrFor is the FOD's attribute path for system: Attr with
// SystemPlaceholder replaced by system.
func (f FOD) AttrFor(system string) string { return AttrForSystem(f.Attr, system) }

// PerSystem says whether the FOD has one hash per system.
func (f FOD) PerSystem() bool { return len(f.Systems) > 0 }

// PinSystems are the keys of the FOD's hashes in the pins: its systems, or
// the one key "" when one hash serves every system.
func (f FOD) PinSystems() []string {
	if !f.PerSystem() {
		return []string{""}
	}
	return f.Systems
}

// AllSystems is how people are told of a hash that serves every system.
const AllSystems = "all systems"

// SystemLabel names the pin system sys for people: the system, or
// AllSystems for "".
func SystemLabel(sys string) string {
	if sys == "" {
		return AllSystems
	}
	return sys
}

// Uses says whether the upstream file at p is one of the FOD's inputs,
// named or matched by a pattern.
func (f FOD) Uses(p string) bool {
	for _, in := range f.Inputs {
		if in == p {
			return true
		}
		if ok, _ := path.Match(in, p); ok {
			return true
		}
	}
	return false
}

// IsPattern says whether an input is a pattern rather than a path.
func IsPattern(p string) bool { return strings.ContainsAny(p, "*?[") }

// GoImportsKey is the key of an upstream Go module's import fingerprint
// among the pins' inputs: "go-imports:<dir>".
func GoImportsKey(dir string) string { return "go-imports:" + dir }

// FlakeInputKey is the key of a flake input's locked revision among the
// pins' inputs: "flake-input:<name>".
func FlakeInputKey(name string) string { return "flake-input:" + name }

// FlakeLockPath is the flake.lock of the flake, relative to the
// repository.
func (c *Config) FlakeLockPath() string { return path.Join(c.Flake, "flake.lock") }

// LocalGoImportsKey is GoImportsKey for a Go module of this repository.
func LocalGoImportsKey(dir string) string { return "local-go-imports:" + dir }

// Git configures the commits and branches hashbot makes.
type Git struct {
	// Author is "Name <email>", used as author and committer.
	Author string `toml:"author"`
	// BranchPrefix starts every branch hashbot pushes.
	BranchPrefix string `toml:"branch-prefix"`
	// Remote is the git remote pushed to.
	Remote string `toml:"remote"`
	// Sign, "github", makes the commits through GitHub's API
	// (createCommitOnBranch), which GitHub signs, for repositories whose
	// rules require signed commits; "" commits with git and pushes. With
	// it, Author should be the App's bot identity, the commits' author.
	Sign string `toml:"sign"`
}

// SignByGitHub is [git] sign's value for commits GitHub signs.
const SignByGitHub = "github"

// PullRequest configures the pull request hashbot opens.
type PullRequest struct {
	// Repo is "owner/name"; empty means parsed from the remote's URL.
	Repo string `toml:"repo"`
	// Base is the branch the PR targets; empty means the default branch.
	Base string `toml:"base"`
	// Labels are added to the PR.
	Labels []string `toml:"labels"`
	// Draft opens the PR as a draft.
	Draft bool `toml:"draft"`
	// NeedsWorkLabel marks a PR whose [check] failed (it is a draft then);
	// default DefaultNeedsWorkLabel.
	NeedsWorkLabel string `toml:"needs-work-label"`
	// AutoMerge, "squash", "merge" or "rebase", enables GitHub's auto-merge
	// on a PR whose [check] built on every system; "" never does.
	AutoMerge string `toml:"auto-merge"`
}

// Build configures the Nix builds.
type Build struct {
	// MaxJobs is nix-build's --max-jobs; 0 means one job per target.
	MaxJobs int `toml:"max-jobs"`
	// Timeout bounds the Nix builds of one compute, in every command that
	// builds (update, run, serve); empty means no bound.
	Timeout Duration `toml:"timeout"`
}

// Duration is a time.Duration written as a Go duration string in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses "90m", "2h". A duration must be more than zero:
// leaving the key out is how to say "no bound".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q: want a Go duration such as \"90m\"", b)
	}
	if v <= 0 {
		return fmt.Errorf("duration %q: must be more than 0 (leave the key out for no bound)", b)
	}
	d.Duration = v
	return nil
}

// LoadOptions say where a configuration comes from besides its directory.
type LoadOptions struct {
	// Data is hashbot.toml's content (a commit's, read by the caller);
	// nil reads dir/hashbot.toml.
	Data []byte
	// Lookup finds HASHBOT_* overrides (os.LookupEnv in production); nil
	// applies none.
	Lookup func(string) (string, bool)
}

// Load is the one way a configuration is made: it decodes hashbot.toml for
// the repository tree at dir (opts.Data, or the file), applies defaults,
// then the HASHBOT_* overrides, validates the result and checks the files
// it names, each once. The files are checked after the overrides, so that
// HASHBOT_PINS can name a pins file the TOML's does not.
func Load(dir string, opts LoadOptions) (*Config, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", FileName, err)
	}
	data := opts.Data
	if data == nil {
		path := filepath.Join(abs, FileName)
		data, err = safefile.ReadRegular(path, 1<<20)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no %s in %s: hashbot needs one at the packaging repository's root (see README, \"Adopting hashbot\")", FileName, abs)
		}
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", FileName, err)
		}
	}
	c, err := decode(data, abs)
	if err != nil {
		return nil, err
	}
	if opts.Lookup != nil {
		if err := c.applyEnv(opts.Lookup); err != nil {
			return nil, err
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := c.CheckFiles(); err != nil {
		return nil, err
	}
	return c, nil
}

// CheckFiles checks the files of the repository the configuration names:
// the pins and every local input must be, after every symbolic link, a
// regular file inside the repository (hashbot reads them, and writes the
// pins); so must the entry, where it exists (only the commands that build
// read it, and they say so when it is missing).
func (c *Config) CheckFiles() error {
	var errs []error
	check := func(key, rel string, mayBeMissing bool) {
		real, err := safefile.Inside(c.Dir, rel)
		if err == nil {
			_, err = safefile.ReadRegular(real, 0)
		}
		if err != nil && !(mayBeMissing && errors.Is(err, os.ErrNotExist)) {
			errs = append(errs, fmt.Errorf("%s: %s %q: %w", FileName, key, rel, err))
		}
	}
	if c.Flake != "" {
		check("flake", c.EntryName(), true)
	} else {
		check("entry", c.Entry, true)
	}
	check("pins", c.Pins, false)
	if f := c.Upstream.VersionFile; f != "" {
		check("[upstream] version-file", f, false)
	}
	for _, name := range c.FODNames() {
		f := c.FODs[name]
		for _, p := range f.LocalInputs {
			check("[fod."+name+"] local-inputs", p, false)
		}
		if f.HashFile != "" {
			check("[fod."+name+"] hash-file", f.HashFile, false)
		}
	}
	return errors.Join(errs...)
}

// Parse decodes hashbot.toml from data for the repository at dir, applies
// defaults and validates the result, without the overrides or the file
// checks of Load: for a configuration that is only looked at (init's
// starter, tests).
func Parse(data []byte, dir string) (*Config, error) {
	c, err := decode(data, dir)
	if err != nil {
		return nil, err
	}
	return c, c.Validate()
}

// decode reads data strictly and applies the defaults.
func decode(data []byte, dir string) (*Config, error) {
	var c Config
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().EnableUnmarshalerInterface()
	if err := dec.Decode(&c); err != nil {
		return nil, decodeError(err)
	}
	c.Dir = dir
	c.applyDefaults()
	return &c, nil
}

// decodeError names the key and line of a TOML error.
func decodeError(err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		var msgs []string
		for _, e := range strict.Errors {
			row, _ := e.Position()
			msgs = append(msgs, fmt.Sprintf("line %d: unknown key %q", row, strings.Join(e.Key(), ".")))
		}
		return fmt.Errorf("%s: %s", FileName, strings.Join(msgs, "; "))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return fmt.Errorf("%s: line %d, column %d: %s", FileName, row, col, de.Error())
	}
	return fmt.Errorf("%s: %w", FileName, err)
}

func (c *Config) applyDefaults() {
	if c.Entry == "" && c.Flake == "" {
		c.Entry = DefaultEntry
	}
	if c.Upstream.VersionFile != "" && c.Upstream.VersionAttr == "" {
		c.Upstream.VersionAttr = DefaultVersionAttr
	}
	if c.Pins == "" {
		c.Pins = DefaultPins
	}
	if c.Git.Author == "" {
		c.Git.Author = DefaultAuthor
	}
	if c.Git.BranchPrefix == "" {
		c.Git.BranchPrefix = DefaultBranchPrefix
	}
	if c.Git.Remote == "" {
		c.Git.Remote = DefaultRemote
	}
	if c.PullRequest.NeedsWorkLabel == "" {
		c.PullRequest.NeedsWorkLabel = DefaultNeedsWorkLabel
	}
	if c.PullRequest.Labels == nil {
		c.PullRequest.Labels = append([]string(nil), DefaultLabels...)
	}
	for name, f := range c.FODs {
		f.Name = name
		f.applyGoDefaults()
		c.FODs[name] = f
	}
	for name, src := range c.Sources {
		src.Name = name
		c.Sources[name] = src
	}
}

// FODNames returns the configured FOD names, sorted.
func (c *Config) FODNames() []string {
	names := make([]string, 0, len(c.FODs))
	for n := range c.FODs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// EntryName names the entry in messages: the entry file, or the flake.nix.
func (c *Config) EntryName() string {
	if c.Flake != "" {
		return path.Join(c.Flake, "flake.nix")
	}
	return c.Entry
}

// HashFileOf is the file fod's hash is kept in: its hash-file, or the
// pins file.
func (c *Config) HashFileOf(fod string) string {
	if f, ok := c.FODs[fod]; ok && f.Inline() {
		return f.HashFile
	}
	return c.Pins
}

// PinsName names the files of the pins in messages: the pins file, and the
// files of the hashes and version written inline, comma-separated.
func (c *Config) PinsName() string { return strings.Join(c.PinsLayout().Paths(), ", ") }

// PinsLayout is where the pins are kept: the pins file, and the Nix files
// of the hashes (and version) written in the Nix code.
func (c *Config) PinsLayout() pins.Layout {
	l := pins.Layout{JSON: c.Pins}
	for _, name := range c.FODNames() {
		f := c.FODs[name]
		if f.Inline() {
			l.Inline = append(l.Inline, pins.InlineHash{FOD: name, Systems: f.Systems,
				InlineValue: pins.InlineValue{File: f.HashFile, Attr: f.HashAttr}})
		}
	}
	if u := c.Upstream; u.VersionFile != "" {
		l.Version = &pins.InlineValue{File: u.VersionFile, Attr: u.VersionAttr}
	}
	for _, name := range c.SourceNames() {
		if in := c.Sources[name].FlakeInput; in != "" {
			l.FlakeLock = c.FlakeLockPath()
			l.LockedInputs = append(l.LockedInputs, in)
		}
	}
	return l
}

// UpstreamOwnerName splits Upstream.Repo into owner and name.
func (c *Config) UpstreamOwnerName() (owner, name string) {
	owner, name, _ = strings.Cut(c.Upstream.Repo, "/")
	return owner, name
}
