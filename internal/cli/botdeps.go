package cli

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghapp"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/ghcommit"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/safefile"
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
		BaseURL: g.env.APIURL, Token: g.env.Token, TokenSource: g.tokens,
		StateDir: stateDir, MaxRateLimitWait: maxWait,
	})
	if err != nil {
		return nil, nil, usageError(err)
	}
	return gh, stats, nil
}

// sourcePinner is the checker that says how a source is pinned at a rev
// (Checker.SourcePin). It makes no request: the client only gives the web
// host of the archives.
func (g *globalOptions) sourcePinner() (*upstream.Checker, error) {
	gh, _, err := g.gitHubClient("", 0)
	if err != nil {
		return nil, err
	}
	return upstream.New(upstream.Options{Client: gh}), nil
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

// resolveRepo makes --clone URL a shallow clone in the state dir (of the
// configured base branch where the environment names one, else the
// remote's default), points --repo at it and returns it.
func (g *globalOptions) resolveRepo(ctx context.Context, cloneURL, stateDir string) (*gitops.Repo, error) {
	if cloneURL == "" {
		return nil, nil
	}
	_, name, ok := gitops.OwnerNameFromURL(cloneURL)
	if !ok {
		return nil, usageErrorf("--clone %q: not a repository URL", cloneURL)
	}
	dir := filepath.Join(stateDir, "clones", name)
	base, _ := os.LookupEnv("HASHBOT_PR_BASE")
	repo, err := gitops.Clone(ctx, cloneURL, dir, g.gitOptions(base))
	if err != nil {
		return nil, err
	}
	g.Repo = dir
	return repo, nil
}

// gitOptions say how to reach the packaging repository's remote.
func (g *globalOptions) gitOptions(base string) gitops.Options {
	return gitops.Options{Token: g.env.Token, TokenHost: g.gitTokenHost(), Base: base}
}

// loadBot resolves --clone, loads the repository's configuration, opens it
// (once, for the bot and the publisher) and wires the bot for it.
func (g *globalOptions) loadBot(ctx context.Context, cloneURL string, publish bool) (*config.Config, *bot.Bot, error) {
	state, err := g.stateDir()
	if err != nil {
		return nil, nil, err
	}
	repo, err := g.resolveRepo(ctx, cloneURL, state)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := loadConfig(g)
	if err != nil {
		return nil, nil, err
	}
	if repo == nil {
		opts := g.gitOptions(cfg.PullRequest.Base)
		opts.RemoteName = cfg.Git.Remote
		repo, err = gitops.Open(ctx, cfg.Dir, opts)
		if err != nil && (publish || !errors.Is(err, gitops.ErrNotARepository)) {
			return nil, nil, err
		}
	}
	b, err := g.newBot(cfg, state, publish, repo)
	if err != nil {
		return nil, nil, err
	}
	return cfg, b, nil
}

// newBot wires the engines into a bot for the repository in cfg, opened as
// repo (nil: not a clone, for a dry run). Without publish it has no
// pull-request publisher (a dry run).
func (g *globalOptions) newBot(cfg *config.Config, stateDir string, publish bool, repo *gitops.Repo) (*bot.Bot, error) {
	if err := g.appTokens(cfg, repo); err != nil {
		return nil, err
	}
	gh, stats, err := g.gitHubClient(stateDir, maxRateLimitWait)
	if err != nil {
		return nil, err
	}
	g.ghStats = stats
	opts := bot.Options{
		Config:     cfg,
		Checker:    upstream.New(upstream.Options{Client: gh}),
		Engine:     g.newEngine(cfg),
		Git:        bot.GitOptions{Token: g.env.Token, TokenSource: g.tokens, TokenHost: g.gitTokenHost()},
		LoadConfig: parseConfig,
		LockRuns:   true,
	}
	if repo != nil {
		opts.Repo = repo
	}
	if publish {
		owner, name, err := g.packagingRepo(cfg, repo)
		if err != nil {
			return nil, err
		}
		if opts.Publisher, err = g.newPublisher(cfg, gh, owner, name); err != nil {
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

func (g *globalOptions) newEngine(cfg *config.Config) *fod.Engine {
	return fod.NewEngine(fod.EngineOptions{
		Nix: nixcmd.New(nixcmd.Options{}), MaxJobs: cfg.Build.MaxJobs, Progress: progressLogger(g),
		BuildLog: g.buildLogFolder(), Redact: g.secrets.String,
	})
}

// packagingRepo is the repository pull requests go to: [pull-request]
// repo, or the one the git remote of repo points to.
func (g *globalOptions) packagingRepo(cfg *config.Config, repo *gitops.Repo) (owner, name string, err error) {
	if owner, name, ok := strings.Cut(cfg.PullRequest.Repo, "/"); ok {
		return owner, name, nil
	}
	if repo == nil {
		return "", "", usageErrorf("no [pull-request] repo and no git repository to take it from")
	}
	if owner, name, err = repo.RemoteRepo(); err != nil {
		return "", "", usageError(err)
	}
	return owner, name, nil
}

// newPublisher opens pull requests on owner/name.
func (g *globalOptions) newPublisher(cfg *config.Config, gh *github.Client, owner, name string) (*pulls.Manager, error) {
	return pulls.New(pulls.Options{
		Client: gh, Owner: owner, Repo: name, Base: cfg.PullRequest.Base, Labels: cfg.PullRequest.Labels,
		Draft: cfg.PullRequest.Draft, BranchPrefix: cfg.Git.BranchPrefix,
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

// appTokens sets g.tokens when HASHBOT_APP_ID names a GitHub App: its
// installation on the packaging repository ([pull-request] repo, or the
// remote's) is looked up on first use, and each token minted is masked in
// every output.
func (g *globalOptions) appTokens(cfg *config.Config, repo *gitops.Repo) error {
	if g.env.AppID == "" || g.tokens != nil {
		return nil
	}
	id, err := strconv.ParseInt(g.env.AppID, 10, 64)
	if err != nil {
		return usageErrorf("%s %.40q: not a GitHub App ID", appIDEnv, g.env.AppID)
	}
	key := []byte(g.env.AppKey)
	if g.env.AppKeyFile != "" {
		if key, err = safefile.ReadRegular(g.env.AppKeyFile, 64<<10); err != nil {
			return usageErrorf("reading %s: %v", appKeyFileEnv, err)
		}
	}
	// The key whole and line by line: an error quoting part of it shows
	// none of it.
	g.secrets.Add(string(key))
	g.secrets.Add(strings.Split(string(key), "\n")...)
	var installation int64
	if g.env.AppInstallation != "" {
		if installation, err = strconv.ParseInt(g.env.AppInstallation, 10, 64); err != nil {
			return usageErrorf("%s %.40q: not an installation ID", appInstallationEnv, g.env.AppInstallation)
		}
	}
	target := ""
	if owner, name, err := g.packagingRepo(cfg, repo); err == nil {
		target = owner + "/" + name
	}
	base := g.env.APIURL
	if base == "" {
		base = ghclient.DefaultBaseURL
	}
	tokens, err := ghapp.New(ghapp.Options{BaseURL: base, AppID: id, PrivateKey: key, InstallationID: installation, Repo: target})
	if err != nil {
		return usageError(err)
	}
	g.tokens = func(ctx context.Context) (string, error) {
		token, err := tokens.Token(ctx)
		if err == nil {
			g.secrets.Add(token)
		}
		return token, err
	}
	return nil
}
