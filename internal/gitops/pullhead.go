package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// fetchedPrefix is where FetchPullHead keeps what it fetched, out of the
// way of branches and remote-tracking refs.
const fetchedPrefix = "refs/hashbot/pull/"

// FetchPullHead fetches the head of pull request number from the remote
// with its history: GitHub's refs/pull/<number>/head, which holds a fork's
// commits too, or, when the remote has no such ref (a plain git remote),
// the head branch of the same repository (branch; "" for none). It returns
// the commit fetched; the caller compares it with the head GitHub named.
func (r *Repo) FetchPullHead(ctx context.Context, number int, branch string) (Hash, error) {
	if number <= 0 {
		return ZeroHash, fmt.Errorf("fetching pull request %d: not a pull request number", number)
	}
	local := plumbing.ReferenceName(fmt.Sprintf("%s%d", fetchedPrefix, number))
	refs, err := r.listRemote(ctx)
	if err != nil {
		return ZeroHash, err
	}
	want := plumbing.ReferenceName(fmt.Sprintf("refs/pull/%d/head", number))
	if !advertises(refs, want) {
		if branch == "" {
			return ZeroHash, fmt.Errorf("fetching pull request %d: the remote %s has no %s", number, r.remote, want)
		}
		if err := CheckBranchName(branch); err != nil {
			return ZeroHash, err
		}
		want = plumbing.NewBranchReferenceName(branch)
		if !advertises(refs, want) {
			return ZeroHash, fmt.Errorf("fetching pull request %d: the remote %s has neither refs/pull/%d/head nor the branch %s", number, r.remote, number, branch)
		}
	}
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", want, local))
	err = r.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: r.remote, RefSpecs: []config.RefSpec{spec}, Auth: r.auth(), Tags: git.NoTags})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return ZeroHash, wrapf(authError(err), r.token, "fetching %s from %s", want, r.remote)
	}
	ref, err := r.repo.Reference(local, true)
	if err != nil {
		return ZeroHash, fmt.Errorf("fetching %s from %s: %w", want, r.remote, err)
	}
	return ref.Hash(), nil
}

func advertises(refs []*plumbing.Reference, name plumbing.ReferenceName) bool {
	for _, ref := range refs {
		if ref.Name() == name {
			return true
		}
	}
	return false
}

// MergeBase returns the best common ancestor of the commits a and b (a
// pull request's head and its base branch's tip): what the pull request
// changes is what changed between it and the head. A shallow clone that
// lacks the history has none, and says so.
func (r *Repo) MergeBase(a, b Hash) (Hash, error) {
	ca, err := r.repo.CommitObject(a)
	if err != nil {
		return ZeroHash, fmt.Errorf("merge base: reading %.12s: %w", a, err)
	}
	cb, err := r.repo.CommitObject(b)
	if err != nil {
		return ZeroHash, fmt.Errorf("merge base: reading %.12s: %w", b, err)
	}
	bases, err := ca.MergeBase(cb)
	if err != nil {
		return ZeroHash, fmt.Errorf("merge base of %.12s and %.12s: %w", a, b, err)
	}
	if len(bases) == 0 {
		return ZeroHash, fmt.Errorf("%.12s and %.12s have no common ancestor here (a shallow clone? fix needs the history)", a, b)
	}
	return bases[0].Hash, nil
}

// LastCommitBy walks the first parents from head back to (not including)
// stop and returns the newest commit authored by email whose subject line
// starts with subject: the last commit a bot made on a pull request's
// branch. ok is false when there is none.
func (r *Repo) LastCommitBy(head, stop Hash, email, subject string) (h Hash, ok bool, err error) {
	c, err := r.repo.CommitObject(head)
	for err == nil && c.Hash != stop {
		if strings.EqualFold(c.Author.Email, email) && strings.HasPrefix(c.Message, subject) {
			return c.Hash, true, nil
		}
		if len(c.ParentHashes) == 0 {
			return ZeroHash, false, nil
		}
		c, err = firstParent(c)
	}
	if err != nil {
		return ZeroHash, false, fmt.Errorf("walking the history of %.12s: %w", head, err)
	}
	return ZeroHash, false, nil
}

func firstParent(c *object.Commit) (*object.Commit, error) {
	p, err := c.Parents().Next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%.12s: no parent", c.Hash)
	}
	return p, err
}
