package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghrepo"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/safefile"
)

// initOptions are the flags of `hashbot init`.
type initOptions struct {
	IO      *ioStreams
	Factory *factory

	Entry, Flake string
	Attrs        []string
	Upstream     string
	TagPrefix    string
	Pins         string
	PullRequest  string
	DryRun       bool
	// Local writes a configuration without [upstream], for a repository
	// that packages itself (--local).
	Local bool
}

func newInitCmd(f *factory, runF func(*initOptions) error) *cobra.Command {
	opts := &initOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Find a repository's fixed-output derivations and write a starting hashbot.toml",
		Long: `init looks at the Nix code of the repository (--repo): the attributes named
with --attr, or every package of a flake (--flake), or every attribute of
the entry's result. It lists each fixed-output derivation it finds and
where its hash is written, and writes a hashbot.toml that keeps them there:
hashbot then rewrites those literals, and changes nothing else of the Nix
code.

To find where a hash is written, init puts a distinct probe hash into every
literal of the repository's .nix and .json files bound to a hash's name
(hash, sha256, outputHash, vendorHash, npmDepsHash, …) in a scratch copy,
and asks Nix which one each derivation took. A hash that is computed, or
written under another name, is listed with the reason and left out.

With --local, for a repository that packages itself (its FODs depend on its
own files only), it writes no [upstream]: each FOD gets the local-inputs its
fetcher reads, guessed from the fetcher (go.mod and go.sum for goModules or
a vendorHash; package.json with package-lock.json for npmDeps, with
pnpm-lock.yaml for pnpmDeps; Cargo.toml and Cargo.lock for cargoDeps),
those of them that exist at the repository's root; and, for a flake whose
flake.lock has a nixpkgs input, flake-inputs = ["nixpkgs"].

It refuses to overwrite a hashbot.toml; --dry-run prints the file instead.
It also writes the pins file (--pins) as {} when there is none: hashbot
records there what it checked.`,
		Example: `  hashbot init --flake . --upstream goauthentik/authentik --tag-prefix version/
  hashbot init --entry default.nix --attr authentik --upstream goauthentik/authentik --dry-run
  hashbot init --local --flake . --pull-request-repo me/app`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Entry, "entry", "", "the Nix entry file, relative to --repo (default: "+config.DefaultEntry+", or default.nix when that is missing)")
	fl.StringVar(&opts.Flake, "flake", "", `the flake's directory, relative to --repo ("." for its root)`)
	fl.StringArrayVar(&opts.Attrs, "attr", nil, "an attribute path to look at (repeatable; {system} in a flake's)")
	fl.StringVar(&opts.Upstream, "upstream", "", "the upstream project on GitHub, owner/name (required without --local)")
	fl.BoolVar(&opts.Local, "local", false, "a repository that packages itself: no [upstream], local-inputs guessed from each FOD's fetcher")
	fl.StringVar(&opts.TagPrefix, "tag-prefix", "", `what its release tags start with ("v", "version/")`)
	fl.StringVar(&opts.Pins, "pins", "hashbot.json", "the pins file hashbot keeps its records in")
	fl.StringVar(&opts.PullRequest, "pull-request-repo", "", "where pull requests go, owner/name (default: the git remote's)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the hashbot.toml instead of writing it")
	return cmd
}

// check refuses flags that cannot work, before anything is read.
func (o *initOptions) check() error {
	switch {
	case o.Local && (o.Upstream != "" || o.TagPrefix != ""):
		return usageErrorf("--local is a repository that packages itself: it follows no --upstream or --tag-prefix")
	case o.Local:
	case o.Upstream == "":
		return usageErrorf("--upstream owner/name is required: the project whose releases the pins follow (or --local for a repository that packages itself)")
	case !ghrepo.Valid(o.Upstream):
		return usageErrorf("--upstream %q: want owner/name", o.Upstream)
	}
	switch {
	case o.PullRequest != "" && !ghrepo.Valid(o.PullRequest):
		return usageErrorf("--pull-request-repo %q: want owner/name", o.PullRequest)
	case o.Entry != "" && o.Flake != "":
		return usageErrorf("--entry %q and --flake %q: name one", o.Entry, o.Flake)
	}
	return nil
}

