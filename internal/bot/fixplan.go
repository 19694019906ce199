package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// pullReader reads a pull request (github.PullRequestsService).
type pullReader interface {
	Get(ctx context.Context, owner, repo string, number int) (*github.PullRequest, *github.Response, error)
}

// fixPlan is what Fix decides before it computes: the pull request's
// head and branch, the commit its inputs are compared with, the head's
// configuration and pins (its tree written out), and the stale FODs.
type fixPlan struct {
	repo         *gitops.Repo
	owner, name  string
	branch       string
	head, since  gitops.Hash
	fork         bool
	cfg          *config.Config
	stored       *pins.Stored
	stale        map[string][]string
	prints       map[string]string // the head's input fingerprints
	cleanup      func()
	pullRequests pullReader
}

// pullHead is what Fix takes from GitHub's answer about a pull request,
// each string checked: it comes from whoever opened it.
type pullHead struct {
	sha, branch, baseBranch string
	fork                    bool
}

// planFix reads the pull request, fetches its head and merge base, and
// names the stale FODs; a nil plan (with out.Status FixNothing) when none
// is.
func (b *Bot) planFix(ctx context.Context, req FixRequest, out *FixOutcome) (*fixPlan, error) {
	if b.opts.GitHub == nil {
		return nil, errors.New("fix: no GitHub client to read the pull request with")
	}
	repo, err := b.repo(ctx)
	if err != nil {
		return nil, err
	}
	fp := &fixPlan{repo: repo, cleanup: func() {}, pullRequests: b.opts.GitHub.PullRequests}
	if fp.owner, fp.name, err = b.fixRepo(repo); err != nil {
		return nil, err
	}
	ph, err := fp.readPull(ctx, req.Number)
	if err != nil {
		return nil, err
	}
	fp.branch, fp.fork = ph.branch, ph.fork
	out.Branch, out.Head, out.Fork = ph.branch, ph.sha, ph.fork
	sameRepoBranch := ""
	if !ph.fork {
		sameRepoBranch = ph.branch
	}
	if fp.head, err = repo.FetchPullHead(ctx, req.Number, sameRepoBranch); err != nil {
		return nil, err
	}
	if fp.head.String() != ph.sha {
		return nil, &MovedError{Branch: ph.branch, Err: fmt.Errorf("GitHub names %.12s as its head, the remote has %.12s", ph.sha, fp.head)}
	}
	_, tip, err := repo.FetchBase(ctx, ph.baseBranch)
	if err != nil {
		return nil, err
	}
	mergeBase, err := repo.MergeBase(fp.head, tip)
	if err != nil {
		return nil, err
	}
	if err := b.fixStale(ctx, fp, mergeBase); err != nil {
		fp.cleanup()
		return nil, err
	}
	out.Since, out.Stale = fp.since.String(), fp.stale
	if len(fp.stale) == 0 {
		fp.cleanup()
		out.Status = FixNothing
		zerolog.Ctx(ctx).Info().Int(logfield.PR, req.Number).Msg("no FOD's inputs changed: nothing to fix")
		return nil, nil
	}
	return fp, nil
}

// fixRepo is the repository the pull requests are in: [pull-request]
// repo of the working tree's configuration, or the remote's.
func (b *Bot) fixRepo(repo *gitops.Repo) (owner, name string, err error) {
	if owner, name, ok := strings.Cut(b.opts.Config.PullRequest.Repo, "/"); ok {
		return owner, name, nil
	}
	if owner, name, err = repo.RemoteRepo(); err != nil {
		return "", "", fmt.Errorf("no [pull-request] repo in %s and none to take from the remote: %w", config.FileName, err)
	}
	return owner, name, nil
}

// readPull asks GitHub for the pull request and checks what it says: an
// open pull request, a full commit id for its head, branch names git
// takes. A head repository other than the base's (or none: a deleted
// fork) is a fork.
func (fp *fixPlan) readPull(ctx context.Context, number int) (*pullHead, error) {
	pr, _, err := fp.pullRequests.Get(ctx, fp.owner, fp.name, number)
	if err != nil {
		return nil, fmt.Errorf("reading pull request #%d of %s/%s: %w", number, fp.owner, fp.name, err)
	}
	return checkPull(pr, number, fp.owner+"/"+fp.name)
}

