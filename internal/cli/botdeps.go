package cli

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// maxRateLimitWait is how long a run sleeps for GitHub's rate limit to
// reset before it gives up and says when to retry.
const maxRateLimitWait = 15 * time.Minute

// stateDir is --state-dir, or the user cache dir's hashbot folder.
func (g *globalOptions) stateDir() (string, error) {
	if g.StateDir != "" {
		return filepath.Abs(g.StateDir)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", usageErrorf("no --state-dir and no user cache dir: %v", err)
	}
	return filepath.Join(dir, "hashbot"), nil
}

// gitHubClient builds the go-github client from GITHUB_TOKEN and
// GITHUB_API_URL, with its conditional-request cache in the state dir.
func (g *globalOptions) gitHubClient(stateDir string, maxWait time.Duration) (*github.Client, *ghclient.Stats, error) {
	gh, stats, err := ghclient.New(ghclient.Options{
		BaseURL: g.env.APIURL, Token: g.env.Token,
		StateDir: stateDir, MaxRateLimitWait: maxWait, Log: g.log,
	})
	if err != nil {
		return nil, nil, usageError(err)
	}
	return gh, stats, nil
}

// gitTokenHost is the host git may send the token to: GitHub's web host
// for the configured API (github.com for api.github.com, the server of a
// GitHub Enterprise API).
func (g *globalOptions) gitTokenHost() string {
	gh, _, err := ghclient.New(ghclient.Options{BaseURL: g.env.APIURL})
	if err != nil {
		return "invalid.invalid" // no host: the API URL was refused already
	}
	u, err := url.Parse(ghclient.WebURL(gh))
	if err != nil {
		return "invalid.invalid"
	}
	return u.Hostname()
}

// resolveRepo makes --clone URL a shallow clone in the state dir and points
// --repo at it.
func (g *globalOptions) resolveRepo(ctx context.Context, cloneURL, stateDir string) error {
	if cloneURL == "" {
		return nil
	}
	_, name, ok := gitops.OwnerNameFromURL(cloneURL)
	if !ok {
		return usageErrorf("--clone %q: not a repository URL", cloneURL)
	}
	dir := filepath.Join(stateDir, "clones", name)
	if _, err := gitops.Clone(ctx, cloneURL, dir, gitops.Options{Token: g.env.Token, TokenHost: g.gitTokenHost()}); err != nil {
		return err
	}
	g.Repo = dir
	return nil
}

// loadBot resolves --clone, loads the repository's configuration and wires
// the bot for it.
func (g *globalOptions) loadBot(ctx context.Context, cloneURL string, publish bool) (*config.Config, *bot.Bot, error) {
	state, err := g.stateDir()
	if err != nil {
		return nil, nil, err
	}
	if err := g.resolveRepo(ctx, cloneURL, state); err != nil {
		return nil, nil, err
	}
	cfg, _, err := loadRepo(g)
	if err != nil {
		return nil, nil, err
	}
	b, err := g.newBot(cfg, state, publish)
	if err != nil {
		return nil, nil, err
	}
	return cfg, b, nil
}

// newBot wires the engines into a bot for the repository in cfg. Without
// publish it has no pull-request publisher (a dry run).
func (g *globalOptions) newBot(cfg *config.Config, stateDir string, publish bool) (*bot.Bot, error) {
	gh, _, err := g.gitHubClient(stateDir, maxRateLimitWait)
	if err != nil {
		return nil, err
	}
	opts := bot.Options{
		Config:   cfg,
		Checker:  upstream.New(upstream.Options{Client: gh, Log: g.log}),
		Engine:   g.newEngine(cfg),
		Git:      bot.GitOptions{Token: g.env.Token, TokenHost: g.gitTokenHost()},
		LockRuns: true,
		Log:      g.log,
	}
	if publish {
		if opts.Publisher, err = g.newPublisher(cfg, gh); err != nil {
			return nil, err
		}
	}
	return bot.New(opts)
}

func (g *globalOptions) newEngine(cfg *config.Config) *fod.Engine {
	return fod.NewEngine(fod.EngineOptions{
		Nix: nixcmd.New(nixcmd.Options{Log: g.log}), Log: g.log, MaxJobs: cfg.Build.MaxJobs, Progress: progressLogger(g),
		BuildLog: g.buildLogFolder(), Redact: g.secrets.String,
	})
}

// newPublisher opens pull requests on [pull-request] repo, or on the
// repository the git remote points to.
func (g *globalOptions) newPublisher(cfg *config.Config, gh *github.Client) (*pulls.Manager, error) {
	owner, name, ok := strings.Cut(cfg.PullRequest.Repo, "/")
	if !ok {
		repo, err := gitops.Open(context.Background(), cfg.Dir, gitops.Options{RemoteName: cfg.Git.Remote, Author: cfg.Git.Author})
		if err != nil {
			return nil, err
		}
		if owner, name, err = repo.RemoteRepo(); err != nil {
			return nil, usageError(err)
		}
	}
	return pulls.New(pulls.Options{
		Client: gh, Owner: owner, Repo: name, Base: cfg.PullRequest.Base, Labels: cfg.PullRequest.Labels,
		Draft: cfg.PullRequest.Draft, BranchPrefix: cfg.Git.BranchPrefix, Log: g.log,
	})
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
