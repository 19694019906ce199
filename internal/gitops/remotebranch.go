package gitops

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// RemoteBranch is the tip of a branch as fetched from the remote.
type RemoteBranch struct {
	// Hash is the tip commit.
	Hash Hash
	// AuthorEmail is the tip commit's author e-mail: the bot recognises its
	// own commits by it before replacing them.
	AuthorEmail string
	// Parents are the tip commit's parents.
	Parents []Hash
	// Message is the tip commit's message.
	Message string

	commit *object.Commit
}

// File returns the content of the repository-relative path p at the tip.
func (b *RemoteBranch) File(p string) ([]byte, error) { return fileContent(b.commit, p) }

// FetchBranch fetches branch from the remote into
// refs/remotes/<remote>/<branch> and returns its tip, or nil when the remote
// has no such branch.
func (r *Repo) FetchBranch(ctx context.Context, branch string) (*RemoteBranch, error) {
	if err := CheckBranchName(branch); err != nil {
		return nil, err
	}
	h, err := r.RemoteBranchHash(ctx, branch)
	if err != nil || h.IsZero() {
		return nil, err
	}
	tracking := plumbing.NewRemoteReferenceName(r.remote, branch)
	if err := r.fetchInto(ctx, branch, tracking); err != nil {
		return nil, wrapf(authError(err), r.token, "fetching branch %s from %s", branch, r.remote)
	}
	ref, err := r.repo.Reference(tracking, true)
	if err != nil {
		return nil, fmt.Errorf("fetching branch %s from %s: %w", branch, r.remote, err)
	}
	c, err := r.repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("reading the tip of %s: %w", branch, err)
	}
	return &RemoteBranch{Hash: c.Hash, AuthorEmail: c.Author.Email, Parents: c.ParentHashes, Message: c.Message, commit: c}, nil
}
