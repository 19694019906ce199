package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/upstream"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// engine is the hash engine, with its Nix runner. Each request it gets
// carries the configuration whose [build] max-jobs it builds with.
func (f *factory) engine() (*fod.Engine, error) {
	return f.built.engine.get(func() (*fod.Engine, error) {
		// Without a state directory, the engine asks Nix for its
		// settings every run rather than fail.
		state, _ := f.stateDir()
		return fod.NewEngine(fod.EngineOptions{
			Nix: nixcmd.New(nixcmd.Options{}), Progress: progressLogger(f.log),
			BuildLog: f.buildLogFolder(), Redact: f.secrets.String, StateDir: state,
		}), nil
	})
}

// local is the bot's work in the working tree (update, apply), wired for
// its configuration and pins.
func (f *factory) local(ctx context.Context) (*bot.Local, error) {
	cfg, stored, err := f.loadRepo()
	if err != nil {
		return nil, err
	}
	engine, err := f.engine()
	if err != nil {
		return nil, err
	}
	sources, err := f.sourcePinner()
	if err != nil {
		return nil, err
	}
	commit, err := f.workingCommit(ctx)
	if err != nil {
		return nil, err
	}
	return &bot.Local{Config: cfg, Stored: stored, Engine: engine, Sources: sources, Commit: commit,
		Notify: func(msg string) { fmt.Fprintf(f.IO.ErrOut, "hashbot: %s\n", msg) }}, nil
}

// loadBot is the working tree's configuration and the bot wired for it.
// With publish it opens pull requests, and the working tree must be a git
// repository; without, it is a dry run's bot, which may plan from a
// directory that is no clone. What a run publishes (labels, draft, branch
// names, signing) the bot takes from the base commit's configuration.
func (f *factory) loadBot(ctx context.Context, publish bool) (*config.Config, *bot.Bot, error) {
	if _, err := f.stateDir(); err != nil {
		return nil, nil, err
	}
	cfg, err := f.config()
	if err != nil {
		return nil, nil, err
	}
	repo, err := f.gitRepo(ctx)
	if err != nil && (publish || !errors.Is(err, gitops.ErrNotARepository)) {
		return nil, nil, err
	}
	gh, _, err := f.gitHub(ctx)
	if err != nil {
		return nil, nil, err
	}
	engine, err := f.engine()
	if err != nil {
		return nil, nil, err
	}
	tokens, err := f.tokens(ctx)
	if err != nil {
		return nil, nil, err
	}
	opts := bot.Options{
		Config:   cfg,
		Env:      f.env.lookup,
		Checker:  upstream.New(upstream.Options{Client: gh}),
		Engine:   engine,
		Git:      bot.GitOptions{Token: f.env.Token, TokenSource: tokens, TokenHost: f.gitTokenHost()},
		LockRuns: true,
		Repo:     repo,
	}
	if publish {
		opts.GitHub = gh
	}
	b, err := bot.New(opts)
	return cfg, b, err
}

// packagingRepo is the repository the GitHub App's installation is looked
// up on: [pull-request] repo of the working tree, or the one its git
// remote points to.
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
		partial   *bot.PartialError
		held      *runlock.HeldError
		downgrade *version.DowngradeError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &partial):
		return &ExitError{Code: ExitPartial, Err: err}
	case errors.As(err, &held):
		return &ExitError{Code: ExitLocked, Err: err}
	case errors.As(err, &downgrade):
		return usageError(err)
	}
	return computeError(err)
}
