package gitops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Options configures a Repo. The zero value works for a local remote.
type Options struct {
	// RemoteName is the remote fetched from and pushed to; default "origin".
	RemoteName string
	// Token authenticates to http and https remotes as HTTP basic
	// x-access-token:<token> (GITHUB_TOKEN). It is never logged and is
	// censored from errors. Ignored for other remotes.
	Token string
	// TokenHost, when set, is the only host (name, without port) the token
	// is sent to: GitHub's (github.com, or a GitHub Enterprise server). A
	// remote elsewhere gets no credentials.
	TokenHost string
	// Base is the base branch; default the remote's default branch (HEAD).
	Base string
}

// Repo is the packaging repository the bot commits to.
type Repo struct {
	repo    *git.Repository
	dir     string
	remote  string
	token   string
	tokenOn string // TokenHost
	base    string
	shallow bool // a clone made by Clone: fetch with depth 1

	// beforePush, when set (tests only), runs between the lease check and
	// the push, to stage a race.
	beforePush func()
}

// Open opens the packaging repository at dir, a normal clone with the remote
// opts.RemoteName. It does not touch the network.
func Open(ctx context.Context, dir string, opts Options) (*Repo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("opening git repository %s: %w", dir, err)
	}
	return newRepo(repo, dir, opts, false)
}

func newRepo(repo *git.Repository, dir string, opts Options, shallow bool) (*Repo, error) {
	r := &Repo{repo: repo, dir: dir, remote: opts.RemoteName, token: opts.Token, tokenOn: opts.TokenHost,
		base: opts.Base, shallow: shallow}
	if r.remote == "" {
		r.remote = git.DefaultRemoteName
	}
	if _, err := r.remoteURL(); err != nil {
		return nil, err
	}
	return r, nil
}

// Clone makes sure dir holds a shallow, single-branch clone of url at the
// base branch (opts.Base, default the remote's HEAD) and returns it. When dir
// already holds a clone of url (a previous run), it fetches the base branch
// and hard-resets that clone's working tree to it: the directory belongs to
// hashbot. A dir holding anything else is an error.
func Clone(ctx context.Context, url, dir string, opts Options) (*Repo, error) {
	if opts.RemoteName == "" {
		opts.RemoteName = git.DefaultRemoteName
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return reuseClone(ctx, url, dir, opts)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("cloning %s into %s: the directory is not empty and not a clone", censor(url, opts.Token), dir)
	}
	co := &git.CloneOptions{
		URL: url, RemoteName: opts.RemoteName, Auth: authFor(url, opts.Token, opts.TokenHost),
		Depth: 1, SingleBranch: true, Tags: git.NoTags,
	}
	if opts.Base != "" {
		co.ReferenceName = plumbing.NewBranchReferenceName(opts.Base)
	}
	repo, err := git.PlainCloneContext(ctx, dir, false, co)
	if err != nil {
		return nil, wrapf(authError(err), opts.Token, "cloning %s into %s", url, dir)
	}
	return newRepo(repo, dir, opts, true)
}

func reuseClone(ctx context.Context, url, dir string, opts Options) (*Repo, error) {
	r, err := Open(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	r.shallow = true
	got, _ := r.remoteURL()
	if got != url {
		return nil, fmt.Errorf("reusing clone %s: its %s is %s, not %s", dir, r.remote,
			censor(got, opts.Token), censor(url, opts.Token))
	}
	base, err := r.baseBranch(ctx, "")
	if err != nil {
		return nil, err
	}
	_, h, err := r.FetchBase(ctx, base)
	if err != nil {
		return nil, err
	}
	wt, err := r.repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("reusing clone %s: %w", dir, err)
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: h, Force: true}); err != nil {
		return nil, fmt.Errorf("reusing clone %s: checking out %s at %s: %w", dir, base, h, err)
	}
	return r, nil
}

// Dir returns the repository's working directory.
func (r *Repo) Dir() string { return r.dir }

func (r *Repo) remoteURL() (string, error) {
	rem, err := r.repo.Remote(r.remote)
	if err != nil {
		return "", fmt.Errorf("git repository %s: remote %q: %w", r.dir, r.remote, err)
	}
	urls := rem.Config().URLs
	if len(urls) == 0 {
		return "", fmt.Errorf("git repository %s: remote %q has no URL", r.dir, r.remote)
	}
	return urls[0], nil
}

