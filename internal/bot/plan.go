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
	"github.com/hashbot-nix/hashbot/internal/ghcommit"
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
// the branch and title of the change, and what the remote already holds
// for it (the bot's branch and its pull requests). Nothing after plan
// reads the configuration or the pins again, and nothing it holds is
// fetched again.
type plan struct {
	// repo is the packaging repository; nil for a dry run in a directory
	// that is not a clone (it plans from the working tree then).
	repo *gitops.Repo
	// baseBranch is the branch base was fetched from (the working tree's
	// [pull-request] base, or the remote's HEAD when empty).
	baseBranch string
	// base is the commit the run computes from and commits on (zero
	// without repo): the base branch's tip, or the commit PublishPins's
	// results were computed on.
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
	// pub and committer are made for cfg (nil for a dry run without
	// GitHub; committer nil unless cfg signs through GitHub).
	pub       prPublisher
	committer apiCommitter
	// botHead is the bot's branch as fetched once (nil when the remote has
	// none), recognised as hashbot's (ownBranch); existing are its pull
	// requests, looked up once (nil without pub).
	botHead   *gitops.RemoteBranch
	botStored *pins.Stored
	existing  *pulls.Existing
	// cleanup removes the written tree.
	cleanup func()
}

// makePlan fetches the base, reads hashbot.toml and the pins from it,
// writes its tree out for the build, lets step prepare the check from
// them, checks upstream and, for a change, looks at what the remote holds
// for its branch. It returns a plan whose check says the run is up to
// date (or ignored as older) without a branch.
func (b *Bot) makePlan(ctx context.Context, ro RunOptions, st step) (*plan, error) {
	p := &plan{cleanup: func() {}}
	repo, err := b.repo(ctx)
	switch {
	case err == nil:
		p.repo = repo
		if err := b.readBase(ctx, p, ro.on); err != nil {
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
	if err := b.planChange(ctx, p, ro, st); err != nil {
		p.cleanup()
		return nil, err
	}
	return p, nil
}

// planChange checks upstream for the plan's pins, names the change and
// reads what the remote holds for it.
func (b *Bot) planChange(ctx context.Context, p *plan, ro RunOptions, st step) error {
	if err := st.prepare(ctx, p, &ro); err != nil {
		return err
	}
	if err := b.checkUpstream(ctx, p, ro); err != nil {
		return err
	}
	if p.check.UpToDate && !st.publishesAnyway() {
		return nil
	}
	if err := p.nameChange(); err != nil {
		return err
	}
	if err := b.setUpPublishing(p, ro); err != nil {
		return err
	}
	return b.readRemote(ctx, p)
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
// pins from its commit (or from on, a commit of it), with its tree written
// to a temporary directory for the build: what the run computes from is
// what it commits on.
func (b *Bot) readBase(ctx context.Context, p *plan, on gitops.Hash) error {
	boot := b.opts.Config
	branch, tip, err := p.repo.FetchBase(ctx, boot.PullRequest.Base)
	if err != nil {
		return err
	}
	p.baseBranch, p.base = branch, tip
	if !on.IsZero() && on != tip {
		if err := p.repo.CheckOnBranch(ctx, on, branch, tip); err != nil {
			return err
		}
		zerolog.Ctx(ctx).Warn().Str(logfield.Commit, on.String()).Str(logfield.Branch, branch).
			Msgf("%s moved since the results were computed (now %.12s): publishing onto %.12s, the commit they were computed on", branch, tip, on)
		p.base = on
	}
	tmp, err := os.MkdirTemp("", "hashbot-base-")
	if err != nil {
		return fmt.Errorf("writing the base tree: %w", err)
	}
	p.cleanup = func() { os.RemoveAll(tmp) }
	tree, err := b.loadCommit(ctx, p.repo, p.base, tmp, "base")
	if err != nil {
		return err
	}
	p.cfg, p.oldStored, p.oldPins = tree.cfg, tree.stored, tree.stored.Pins
	return nil
}

// commitTree is a commit of the packaging repository written out for one
// run, with the configuration and the pins it holds.
type commitTree struct {
	cfg    *config.Config // its Dir the written tree
	stored *pins.Stored
	data   []byte // hashbot.toml as the commit has it
}

// loadCommit writes the tree of commit h into a directory under parent
// named like the repository (Nix names ./. after its directory), and reads
// hashbot.toml (with the run's overrides) and the pins from the commit.
// what names the commit in errors ("base", "head").
func (b *Bot) loadCommit(ctx context.Context, repo *gitops.Repo, h gitops.Hash, parent, what string) (*commitTree, error) {
	dir := filepath.Join(parent, filepath.Base(b.opts.Config.Dir))
	if err := repo.WriteTree(ctx, h, dir); err != nil {
		return nil, err
	}
	data, err := repo.CommitFile(h, config.FileName)
	if err != nil {
		return nil, fmt.Errorf("reading %s of the %s %.12s: %w", config.FileName, what, h, err)
	}
	cfg, err := b.opts.LoadConfig(dir, config.LoadOptions{Data: data, Lookup: b.opts.Env})
	if err != nil {
		return nil, fmt.Errorf("%s of the %s %.12s: %w", config.FileName, what, h, err)
	}
	stored, err := cfg.PinsLayout().Load(func(path string) ([]byte, error) { return repo.CommitFile(h, path) }, fmt.Sprintf("%s %.12s", what, h))
	if err != nil {
		return nil, err
	}
	return &commitTree{cfg: cfg, stored: stored, data: data}, nil
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

// checkUpstream finds the candidate and the stale FODs for the plan's pins.
func (b *Bot) checkUpstream(ctx context.Context, p *plan, ro RunOptions) error {
	cfg := p.cfg
	if ro.OnlyNewer && ro.Version != "" {
		if version.CheckDowngrade(ro.Version, p.oldPins.Version()) != nil {
			zerolog.Ctx(ctx).Info().Str(logfield.Version, ro.Version).Str(logfield.Pinned, p.oldPins.Version()).Msg("older than the pinned version: ignored")
			p.check = &upstream.Result{Pinned: p.oldPins.Version(), Candidate: ro.Version, UpToDate: true}
			return nil
		}
	}
	check, err := b.opts.Checker.Check(ctx, cfg, p.oldPins, upstream.CheckOptions{Version: ro.Version, AllowDowngrade: ro.AllowDowngrade, Sources: ro.sources})
	if err != nil {
		return fmt.Errorf("checking upstream %s: %w", cfg.Upstream.Repo, err)
	}
	p.check = check
	p.oldStored.ExpectLocked(check.LockedRevs()) // a moved flake.lock locks these, and only these
	return nil
}

// nameChange gives the change its labels, branch and title.
func (p *plan) nameChange() error {
	_, name := p.cfg.UpstreamOwnerName()
	p.oldLabel, p.newLabel = refLabels(p.check)
	var err error
	if p.branch, err = gitops.BranchName(p.cfg.Git.BranchPrefix, name, p.newLabel); err != nil {
		return err
	}
	p.title = pulls.RenderTitle(name, p.oldLabel, p.newLabel)
	if !p.check.Moved && len(p.check.Sources) > 0 {
		p.title = sourcesTitle(name, p.check.Sources)
	}
	return nil
}

// setUpPublishing makes the plan's publisher and API committer from the
// base's configuration: its labels, draft, branch prefix and signing.
func (b *Bot) setUpPublishing(p *plan, ro RunOptions) error {
	p.pub, p.committer = b.opts.Publisher, b.opts.APICommitter
	if b.opts.GitHub == nil || p.repo == nil {
		return nil
	}
	cfg := p.cfg
	owner, name, ok := strings.Cut(cfg.PullRequest.Repo, "/")
	if !ok {
		var err error
		if owner, name, err = p.repo.RemoteRepo(); err != nil {
			if ro.DryRun {
				return nil // nothing to publish to, nothing published
			}
			return fmt.Errorf("no [pull-request] repo in %s and none to take from the remote: %w", config.FileName, err)
		}
	}
	if p.pub == nil {
		m, err := pulls.New(pulls.Options{
			Client: b.opts.GitHub, Owner: owner, Repo: name, Base: p.baseBranch, Labels: cfg.PullRequest.Labels,
			Draft: cfg.PullRequest.Draft, BranchPrefix: cfg.Git.BranchPrefix,
			NeedsWorkLabel: cfg.PullRequest.NeedsWorkLabel, AutoMerge: cfg.PullRequest.AutoMerge,
		})
		if err != nil {
			return err
		}
		p.pub = m
	}
	if p.committer == nil && cfg.Git.Sign == config.SignByGitHub {
		c, err := ghcommit.New(b.opts.GitHub, owner, name)
		if err != nil {
			return err
		}
		p.committer = c
	}
	return nil
}

// readRemote fetches the bot's branch and looks up its pull requests,
// once for the run.
func (b *Bot) readRemote(ctx context.Context, p *plan) error {
	if p.repo == nil {
		return nil
	}
	head, stored, err := b.ownBranch(ctx, p, p.branch)
	if err != nil {
		return err
	}
	p.botHead, p.botStored = head, stored
	if p.pub == nil {
		return nil
	}
	p.existing, err = p.pub.Lookup(ctx, p.branch)
	return err
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
