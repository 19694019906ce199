package gitops

import (
	"context"
	"errors"
	"fmt"
	"slices"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// BaseMovedError says that a commit a run planned on is no longer on the
// base branch (the branch was force-pushed, or the commit never was on
// it): nothing built on it may be pushed.
type BaseMovedError struct {
	Branch string
	// Planned is the commit the run planned on; Tip the branch's tip now.
	Planned, Tip Hash
}

func (e *BaseMovedError) Error() string {
	return fmt.Sprintf("the base branch %s no longer contains %.12s, the commit this run planned on (its tip is now %s; force-pushed?): nothing pushed; the next run plans again",
		e.Branch, e.Planned, describeHash(e.Tip))
}

// Head returns the commit the working tree's HEAD points at (ZeroHash
// before the first commit).
func (r *Repo) Head() (Hash, error) { return head(r.repo, r.dir) }

// HeadOf returns the commit HEAD points at in the repository at dir, which
// needs no remote (an error matching ErrNotARepository when dir is not in
// one).
func HeadOf(dir string) (Hash, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return ZeroHash, fmt.Errorf("opening git repository %s: %w", dir, err)
	}
	return head(repo, dir)
}

// head is repo's HEAD commit; ZeroHash before the first commit.
func head(repo *git.Repository, dir string) (Hash, error) {
	ref, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return ZeroHash, nil
	}
	if err != nil {
		return ZeroHash, fmt.Errorf("reading HEAD of %s: %w", dir, err)
	}
	return ref.Hash(), nil
}

// HasCommit says whether the commit h is in the local object store (a
// shallow clone lacks the parents of what it fetched).
func (r *Repo) HasCommit(h Hash) bool {
	_, err := r.repo.CommitObject(h)
	return err == nil
}

// CheckOnBranch checks that planned is tip, the tip of branch as fetched,
// or one of its ancestors; a *BaseMovedError otherwise, also when the
// history needed to tell is not in a shallow clone.
func (r *Repo) CheckOnBranch(ctx context.Context, planned Hash, branch string, tip Hash) error {
	if planned == tip {
		return nil
	}
	moved := &BaseMovedError{Branch: branch, Planned: planned, Tip: tip}
	p, err := r.repo.CommitObject(planned)
	if err != nil {
		return moved
	}
	t, err := r.repo.CommitObject(tip)
	if err != nil {
		return moved
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ok, err := p.IsAncestor(t)
	if err != nil && !errors.Is(err, plumbing.ErrObjectNotFound) {
		return fmt.Errorf("checking that %.12s is on %s: %w", planned, branch, err)
	}
	if !ok {
		return moved
	}
	return nil
}

// CheckBaseStill fetches branch again and checks that planned is still on
// it (CheckOnBranch): what a run pushes must sit on the base it planned on,
// and that base must not have been taken back while the run built.
func (r *Repo) CheckBaseStill(ctx context.Context, branch string, planned Hash) error {
	_, tip, err := r.FetchBase(ctx, branch)
	if err != nil {
		return err
	}
	return r.CheckOnBranch(ctx, planned, branch, tip)
}

// ChangedPaths lists the files that differ between the trees of the
// commits from and to, sorted ('/'-separated, a rename as both names).
func (r *Repo) ChangedPaths(from, to Hash) ([]string, error) {
	tree := func(h Hash) (*object.Tree, error) {
		c, err := r.repo.CommitObject(h)
		if err != nil {
			return nil, fmt.Errorf("reading commit %.12s: %w", h, err)
		}
		return c.Tree()
	}
	a, err := tree(from)
	if err != nil {
		return nil, err
	}
	b, err := tree(to)
	if err != nil {
		return nil, err
	}
	changes, err := object.DiffTree(a, b)
	if err != nil {
		return nil, fmt.Errorf("comparing %.12s with %.12s: %w", from, to, err)
	}
	var paths []string
	for _, ch := range changes {
		for _, name := range []string{ch.From.Name, ch.To.Name} {
			if name != "" && !slices.Contains(paths, name) {
				paths = append(paths, name)
			}
		}
	}
	slices.Sort(paths)
	return paths, nil
}
