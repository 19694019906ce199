package bot

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// ownBranch fetches one of the bot's branches from the remote: nil when it
// does not exist, a *ForeignPushError when its tip is not a commit hashbot
// could have made. A branch is recognised by what it holds, not by its
// name or author alone: one commit, by hashbot's author, on a commit of
// the base branch, changing nothing but the files of the pins layout, and
// those only where the guard lets hashbot write (hash and version
// literals, the pins, the moved flake inputs' lock nodes, with the hashes
// its message lists). It returns the branch's pins too (nil when they do
// not load).
func (b *Bot) ownBranch(ctx context.Context, p *plan, branch string) (*gitops.RemoteBranch, *pins.Stored, error) {
	head, err := p.repo.FetchBranch(ctx, branch)
	if err != nil || head == nil {
		return nil, nil, err
	}
	foreign := func(reason string) error {
		return &ForeignPushError{Branch: branch, Commit: head.Hash.String(), Author: head.AuthorEmail, Reason: reason}
	}
	author, err := gitops.ParseAuthor(p.cfg.Git.Author)
	if err != nil {
		return nil, nil, err
	}
	if !strings.EqualFold(head.AuthorEmail, author.Email) {
		return nil, nil, foreign("")
	}
	if len(head.Parents) != 1 {
		return nil, nil, foreign(fmt.Sprintf("a commit with %d parents", len(head.Parents)))
	}
	layout := p.cfg.PinsLayout()
	after, afterErr := layout.Load(head.File, "branch "+branch)
	if afterErr != nil {
		after = nil
	}
	parent := head.Parents[0]
	if !p.repo.HasCommit(parent) {
		// A shallow clone has only the base's tip: a branch on an older
		// base is judged by its author, and replaced with a lease.
		return head, after, nil
	}
	allowed := map[string]bool{}
	for _, path := range layout.Paths() {
		allowed[path] = true
	}
	if layout.FlakeLock != "" {
		allowed[layout.FlakeLock] = true
	}
	changed, err := p.repo.ChangedPaths(parent, head.Hash)
	if err != nil {
		return nil, nil, err
	}
	for _, path := range changed {
		if !allowed[path] {
			return nil, nil, foreign("it changes " + path + ", which is not a file of the pins")
		}
	}
	if parent != p.base {
		// On an older base, whose configuration may have kept its pins
		// otherwise: the run replaces it (with a lease), never takes it
		// as its answer, so the plan's rules for its content do not apply.
		return head, after, nil
	}
	before, err := layout.Load(func(path string) ([]byte, error) { return p.repo.CommitFile(parent, path) }, fmt.Sprintf("commit %.12s", parent))
	if err != nil {
		return nil, nil, foreign(fmt.Sprintf("its parent %.12s does not hold this configuration's pins: %v", parent, err))
	}
	if afterErr != nil {
		return nil, nil, foreign(afterErr.Error())
	}
	if p.check != nil {
		// A moved flake input is locked where the plan's check puts it.
		before.ExpectLocked(p.check.LockedRevs())
	}
	if err := before.Guard(after.Files()); err != nil {
		return nil, nil, foreign(err.Error())
	}
	// hashbot's message lists every hash its commit changes: a hash
	// rewritten after the fact without the message no longer matches.
	listed := hashLines(head.Message)
	want := hashLines(commitBody(rowsFromPins(p.cfg, before.Pins, after.Pins)))
	if !maps.Equal(listed, want) {
		return nil, nil, foreign("its hashes are not the ones its commit message lists")
	}
	return head, after, nil
}

// hashLines are the "- fod (system): old -> new" lines of a commit
// message (commitBody), as a set.
func hashLines(message string) map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(message, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "- ") && strings.Contains(line, " -> ") {
			set[line] = true
		}
	}
	return set
}