// authFor returns basic auth with the token for http(s) URLs on tokenHost
// (any host when it is empty), else nil.
func authFor(url, token, tokenHost string) transport.AuthMethod {
	if token == "" {
		return nil
	}
	ep, err := transport.NewEndpoint(url)
	if err != nil || (ep.Protocol != "https" && ep.Protocol != "http") {
		return nil
	}
	if tokenHost != "" && !strings.EqualFold(ep.Host, tokenHost) {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: token}
}

// SetToken replaces the token http(s) remotes are authenticated with,
// for the operations that follow (a GitHub App's installation token
// renewed for a run). It is not safe to call during another operation.
func (r *Repo) SetToken(token string) { r.token = token }

func (r *Repo) auth() transport.AuthMethod {
	url, _ := r.remoteURL()
	return authFor(url, r.token, r.tokenOn)
}

// authError marks transport authentication failures with ErrAuth.
func authError(err error) error {
	if errors.Is(err, transport.ErrAuthenticationRequired) || errors.Is(err, transport.ErrAuthorizationFailed) {
		return fmt.Errorf("%w (check GITHUB_TOKEN): %w", ErrAuth, err)
	}
	return err
}

// RemoteBranchHash returns where branch points on the remote, or ZeroHash
// when the remote has no such branch. The bot records it as what it last saw
// and hands it to Push.
func (r *Repo) RemoteBranchHash(ctx context.Context, branch string) (Hash, error) {
	refs, err := r.listRemote(ctx)
	if err != nil {
		return ZeroHash, err
	}
	name := plumbing.NewBranchReferenceName(branch)
	for _, ref := range refs {
		if ref.Name() == name && ref.Type() == plumbing.HashReference {
			return ref.Hash(), nil
		}
	}
	return ZeroHash, nil
}

// DefaultBranch returns the branch the remote's HEAD points to.
func (r *Repo) DefaultBranch(ctx context.Context) (string, error) {
	refs, err := r.listRemote(ctx)
	if err != nil {
		return "", err
	}
	for _, ref := range refs {
		if ref.Name() == plumbing.HEAD && ref.Type() == plumbing.SymbolicReference && ref.Target().IsBranch() {
			return ref.Target().Short(), nil
		}
	}
	return "", fmt.Errorf("listing remote %s: it advertises no HEAD branch; set the base branch", r.remote)
}

func (r *Repo) listRemote(ctx context.Context) ([]*plumbing.Reference, error) {
	rem, err := r.repo.Remote(r.remote)
	if err != nil {
		return nil, fmt.Errorf("listing remote %s: %w", r.remote, err)
	}
	refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: r.auth()})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, nil
	}
	if err != nil {
		url, _ := r.remoteURL()
		return nil, wrapf(authError(err), r.token, "listing remote %s (%s)", r.remote, url)
	}
	return refs, nil
}

// baseBranch returns base, else the configured base, else the remote HEAD.
func (r *Repo) baseBranch(ctx context.Context, base string) (string, error) {
	if base == "" {
		base = r.base
	}
	if base == "" {
		return r.DefaultBranch(ctx)
	}
	return base, nil
}

// FetchBase fetches base (default: Options.Base, else the remote's HEAD
// branch) from the remote into refs/remotes/<remote>/<base> and returns
// the branch's name and its commit.
func (r *Repo) FetchBase(ctx context.Context, base string) (branch string, tip Hash, err error) {
	base, err = r.baseBranch(ctx, base)
	if err != nil {
		return "", ZeroHash, err
	}
	if err := CheckBranchName(base); err != nil {
		return "", ZeroHash, fmt.Errorf("base branch: %w", err)
	}
	tracking := plumbing.NewRemoteReferenceName(r.remote, base)
	if err := r.fetchInto(ctx, base, tracking); err != nil {
		return "", ZeroHash, wrapf(authError(err), r.token, "fetching base branch %s from %s", base, r.remote)
	}
	ref, err := r.repo.Reference(tracking, true)
	if err != nil {
		return "", ZeroHash, fmt.Errorf("fetching base branch %s from %s: %w", base, r.remote, err)
	}
	return base, ref.Hash(), nil
}

// fetchInto fetches the remote's branch into the ref tracking (one commit
// deep in a shallow clone).
func (r *Repo) fetchInto(ctx context.Context, branch string, tracking plumbing.ReferenceName) error {
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", plumbing.NewBranchReferenceName(branch), tracking))
	fo := &git.FetchOptions{RemoteName: r.remote, RefSpecs: []config.RefSpec{spec}, Auth: r.auth(), Tags: git.NoTags}
	if r.shallow {
		fo.Depth = 1
	}
	err := r.repo.FetchContext(ctx, fo)
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return err
}
