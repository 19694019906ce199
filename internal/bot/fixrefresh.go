package bot

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// maxRefreshPages bounds the pages of open pull requests (100 each) a
// refresh reads.
const maxRefreshPages = 10

// RefreshRequest is what `hashbot fix --base-moved` asks: look at the
// open pull requests into the base branch after it moved.
type RefreshRequest struct {
	// Base is the base branch; "" is [pull-request] base, else the
	// remote's default branch.
	Base string
	// DryRun says what would be done, and updates and comments nothing.
	DryRun bool
}

// RefreshAction is what a refresh did with one pull request.
type RefreshAction string

// The actions of a refresh.
const (
	// RefreshUpdated: GitHub was asked to merge the base into the pull
	// request's branch (update-branch, 202); its synchronize event runs
	// the fix again on the new head.
	RefreshUpdated     RefreshAction = "updated"
	RefreshWouldUpdate RefreshAction = "would-update"
	// RefreshCommented: a fork's pull request (never written to), or one
	// GitHub could not update (a conflict), was asked to merge or rebase.
	RefreshCommented    RefreshAction = "commented"
	RefreshWouldComment RefreshAction = "would-comment"
	// RefreshAskedAlready: hashbot asked for this head before.
	RefreshAskedAlready RefreshAction = "asked-already"
	// RefreshLeftAlone: no fix of hashbot's on it, the base's tip in it
	// already, or no FOD whose inputs both sides changed.
	RefreshLeftAlone RefreshAction = "left-alone"
	// RefreshMoved: its head moved while the refresh looked; that push's
	// own event fixes it.
	RefreshMoved RefreshAction = "moved"
	// RefreshFailed: an error, in Reason; the others were handled.
	RefreshFailed RefreshAction = "failed"
)

// RefreshPull is what a refresh decided for one open pull request, and why.
type RefreshPull struct {
	PullRequest int           `json:"pull_request"`
	Head        string        `json:"head,omitempty"`
	Fork        bool          `json:"fork,omitempty"`
	Action      RefreshAction `json:"action"`
	Reason      string        `json:"reason,omitempty"`
	// FODs are the FODs the pull request changes the inputs of whose
	// inputs the base changed too, with what changed on the base.
	FODs    map[string][]string `json:"fods,omitempty"`
	Comment string              `json:"comment_url,omitempty"`
}

// RefreshOutcome is what a refresh did: the base branch and the commit it
// looked at, and each open pull request into it.
type RefreshOutcome struct {
	Base  string        `json:"base"`
	Tip   string        `json:"tip"`
	Pulls []RefreshPull `json:"pull_requests"`
}

// RefreshFixes handles the merged-first case: a pull request whose hashes
// hashbot fixed was computed from its own lock files, and once another
// pull request that changes the same FODs' inputs merges first, those
// hashes are wrong for the merge. For each open pull request into the
// base that carries hashbot's fix commit, it compares, from git data
// only (file fingerprints, as fix's plan does; nothing of the pull
// request is evaluated or built), the FODs whose inputs the pull request
// changes with those whose inputs the base changed since their merge
// base. Where they overlap it asks GitHub to merge the base into the pull
// request's branch (update-branch, with a lease on the head it read), so
// that the synchronize event recomputes them with the usual fix flow; a
// fork, which hashbot never writes to, and a branch GitHub cannot merge
// into are asked to merge or rebase, once per head. Others are left alone.
func (b *Bot) RefreshFixes(ctx context.Context, req RefreshRequest) (*RefreshOutcome, error) {
	out := &RefreshOutcome{}
	if b.opts.GitHub == nil {
		return out, errors.New("fix --base-moved: no GitHub client to list the pull requests with")
	}
	release, err := b.lock(ctx, RunOptions{}, "hashbot fix --base-moved")
	if err != nil {
		return out, err
	}
	defer release()
	rf, err := b.newRefresher(ctx, req, out)
	if err != nil {
		return out, err
	}
	defer rf.cleanup()
	pulls, err := rf.openPulls(ctx)
	if err != nil {
		return out, err
	}
	var errs []error
	for _, pr := range pulls {
		rp := RefreshPull{PullRequest: pr.GetNumber()}
		if err := rf.one(ctx, pr, &rp); err != nil {
			rp.Action, rp.Reason = RefreshFailed, err.Error()
			errs = append(errs, fmt.Errorf("pull request #%d: %w", rp.PullRequest, err))
		}
		logRefresh(ctx, rp)
		out.Pulls = append(out.Pulls, rp)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("refreshing the pull requests into %s: %w", out.Base, errors.Join(errs...))
	}
	return out, nil
}