// checkPull checks what GitHub says of pull request number of the
// repository ownerName (a Get's answer, or one of a List's): see readPull.
func checkPull(pr *github.PullRequest, number int, ownerName string) (*pullHead, error) {
	if pr.GetState() != "open" {
		return nil, fmt.Errorf("pull request #%d is %.20q: fix keeps open pull requests' hashes", number, pr.GetState())
	}
	ph := &pullHead{sha: pr.GetHead().GetSHA(), branch: pr.GetHead().GetRef(), baseBranch: pr.GetBase().GetRef()}
	if !pins.IsCommit(ph.sha) {
		return nil, fmt.Errorf("pull request #%d: head %.50q is not a commit id", number, ph.sha)
	}
	for _, br := range []string{ph.branch, ph.baseBranch} {
		if err := gitops.CheckBranchName(br); err != nil {
			return nil, fmt.Errorf("pull request #%d: %w", number, err)
		}
	}
	headRepo, baseRepo := pr.GetHead().GetRepo().GetFullName(), pr.GetBase().GetRepo().GetFullName()
	if baseRepo == "" {
		baseRepo = ownerName
	}
	ph.fork = headRepo == "" || !strings.EqualFold(headRepo, baseRepo)
	return ph, nil
}

// fixStale writes out the head's tree, loads its configuration and pins,
// and compares its inputs with those of the commit since: hashbot's last
// commit on the pull request when there is one (what it fixed then is
// fixed), else the merge base. A changed hashbot.toml makes every FOD
// stale.
func (b *Bot) fixStale(ctx context.Context, fp *fixPlan, mergeBase gitops.Hash) error {
	fp.since = mergeBase
	if own, ok, err := b.ownFixCommit(fp.repo, fp.head, mergeBase); err != nil {
		return err
	} else if ok {
		fp.since = own
	}
	tmp, err := os.MkdirTemp("", "hashbot-fix-")
	if err != nil {
		return fmt.Errorf("writing the pull request's trees: %w", err)
	}
	fp.cleanup = func() { os.RemoveAll(tmp) }
	for _, d := range []string{"head", "since"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			return fmt.Errorf("writing the pull request's trees: %w", err)
		}
	}
	head, err := b.loadCommit(ctx, fp.repo, fp.head, filepath.Join(tmp, "head"), "pull request's head")
	if err != nil {
		return err
	}
	fp.cfg, fp.stored = head.cfg, head.stored
	// Named like the repository, as the head's: Nix names ./. after it.
	sinceDir := filepath.Join(tmp, "since", filepath.Base(b.opts.Config.Dir))
	if fp.prints, err = upstream.LocalFingerprints(fp.cfg); err != nil {
		return err
	}
	sinceData, _ := fp.repo.CommitFile(fp.since, config.FileName)
	if !bytes.Equal(sinceData, head.data) {
		fp.stale = map[string][]string{}
		for _, name := range fp.cfg.FODNames() {
			fp.stale[name] = []string{config.FileName + " changed"}
		}
		return nil
	}
	if err := fp.repo.WriteTree(ctx, fp.since, sinceDir); err != nil {
		return err
	}
	sinceCfg := *fp.cfg
	sinceCfg.Dir = sinceDir
	before, err := upstream.LocalFingerprints(&sinceCfg)
	if err != nil {
		return fmt.Errorf("the inputs at %.12s: %w", fp.since, err)
	}
	fp.stale = upstream.LocalStale(fp.cfg, before, fp.prints)
	return nil
}

// ownFixCommit finds the newest commit Fix pushed on the first parents
// from head back to (not including) stop: one by the working tree's [git]
// author (not the pull request's hashbot.toml's) whose subject starts
// with FixSubject. It is the one place fix, and the refresh of pull
// requests whose base moved, know hashbot's own commits by.
func (b *Bot) ownFixCommit(repo *gitops.Repo, head, stop gitops.Hash) (gitops.Hash, bool, error) {
	author, err := gitops.ParseAuthor(b.opts.Config.Git.Author)
	if err != nil {
		return gitops.ZeroHash, false, err
	}
	return repo.LastCommitBy(head, stop, author.Email, FixSubject)
}
