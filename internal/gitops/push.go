package gitops

import (
	"context"
	"errors"
	"fmt"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// Push pushes the local branch to the remote branch of the same name with
// force-with-lease semantics: expected is where the caller last saw the
// remote branch (ZeroHash: absent). If the remote branch is anywhere else,
// Push returns a *LeaseError (errors.Is ErrLeaseBroken) and leaves it alone.
//
// The remote refs are listed right before pushing; the push itself then
// requires the remote branch to still be at expected (go-git's
// RequireRemoteRefs, checked against the push's own ref advertisement, and
// the server's compare-and-swap on the old value). A branch expected absent
// is pushed without force, so a branch created in the meantime is only
// updated if it is an ancestor of ours. A push that changes nothing (the
// remote branch is already at the local commit) returns nil.
func (r *Repo) Push(ctx context.Context, branch string, expected Hash) error {
	if err := CheckBranchName(branch); err != nil {
		return err
	}
	name := plumbing.NewBranchReferenceName(branch)
	local, err := r.repo.Reference(name, true)
	if err != nil {
		return fmt.Errorf("pushing %s: local branch: %w", branch, err)
	}
	actual, err := r.RemoteBranchHash(ctx, branch)
	if err != nil {
		return fmt.Errorf("pushing %s: %w", branch, err)
	}
	if actual != expected {
		return &LeaseError{Branch: branch, Expected: expected, Actual: actual}
	}
	if actual == local.Hash() {
		return nil
	}
	po := &git.PushOptions{RemoteName: r.remote, Auth: r.auth()}
	if expected.IsZero() {
		po.RefSpecs = []config.RefSpec{config.RefSpec(fmt.Sprintf("%s:%s", name, name))}
	} else {
		po.RefSpecs = []config.RefSpec{config.RefSpec(fmt.Sprintf("+%s:%s", name, name))}
		po.RequireRemoteRefs = []config.RefSpec{config.RefSpec(fmt.Sprintf("%s:%s", expected, name))}
	}
	url, _ := r.remoteURL()
	log := zerolog.Ctx(ctx).With().Str(logfield.Branch, branch).Str(logfield.Remote, censor(url, r.token)).Logger()
	log.Debug().Str("expected", expected.String()).Str("new", local.Hash().String()).Msg("pushing")
	if r.beforePush != nil {
		r.beforePush()
	}
	err = r.repo.PushContext(ctx, po)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	if errors.Is(authError(err), ErrAuth) {
		return wrapf(authError(err), r.token, "pushing %s to %s (%s)", branch, r.remote, url)
	}
	// Tell a lost race from any other failure by looking again.
	if now, lerr := r.RemoteBranchHash(ctx, branch); lerr == nil && now != expected {
		if now == local.Hash() {
			return nil // the update landed; only its report failed
		}
		return &LeaseError{Branch: branch, Expected: expected, Actual: now}
	}
	return wrapf(err, r.token, "pushing %s to %s (%s)", branch, r.remote, url)
}

// DeleteRemoteBranch deletes branch on the remote if it still points at
// expected (a lease, as Push has): a branch someone pushed to since is left
// alone with a *LeaseError. A branch already gone is not an error.
func (r *Repo) DeleteRemoteBranch(ctx context.Context, branch string, expected Hash) error {
	if err := CheckBranchName(branch); err != nil {
		return err
	}
	actual, err := r.RemoteBranchHash(ctx, branch)
	if err != nil {
		return fmt.Errorf("deleting %s: %w", branch, err)
	}
	if actual.IsZero() {
		return nil
	}
	if actual != expected {
		return &LeaseError{Branch: branch, Expected: expected, Actual: actual}
	}
	name := plumbing.NewBranchReferenceName(branch)
	po := &git.PushOptions{
		RemoteName:        r.remote,
		Auth:              r.auth(),
		RefSpecs:          []config.RefSpec{config.RefSpec(":" + name.String())},
		RequireRemoteRefs: []config.RefSpec{config.RefSpec(fmt.Sprintf("%s:%s", expected, name))},
	}
	url, _ := r.remoteURL()
	err = r.repo.PushContext(ctx, po)
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return wrapf(authError(err), r.token, "deleting %s on %s (%s)", branch, r.remote, url)
}