func logRefresh(ctx context.Context, rp RefreshPull) {
	ev := zerolog.Ctx(ctx).Info()
	if rp.Action == RefreshFailed {
		ev = zerolog.Ctx(ctx).Warn()
	}
	ev.Int(logfield.PR, rp.PullRequest).Str(logfield.Status, string(rp.Action)).Strs("fods", sortedKeys(rp.FODs)).
		Msg(rp.Reason)
}

// refresher is one refresh: the repository, the base and its tip, and a
// scratch directory for the trees it fingerprints.
type refresher struct {
	b           *Bot
	repo        *gitops.Repo
	owner, name string
	base        string
	tip         gitops.Hash
	dryRun      bool
	tmp         string
	tipDir      string // the tip's tree, written when a first pull request needs it
}

func (b *Bot) newRefresher(ctx context.Context, req RefreshRequest, out *RefreshOutcome) (*refresher, error) {
	repo, err := b.repo(ctx)
	if err != nil {
		return nil, err
	}
	rf := &refresher{b: b, repo: repo, dryRun: req.DryRun}
	if rf.owner, rf.name, err = b.fixRepo(repo); err != nil {
		return nil, err
	}
	if rf.base, rf.tip, err = repo.FetchBase(ctx, firstNonEmpty(req.Base, b.opts.Config.PullRequest.Base)); err != nil {
		return nil, err
	}
	out.Base, out.Tip = rf.base, rf.tip.String()
	if rf.tmp, err = os.MkdirTemp("", "hashbot-refresh-"); err != nil {
		return nil, fmt.Errorf("writing the trees to compare: %w", err)
	}
	return rf, nil
}

func (rf *refresher) cleanup() { os.RemoveAll(rf.tmp) }

// openPulls lists the open pull requests into the base, oldest first.
func (rf *refresher) openPulls(ctx context.Context) ([]*github.PullRequest, error) {
	opts := &github.PullRequestListOptions{State: "open", Base: rf.base, Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: 100}}
	var all []*github.PullRequest
	for range maxRefreshPages {
		page, resp, err := rf.b.opts.GitHub.PullRequests.List(ctx, rf.owner, rf.name, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the open pull requests into %s of %s/%s: %w", rf.base, rf.owner, rf.name, err)
		}
		all = append(all, page...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
	zerolog.Ctx(ctx).Warn().Int("pull_requests", len(all)).Msg("more open pull requests than a refresh reads: the newest are left out")
	return all, nil
}

// one decides for one pull request, and acts.
func (rf *refresher) one(ctx context.Context, pr *github.PullRequest, rp *RefreshPull) error {
	ph, err := checkPull(pr, rp.PullRequest, rf.owner+"/"+rf.name)
	if err != nil {
		return err
	}
	rp.Head, rp.Fork = ph.sha, ph.fork
	sameRepoBranch := ""
	if !ph.fork {
		sameRepoBranch = ph.branch
	}
	head, err := rf.repo.FetchPullHead(ctx, rp.PullRequest, sameRepoBranch)
	if err != nil {
		return err
	}
	if head.String() != ph.sha {
		rp.Action, rp.Reason = RefreshMoved, fmt.Sprintf("GitHub names %.12s as its head, the remote has %.12s: it is moving, and its next event is fixed as usual", ph.sha, head)
		return nil
	}
	mergeBase, err := rf.repo.MergeBase(head, rf.tip)
	if err != nil {
		return err
	}
	if mergeBase == rf.tip {
		rp.Action, rp.Reason = RefreshLeftAlone, fmt.Sprintf("it has the base's tip %.12s already", rf.tip)
		return nil
	}
	if _, ok, err := rf.b.ownFixCommit(rf.repo, head, mergeBase); err != nil {
		return err
	} else if !ok {
		rp.Action, rp.Reason = RefreshLeftAlone, "hashbot fixed no hash on it"
		return nil
	}
	if rp.FODs, err = rf.overlap(ctx, rp.PullRequest, head, mergeBase); err != nil {
		return err
	}
	if len(rp.FODs) == 0 {
		rp.Action, rp.Reason = RefreshLeftAlone, fmt.Sprintf("the base's changes since %.12s touch no input of the FODs it changes", mergeBase)
		return nil
	}
	if ph.fork {
		return rf.ask(ctx, rp, askFork)
	}
	return rf.updateBranch(ctx, rp)
}