func initRun(ctx context.Context, opts *initOptions) error {
	dir, err := filepath.Abs(opts.Factory.Repo)
	if err != nil {
		return err
	}
	target := filepath.Join(dir, config.FileName)
	if _, err := os.Lstat(target); err == nil && !opts.DryRun {
		return usageErrorf("%s exists: init writes a first one only (--dry-run prints what it would write)", target)
	}
	req := fod.DiscoverRequest{Dir: dir, Entry: opts.Entry, Flake: opts.Flake, Attrs: opts.Attrs}
	if req.Flake == "" && req.Entry == "" {
		req.Entry = config.DefaultEntry
		if _, err := os.Stat(filepath.Join(dir, req.Entry)); errors.Is(err, fs.ErrNotExist) {
			req.Entry = "default.nix"
		}
	}
	engine := fod.NewEngine(fod.EngineOptions{Nix: nixcmd.New(nixcmd.Options{}), Redact: opts.Factory.secrets.String})
	found, err := engine.Discover(ctx, req)
	if err != nil {
		return computeError(err)
	}
	if len(found.FODs) == 0 {
		return usageErrorf("no fixed-output derivation among %s (evaluated for %s): name the attributes with --attr",
			describeAttrs(req), found.System)
	}
	starter := config.Starter{Entry: req.Entry, Flake: req.Flake, Pins: opts.Pins, PullRequestRepo: opts.PullRequest,
		Upstream: config.Upstream{Repo: opts.Upstream, TagPrefix: opts.TagPrefix}, VersionCandidates: found.Versions}
	if v := found.Version; v != nil {
		starter.Upstream.VersionFile, starter.Upstream.VersionAttr = v.File, v.Attr
	}
	for _, d := range found.FODs {
		starter.FODs = append(starter.FODs, config.StarterFOD{Problem: d.Problem, FOD: config.FOD{
			Name: d.Name, Attr: d.Attr, Systems: d.Systems, HashFile: d.HashFile, HashAttr: d.HashAttr}})
	}
	if opts.Local {
		localStarter(&starter, dir)
	}
	printDiscovery(opts.IO.ErrOut, found)
	if !slices.ContainsFunc(found.FODs, func(d fod.Discovered) bool { return d.Problem == "" }) {
		return usageErrorf("no hash of these fixed-output derivations is written in a literal hashbot can keep (listed above)")
	}
	data := starter.TOML()
	// What init writes, hashbot must take: parsed as every command parses it.
	cfg, err := config.Parse(data, dir)
	if err != nil {
		return fmt.Errorf("the hashbot.toml init made is refused (please report it): %w\n%s", err, data)
	}
	if opts.DryRun {
		_, err := opts.IO.Out.Write(data)
		return err
	}
	pinsPath, err := pinsFile(dir, opts.Pins)
	if err != nil {
		return err
	}
	if err := os.WriteFile(target, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := cfg.CheckFiles(); err != nil {
		return err
	}
	if _, err := cfg.PinsLayout().Load(pins.ReadTree(dir), ""); err != nil {
		return fmt.Errorf("%s is written, but its pins do not load: %w", config.FileName, err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "hashbot: wrote %s (and %s); `hashbot update` computes the hashes\n", config.FileName, pinsPath)
	return nil
}

// localStarter makes starter one of a repository that packages itself
// (init --local): no [upstream], and each FOD's local inputs guessed from
// its fetcher, those of them that exist in dir; for a flake built with
// nixpkgs, flake-inputs naming it.
func localStarter(starter *config.Starter, dir string) {
	starter.Upstream, starter.VersionCandidates = config.Upstream{}, nil
	var flakeInputs []string
	if starter.Flake != "" && flakeHasInput(dir, starter.Flake, "nixpkgs") {
		flakeInputs = []string{"nixpkgs"}
	}
	for i := range starter.FODs {
		f := &starter.FODs[i].FOD
		for _, p := range config.LocalInputsHint(*f) {
			if st, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p))); err == nil && st.Mode().IsRegular() {
				f.LocalInputs = append(f.LocalInputs, p)
			}
		}
		f.FlakeInputs = flakeInputs
	}
}

// flakeHasInput says whether the flake.lock of the flake in dir has input
// among its root's inputs.
func flakeHasInput(dir, flake, input string) bool {
	path, err := safefile.Inside(dir, filepath.Join(flake, "flake.lock"))
	if err != nil {
		return false
	}
	data, err := safefile.ReadRegular(path, 16<<20)
	if err != nil {
		return false
	}
	lock, err := pins.ParseFlakeLock(data)
	if err != nil {
		return false
	}
	root, ok := lock.Node(lock.Root)
	_, has := root.Inputs[input]
	return ok && has
}

// pinsFile writes the pins file as {} when it is missing and returns its
// path relative to dir. A path that leads outside dir, through a symbolic
// link or "..", is refused, naming it: init writes nothing outside the
// repository.
func pinsFile(dir, rel string) (string, error) {
	path, err := safefile.Inside(dir, rel)
	if err != nil {
		return "", usageErrorf("--pins: %v", err)
	}
	if _, err := os.Lstat(path); err == nil {
		return rel, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("writing %s: %w", rel, err)
	}
	if err := os.WriteFile(path, []byte("{}\n"), 0o644); err != nil {
		return "", fmt.Errorf("writing %s: %w", rel, err)
	}
	return rel, nil
}

func describeAttrs(req fod.DiscoverRequest) string {
	switch {
	case len(req.Attrs) > 0:
		return strings.Join(req.Attrs, ", ")
	case req.Flake != "":
		return "the flake's packages"
	}
	return "the attributes of " + req.Entry
}

// printDiscovery lists what Discover found, one FOD a line.
func printDiscovery(w io.Writer, d *fod.Discovery) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FOD\tATTR\tSYSTEMS\tHASH")
	for _, f := range d.FODs {
		systems := config.AllSystems
		if len(f.Systems) > 0 {
			systems = strings.Join(f.Systems, ",")
		}
		where := fmt.Sprintf("%s at %s:%d", f.HashAttr, f.HashFile, f.Line)
		if f.Problem != "" {
			where = "not kept: " + f.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Attr, systems, where)
	}
	tw.Flush()
}
