package pulls

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghrepo"

	"github.com/google/go-github/v60/github"
)

// Options configures a Manager.
type Options struct {
	// Client is the GitHub client every call goes through; required.
	Client *github.Client
	// Owner and Repo name the packaging repository the pull requests are
	// opened on; both required. Head branches live in this repository too.
	Owner, Repo string
	// Base is the branch pull requests merge into; "" looks up the
	// repository's default branch once, on first use.
	Base string
	// Labels are added to every published pull request ([pull-request]
	// labels, whose default is config's); none adds none.
	Labels []string
	// Draft opens new pull requests as drafts. Existing ones keep their state.
	Draft bool
	// BranchPrefix is the prefix of hashbot's head branches ([git]
	// branch-prefix); required: only branches under it are hashbot's to
	// supersede.
	BranchPrefix string
	// NeedsWorkLabel marks a pull request whose check failed ([pull-request]
	// needs-work-label); "" means config.DefaultNeedsWorkLabel.
	NeedsWorkLabel string
	// AutoMerge is the merge method GitHub's auto-merge is enabled with
	// when the check built everywhere ("squash", "merge", "rebase"); ""
	// never enables it.
	AutoMerge string
}

// Manager finds, creates, updates and supersedes hashbot's pull requests in
// one repository. It is safe for concurrent use.
type Manager struct {
	gh     *github.Client
	owner  string
	repo   string
	labels []string
	draft  bool
	prefix string
	// needsWork is the label of a failed check; autoMerge the merge method.
	needsWork, autoMerge string

	baseMu sync.Mutex
	base   string
}

// New checks opts and returns a Manager. It makes no request.
func New(opts Options) (*Manager, error) {
	var errs []error
	if opts.Client == nil {
		errs = append(errs, errors.New("no GitHub client"))
	}
	if !ghrepo.ValidPart(opts.Owner) {
		errs = append(errs, fmt.Errorf("owner %q is not a GitHub owner name", opts.Owner))
	}
	if !ghrepo.ValidPart(opts.Repo) {
		errs = append(errs, fmt.Errorf("repo %q is not a GitHub repository name", opts.Repo))
	}
	labels := opts.Labels
	for _, l := range labels {
		if strings.TrimSpace(l) == "" {
			errs = append(errs, errors.New("labels: empty label"))
		}
	}
	prefix := opts.BranchPrefix
	if prefix == "" {
		errs = append(errs, errors.New("no branch prefix"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("configuring pull requests: %w", err)
	}
	return &Manager{
		gh:     opts.Client,
		owner:  opts.Owner,
		repo:   opts.Repo,
		labels: append([]string(nil), labels...),
		draft:  opts.Draft,
		prefix: prefix,
		base:   opts.Base,

		needsWork: cmp.Or(opts.NeedsWorkLabel, config.DefaultNeedsWorkLabel),
		autoMerge: opts.AutoMerge,
	}, nil
}

// baseBranch returns the configured base, or the repository's default branch
// looked up once.
func (m *Manager) baseBranch(ctx context.Context) (string, error) {
	m.baseMu.Lock()
	defer m.baseMu.Unlock()
	if m.base != "" {
		return m.base, nil
	}
	r, _, err := m.gh.Repositories.Get(ctx, m.owner, m.repo)
	if err != nil {
		return "", fmt.Errorf("looking up the default branch of %s/%s: %w", m.owner, m.repo, err)
	}
	if r.GetDefaultBranch() == "" {
		return "", fmt.Errorf("looking up the default branch of %s/%s: GitHub returned none", m.owner, m.repo)
	}
	m.base = r.GetDefaultBranch()
	return m.base, nil
}
