package cli

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghapp"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/safefile"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// maxRateLimitWait is how long a run sleeps for GitHub's rate limit to
// reset before it gives up and says when to retry.
const maxRateLimitWait = 15 * time.Minute

// tokenSource gives a GitHub token for each use (a GitHub App's
// installation token); nil means GITHUB_TOKEN.
type tokenSource func(ctx context.Context) (string, error)

// gitHubClient is a go-github client and the counts of its requests.
type gitHubClient struct {
	client *github.Client
	stats  *ghclient.Stats
}

// gitHub is the client runs talk to GitHub with: the GitHub App's tokens
// where HASHBOT_APP_ID names one, else GITHUB_TOKEN; its conditional-request
// cache in the state dir; rate limits waited for up to maxRateLimitWait.
func (f *factory) gitHub(ctx context.Context) (*github.Client, *ghclient.Stats, error) {
	c, err := f.built.gitHub.get(func() (gitHubClient, error) {
		tokens, err := f.tokens(ctx)
		if err != nil {
			return gitHubClient{}, err
		}
		state, err := f.stateDir()
		if err != nil {
			return gitHubClient{}, err
		}
		gh, stats, err := f.newGitHubClient(ghclient.Options{
			TokenSource: tokens, StateDir: state, MaxRateLimitWait: maxRateLimitWait})
		return gitHubClient{gh, stats}, err
	})
	return c.client, c.stats, err
}

// newGitHubClient builds a go-github client for GITHUB_API_URL with
// GITHUB_TOKEN and the rest of opts; a bad API URL is a usage error.
func (f *factory) newGitHubClient(opts ghclient.Options) (*github.Client, *ghclient.Stats, error) {
	opts.BaseURL, opts.Token = f.env.APIURL, f.env.Token
	gh, stats, err := ghclient.New(opts)
	if err != nil {
		return nil, nil, usageError(err)
	}
	return gh, stats, nil
}

// sourcePinner is the checker that says how a source is pinned at a rev
// (Checker.SourcePin). It makes no request: the client only gives the web
// host of the archives.
func (f *factory) sourcePinner() (*upstream.Checker, error) {
	gh, _, err := f.newGitHubClient(ghclient.Options{})
	if err != nil {
		return nil, err
	}
	return upstream.New(upstream.Options{Client: gh}), nil
}

// gitTokenHost is the host git may send the token to: GitHub's web host
// for the configured API (github.com for api.github.com, the server of a
// GitHub Enterprise API).
func (f *factory) gitTokenHost() string {
	gh, _, err := ghclient.New(ghclient.Options{BaseURL: f.env.APIURL})
	if err != nil {
		return "invalid.invalid" // no host: the API URL was refused already
	}
	u, err := url.Parse(ghclient.WebURL(gh))
	if err != nil {
		return "invalid.invalid"
	}
	return u.Hostname()
}

// tokens is the GitHub App's installation token source when
// HASHBOT_APP_ID names an App (nil otherwise): its installation on the
// packaging repository ([pull-request] repo, or the remote's) is looked
// up on first use, and each token minted is masked in every output.
func (f *factory) tokens(ctx context.Context) (tokenSource, error) {
	return f.built.tokens.get(func() (tokenSource, error) {
		if f.env.AppID == "" {
			return nil, nil
		}
		return f.appTokens(ctx)
	})
}

func (f *factory) appTokens(ctx context.Context) (tokenSource, error) {
	id, err := strconv.ParseInt(f.env.AppID, 10, 64)
	if err != nil {
		return nil, usageErrorf("%s %.40q: not a GitHub App ID", appIDEnv, f.env.AppID)
	}
	key := []byte(f.env.AppKey)
	if f.env.AppKeyFile != "" {
		if key, err = f.readSecretFile(appKeyFileEnv, f.env.AppKeyFile); err != nil {
			return nil, err
		}
	}
	// The key whole and line by line: an error quoting part of it shows
	// none of it.
	f.secrets.Add(string(key))
	f.secrets.Add(strings.Split(string(key), "\n")...)
	var installation int64
	if f.env.AppInstallation != "" {
		if installation, err = strconv.ParseInt(f.env.AppInstallation, 10, 64); err != nil {
			return nil, usageErrorf("%s %.40q: not an installation ID", appInstallationEnv, f.env.AppInstallation)
		}
	}
	target := ""
	if owner, name, err := f.packagingRepo(ctx); err == nil {
		target = owner + "/" + name
	}
	base := f.env.APIURL
	if base == "" {
		base = ghclient.DefaultBaseURL
	}
	tokens, err := ghapp.New(ghapp.Options{BaseURL: base, AppID: id, PrivateKey: key, InstallationID: installation, Repo: target})
	if err != nil {
		return nil, usageError(err)
	}
	return func(ctx context.Context) (string, error) {
		token, err := tokens.Token(ctx)
		if err == nil {
			f.secrets.Add(token)
		}
		return token, err
	}, nil
}

// readSecretFile reads a secret (an App's private key, a webhook secret)
// from the file at path, what naming where it was given, and warns when
// the file's mode lets its group or others read it: a secret file is the
// user's alone (0600, or 0400).
func (f *factory) readSecretFile(what, path string) ([]byte, error) {
	data, err := safefile.ReadRegular(path, 64<<10)
	if err != nil {
		return nil, usageErrorf("reading %s: %v", what, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o044 != 0 {
		mode := fmt.Sprintf("%#o", fi.Mode().Perm())
		f.log.Warn().Str(logfield.Path, path).Str(logfield.Mode, mode).
			Msgf("%s %s is readable by its group or others (mode %s): chmod 600 it", what, path, mode)
	}
	return data, nil
}
