package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/redact"
)

// ioStreams are a command's standard input and outputs.
type ioStreams struct {
	In io.Reader
	// Out and ErrOut mask every secret hashbot holds (redact).
	Out, ErrOut io.Writer
	// ErrTTY is true when standard error is a terminal (the console log
	// format is the default there).
	ErrTTY bool
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	Repo      string
	StateDir  string
	LogFormat string
	LogLevel  string
}

// factory builds what the commands work with (cli/cli's cmdutil.Factory):
// the configuration, the git repository, the GitHub client, the hash
// engine and the bot, each on first use and only once. Commands hold it in
// their options and ask for pieces only once they run, so parsing their
// flags does no I/O.
type factory struct {
	IO      *ioStreams
	env     environment
	secrets *redact.Secrets
	globalOptions

	// log is the logger setup built from --log-format and --log-level; it
	// is in every command's context too.
	log zerolog.Logger
	// started is set once flags and arguments were accepted: an error
	// before that (an unknown command, a wrong argument count) is a usage
	// error.
	started bool
	// cloned is the repository clone made of --clone, if a command asked.
	cloned *gitops.Repo

	built struct {
		stateDir lazy[string]
		config   lazy[*config.Config]
		gitRepo  lazy[*gitops.Repo]
		tokens   lazy[tokenSource]
		gitHub   lazy[gitHubClient]
		engine   lazy[*fod.Engine]
	}
}

// newFactory returns the factory of one hashbot process over its standard
// streams, masking the secrets of env in what it writes.
func newFactory(env environment, stdin io.Reader, stdout, stderr io.Writer) *factory {
	secrets := redact.New(env.Token, env.WebhookSecret, env.AppKey)
	return &factory{
		IO: &ioStreams{In: stdin, Out: secrets.Writer(stdout), ErrOut: secrets.Writer(stderr),
			ErrTTY: isTerminal(stderr)},
		env: env, secrets: secrets, log: zerolog.Nop(),
	}
}

// lazy is a piece built on first use and then kept, with the error
// building it gave: a command may ask for it as often as it likes.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (l *lazy[T]) get(build func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = build() })
	return l.v, l.err
}

// stateDir is --state-dir, or the user cache dir's hashbot folder.
func (f *factory) stateDir() (string, error) {
	return f.built.stateDir.get(func() (string, error) {
		if f.StateDir != "" {
			return filepath.Abs(f.StateDir)
		}
		dir, err := os.UserCacheDir()
		if err != nil {
			return "", usageErrorf("no --state-dir and no user cache dir: %v", err)
		}
		return filepath.Join(dir, "hashbot"), nil
	})
}

// config is hashbot.toml of the working tree (--repo, or the clone), with
// HASHBOT_* overrides; a problem is a usage error.
func (f *factory) config() (*config.Config, error) {
	return f.built.config.get(func() (*config.Config, error) {
		cfg, err := config.Load(f.Repo, config.LoadOptions{Lookup: f.env.lookup})
		if err != nil {
			return nil, usageError(err)
		}
		return cfg, nil
	})
}

// loadRepo is the configuration and the pins of the working tree, after
// recovering from a write a killed run interrupted (Layout.Recover); a
// problem with either is a usage error. The pins are read afresh: the
// caller changes them.
func (f *factory) loadRepo() (*config.Config, *pins.Stored, error) {
	cfg, err := f.config()
	if err != nil {
		return nil, nil, err
	}
	// A write a killed run left half done is finished first (or undone,
	// when it had not staged every file), and its temporary files removed.
	finished, err := cfg.PinsLayout().Recover(cfg.Dir)
	if err != nil {
		return nil, nil, err
	}
	if len(finished) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "hashbot: finished writing %s, which an interrupted run had left half written\n", strings.Join(finished, ", "))
	}
	stored, err := cfg.PinsLayout().Load(pins.ReadTree(cfg.Dir), "")
	if err != nil {
		return nil, nil, usageError(err)
	}
	return cfg, stored, nil
}

// clone makes --clone URL a shallow clone in the state dir (of the branch
// HASHBOT_PR_BASE names, else the remote's default) and the repository
// everything built later works on. A command calls it first.
func (f *factory) clone(ctx context.Context, url string) error {
	if url == "" {
		return nil
	}
	state, err := f.stateDir()
	if err != nil {
		return err
	}
	name, err := cloneName(url)
	if err != nil {
		return err
	}
	dir := filepath.Join(state, "clones", name)
	repo, err := gitops.Clone(ctx, url, dir, f.gitOptions(f.env.PRBase))
	if err != nil {
		return err
	}
	f.Repo, f.cloned = dir, repo
	return nil
}

// gitRepo is the packaging repository: the clone, or the working tree
// opened (gitops.ErrNotARepository when it is not in one, which a dry run
// may ignore).
func (f *factory) gitRepo(ctx context.Context) (*gitops.Repo, error) {
	return f.built.gitRepo.get(func() (*gitops.Repo, error) {
		if f.cloned != nil {
			return f.cloned, nil
		}
		cfg, err := f.config()
		if err != nil {
			return nil, err
		}
		opts := f.gitOptions(cfg.PullRequest.Base)
		opts.RemoteName = cfg.Git.Remote
		return gitops.Open(ctx, cfg.Dir, opts)
	})
}

// gitOptions say how to reach the packaging repository's remote.
func (f *factory) gitOptions(base string) gitops.Options {
	return gitops.Options{Token: f.env.Token, TokenHost: f.gitTokenHost(), Base: base}
}

// workingCommit is the commit the working tree is at (its HEAD), "" when
// it is no git repository: the commit `update --json` names in its results
// and the one `apply` must find them computed on.
func (f *factory) workingCommit(ctx context.Context) (string, error) {
	var h gitops.Hash
	if repo, err := f.gitRepo(ctx); err == nil {
		h, err = repo.Head()
		if err != nil {
			return "", err
		}
	} else {
		cfg, err := f.config()
		if err != nil {
			return "", err
		}
		h, err = gitops.HeadOf(cfg.Dir)
		if errors.Is(err, gitops.ErrNotARepository) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
	}
	if h.IsZero() {
		return "", nil
	}
	return h.String(), nil
}
