package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghcommit"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// engine is the hash engine for the configuration, with its Nix runner.
// It reads [build] max-jobs when first asked for: a command overriding it
// sets it before.
func (f *factory) engine() (*fod.Engine, error) {
	return f.built.engine.get(func() (*fod.Engine, error) {
		cfg, err := f.config()
		if err != nil {
			return nil, err
		}
		// Without a state directory, the engine asks Nix for its
		// settings every run rather than fail.
		state, _ := f.stateDir()
		return fod.NewEngine(fod.EngineOptions{
			Nix: nixcmd.New(nixcmd.Options{}), MaxJobs: cfg.Build.MaxJobs, Progress: progressLogger(f.log),
			BuildLog: f.buildLogFolder(), Redact: f.secrets.String, StateDir: state,
		}), nil
	})
}

// loadBot is the configuration and the bot wired for it. With publish it
// opens pull requests, and the working tree must be a git repository;
// without, it is a dry run's bot. The first call decides: a command builds
// one bot.
func (f *factory) loadBot(ctx context.Context, publish bool) (*config.Config, *bot.Bot, error) {
	b, err := f.built.bot.get(func() (*bot.Bot, error) { return f.newBot(ctx, publish) })
	if err != nil {
		return nil, nil, err
	}
	cfg, err := f.config()
	return cfg, b, err
}

func (f *factory) newBot(ctx context.Context, publish bool) (*bot.Bot, error) {
	if _, err := f.stateDir(); err != nil {
		return nil, err
	}
	cfg, err := f.config()
	if err != nil {
		return nil, err
	}
	repo, err := f.gitRepo(ctx)
	if err != nil && (publish || !errors.Is(err, gitops.ErrNotARepository)) {
		return nil, err
	}
	gh, _, err := f.gitHub(ctx)
	if err != nil {
		return nil, err
	}
	engine, err := f.engine()
	if err != nil {
		return nil, err
	}
	tokens, err := f.tokens(ctx)
	if err != nil {
		return nil, err
	}
	opts := bot.Options{
		Config:     cfg,
		Checker:    upstream.New(upstream.Options{Client: gh}),
		Engine:     engine,
		Git:        bot.GitOptions{Token: f.env.Token, TokenSource: tokens, TokenHost: f.gitTokenHost()},
		LoadConfig: f.parseConfig,
		LockRuns:   true,
		Repo:       repo,
	}
	if publish {
		owner, name, err := f.packagingRepo(ctx)
		if err != nil {
			return nil, err
		}
		opts.Publisher, err = pulls.New(pulls.Options{
			Client: gh, Owner: owner, Repo: name, Base: cfg.PullRequest.Base, Labels: cfg.PullRequest.Labels,
			Draft: cfg.PullRequest.Draft, BranchPrefix: cfg.Git.BranchPrefix,
		})
		if err != nil {
			return nil, err
		}
		if cfg.Git.Sign == config.SignByGitHub {
			if opts.APICommitter, err = ghcommit.New(gh, owner, name); err != nil {
				return nil, err
			}
		}
	}
	return bot.New(opts)
}

// packagingRepo is the repository pull requests go to: [pull-request]
// repo, or the one the git remote of the working tree points to.
func (f *factory) packagingRepo(ctx context.Context) (owner, name string, err error) {
	cfg, err := f.config()
	if err != nil {
		return "", "", err
	}
	if owner, name, ok := strings.Cut(cfg.PullRequest.Repo, "/"); ok {
		return owner, name, nil
	}
	repo, _ := f.gitRepo(ctx)
	if repo == nil {
		return "", "", usageErrorf("no [pull-request] repo and no git repository to take it from")
	}
	if owner, name, err = repo.RemoteRepo(); err != nil {
		return "", "", usageError(err)
	}
	return owner, name, nil
}

// runError maps the bot's errors to exit codes.
func runError(err error) error {
	var (
		partial *bot.PartialError
		held    *runlock.HeldError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &partial):
		return &ExitError{Code: ExitPartial, Err: err}
	case errors.As(err, &held):
		return &ExitError{Code: ExitLocked, Err: err}
	}
	return computeError(err)
}
