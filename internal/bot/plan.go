package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// plan is everything one run decides before it builds, made once and read
// by every later step: the base it computes from and commits on, the
// configuration and pins of that base, what upstream has, what is stale,
// and the branch and title of the change. Nothing after plan reads the
// configuration or the pins again.
type plan struct {
	// repo is the packaging repository; nil for a dry run in a directory
	// that is not a clone (it plans from the working tree then).
	repo *gitops.Repo
	// base is the commit of the base branch the run computes from and
	// commits on (zero without repo).
	base gitops.Hash
	// cfg is hashbot.toml of the base, its Dir the base's tree, written out.
	cfg *config.Config
	// oldPins are the pins of the base, as kept in the files of oldStored
	// (the pins file, and the Nix files of inline hashes).
	oldPins   *pins.Pins
	oldStored *pins.Stored
	check     *upstream.Result
	// oldLabel and newLabel name the pinned and candidate refs in branch
	// names, titles and commit messages.
	oldLabel, newLabel string
	branch, title      string
	// cleanup removes the written tree.
	cleanup func()
}

// makePlan fetches the base, reads hashbot.toml and the pins from it,
// writes its tree out for the build, and checks upstream. It returns a plan
// whose check says the run is up to date (or ignored as older) without a
// branch.
func (b *Bot) makePlan(ctx context.Context, ro RunOptions) (*plan, error) {
	p := &plan{cleanup: func() {}}
	repo, err := b.repo(ctx)
	switch {
	case err == nil:
		p.repo = repo
		if err := b.readBase(ctx, p); err != nil {
			p.cleanup()
			return nil, err
		}
	case ro.DryRun && errors.Is(err, gitops.ErrNotARepository):
		// A dry run in a directory that is not a clone (the demo's copy):
		// the working tree is all there is.
		zerolog.Ctx(ctx).Info().Str("dir", b.opts.Config.Dir).Msg("not a git clone: a dry run from the working tree")
		p.cfg = b.opts.Config
		if err := p.loadPins(pins.ReadTree(p.cfg.Dir), ""); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	if err := b.checkUpstream(ctx, p, ro); err != nil {
		p.cleanup()
		return nil, err
	}
	return p, nil
}

// repo is the packaging repository, opened once per Bot, with the run's
// token when a source renews it.
func (b *Bot) repo(ctx context.Context) (*gitops.Repo, error) {
	repo := b.opts.Repo
	if repo == nil {
		cfg := b.opts.Config
		var err error
		repo, err = gitops.Open(ctx, cfg.Dir, gitops.Options{
			RemoteName: cfg.Git.Remote, Token: b.opts.Git.Token, TokenHost: b.opts.Git.TokenHost,
			Base: cfg.PullRequest.Base,
		})
		if err != nil {
			return nil, err
		}
	}
	if src := b.opts.Git.TokenSource; src != nil {
		token, err := src(ctx)
		if err != nil {
			return nil, fmt.Errorf("a token for git: %w", err)
		}
		repo.SetToken(token)
	}
	return repo, nil
}

// readBase fetches the base branch and takes the configuration and the
// pins from its commit, with its tree written to a temporary directory for
// the build: what the run computes from is what it commits on.
func (b *Bot) readBase(ctx context.Context, p *plan) error {
	boot := b.opts.Config
	base, err := p.repo.FetchBase(ctx, boot.PullRequest.Base)
	if err != nil {
		return err
	}
	p.base = base
	tmp, err := os.MkdirTemp("", "hashbot-base-")
	if err != nil {
		return fmt.Errorf("writing the base tree: %w", err)
	}
	p.cleanup = func() { os.RemoveAll(tmp) }
	// Named like the repository: Nix names ./. after its directory.
	dir := filepath.Join(tmp, filepath.Base(boot.Dir))
	if err := p.repo.WriteTree(ctx, base, dir); err != nil {
		return err
	}
	data, err := p.repo.CommitFile(base, config.FileName)
	if err != nil {
		return fmt.Errorf("reading %s of the base %.12s: %w", config.FileName, base, err)
	}
	if p.cfg, err = b.opts.LoadConfig(data, dir); err != nil {
		return fmt.Errorf("the base's %s (%.12s): %w", config.FileName, base, err)
	}
	return p.loadPins(func(path string) ([]byte, error) { return p.repo.CommitFile(base, path) }, fmt.Sprintf("base %.12s", base))
}

// loadPins reads the plan's pins from the files of its configuration's
// layout with read.
func (p *plan) loadPins(read func(path string) ([]byte, error), name string) error {
	s, err := p.cfg.PinsLayout().Load(read, name)
	if err != nil {
		return err
	}
	p.oldStored, p.oldPins = s, s.Pins
	return nil
}

// checkUpstream finds the candidate and the stale FODs for the plan's pins
// and names the change.
func (b *Bot) checkUpstream(ctx context.Context, p *plan, ro RunOptions) error {
	cfg := p.cfg
	if ro.OnlyNewer && ro.Version != "" {
		if c, ok := version.Compare(ro.Version, p.oldPins.Version()); ok && c < 0 {
			zerolog.Ctx(ctx).Info().Str(logfield.Version, ro.Version).Str(logfield.Pinned, p.oldPins.Version()).Msg("older than the pinned version: ignored")
			p.check = &upstream.Result{Pinned: p.oldPins.Version(), Candidate: ro.Version, UpToDate: true}
			return nil
		}
	}
	check, err := b.opts.Checker.Check(ctx, cfg, p.oldPins, upstream.CheckOptions{Version: ro.Version, Sources: ro.sources})
	if err != nil {
		return fmt.Errorf("checking upstream %s: %w", cfg.Upstream.Repo, err)
	}
	p.check = check
	p.oldStored.ExpectLocked(check.LockedRevs()) // a moved flake.lock locks these, and only these
	if check.UpToDate {
		return nil
	}
	_, name := cfg.UpstreamOwnerName()
	p.oldLabel, p.newLabel = refLabels(check)
	if p.branch, err = gitops.BranchName(cfg.Git.BranchPrefix, name, p.newLabel); err != nil {
		return err
	}
	p.title = pulls.RenderTitle(name, p.oldLabel, p.newLabel)
	if !check.Moved && len(check.Sources) > 0 {
		p.title = sourcesTitle(name, check.Sources)
	}
	return nil
}

// sourcesTitle names a change that moves sources only, in nixpkgs'
// "what: old -> new" style: "authentik: nixpkgs 1a2b3c4d5e6f -> 6f5e4d3c2b1a".
func sourcesTitle(name string, moves []upstream.SourceMove) string {
	parts := make([]string, 0, len(moves))
	for _, m := range moves {
		if m.From == "" || m.From == m.To {
			parts = append(parts, m.Name+" "+shortRev(m.To))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s -> %s", m.Name, shortRev(m.From), shortRev(m.To)))
	}
	return pulls.RenderTitle(name, "", "") + " (" + strings.Join(parts, ", ") + ")"
}
