package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"
)

// maxRefreshCommentPages bounds the pages of comments (100 each) read to
// find hashbot's own ask.
const maxRefreshCommentPages = 5

// askReason is why a pull request is asked to merge the base itself.
type askReason int

const (
	askFork     askReason = iota // a fork: hashbot writes nothing there
	askConflict                  // GitHub could not merge the base into it
)

// updateBranch asks GitHub to merge the base into the pull request's
// branch, with a lease on the head the refresh read (expected_head_sha).
// GitHub answers 202 and merges in the background; the push fires the
// pull request's synchronize event, on which the fix flow recomputes the
// FODs. A 422 is a head that moved meanwhile (left to that push's own
// event) or a merge GitHub cannot make (the pull request is asked).
func (rf *refresher) updateBranch(ctx context.Context, rp *RefreshPull) error {
	if rf.dryRun {
		rp.Action, rp.Reason = RefreshWouldUpdate, fmt.Sprintf("would ask GitHub to merge %s into it", rf.base)
		return nil
	}
	gh := rf.b.opts.GitHub
	_, _, err := gh.PullRequests.UpdateBranch(ctx, rf.owner, rf.name, rp.PullRequest,
		&github.PullRequestBranchUpdateOptions{ExpectedHeadSHA: github.String(rp.Head)})
	var accepted *github.AcceptedError
	var gerr *github.ErrorResponse
	switch {
	case err == nil || errors.As(err, &accepted):
		rp.Action, rp.Reason = RefreshUpdated, fmt.Sprintf("GitHub merges %s into it; its synchronize event recomputes the hashes", rf.base)
		return nil
	case !errors.As(err, &gerr) || gerr.Response == nil || gerr.Response.StatusCode != http.StatusUnprocessableEntity:
		return fmt.Errorf("asking GitHub to merge %s into pull request #%d: %w", rf.base, rp.PullRequest, err)
	}
	// Which 422 it is, the pull request's head says: GitHub's message is
	// not a contract.
	pr, _, err := gh.PullRequests.Get(ctx, rf.owner, rf.name, rp.PullRequest)
	if err != nil {
		return fmt.Errorf("reading pull request #%d after GitHub refused to update it (%.200s): %w", rp.PullRequest, gerr.Message, err)
	}
	if now := pr.GetHead().GetSHA(); now != rp.Head {
		rp.Action, rp.Reason = RefreshMoved, fmt.Sprintf("its head moved to %.12s since it was read: GitHub refused the update (expected_head_sha); that push's own event fixes it", now)
		return nil
	}
	return rf.ask(ctx, rp, askConflict)
}

// ask comments on the pull request, once per head, that the base changed
// the inputs of FODs whose hashes it sets, and asks for a merge or a
// rebase; the next push is fixed as usual.
func (rf *refresher) ask(ctx context.Context, rp *RefreshPull, why askReason) error {
	rp.Reason = "a fork: hashbot writes nothing there"
	if why == askConflict {
		rp.Reason = fmt.Sprintf("GitHub could not merge %s into it (a conflict?)", rf.base)
	}
	if rf.dryRun {
		rp.Action = RefreshWouldComment
		return nil
	}
	marker := refreshMarker(rp.Head)
	asked, err := rf.asked(ctx, rp.PullRequest, marker)
	if err != nil {
		return err
	}
	if asked {
		rp.Action = RefreshAskedAlready
		return nil
	}
	body := refreshComment(rf.base, rf.tip.String(), rp.FODs, why) + "\n" + marker + "\n"
	c, _, err := rf.b.opts.GitHub.Issues.CreateComment(ctx, rf.owner, rf.name, rp.PullRequest, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return fmt.Errorf("commenting on pull request #%d: %w", rp.PullRequest, err)
	}
	rp.Action, rp.Comment = RefreshCommented, c.GetHTMLURL()
	return nil
}

// refreshMarker ends hashbot's ask for the head: one ask per head, however
// often the base moves under it.
func refreshMarker(head string) string {
	return "<!-- hashbot: base moved under " + head + " -->"
}

// asked says whether a comment on the pull request holds marker. Anyone
// could write the marker; that only spares the pull request hashbot's ask.
func (rf *refresher) asked(ctx context.Context, number int, marker string) (bool, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for range maxRefreshCommentPages {
		page, resp, err := rf.b.opts.GitHub.Issues.ListComments(ctx, rf.owner, rf.name, number, opts)
		if err != nil {
			return false, fmt.Errorf("reading the comments of pull request #%d: %w", number, err)
		}
		for _, c := range page {
			if strings.Contains(c.GetBody(), marker) {
				return true, nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return false, nil
		}
		opts.Page = resp.NextPage
	}
	return false, nil
}

// refreshComment is the ask's Markdown. The FOD names and the reasons
// come from the pull request's hashbot.toml: each is shown in a code span
// no backtick of its own can close.
func refreshComment(base, tip string, fods map[string][]string, why askReason) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The base branch %s moved (now %.12s), and it changes the inputs of FODs whose hashes this pull request sets:\n\n", inlineCode(base), tip)
	for _, name := range sortedKeys(fods) {
		var reasons []string
		for _, r := range fods[name] {
			reasons = append(reasons, inlineCode(r))
		}
		fmt.Fprintf(&b, "- %s: %s\n", inlineCode(name), strings.Join(reasons, ", "))
	}
	b.WriteString("\nThose hashes were computed from this branch alone, and may be wrong once it is merged. ")
	switch why {
	case askFork:
		b.WriteString("This pull request comes from a fork, which hashbot does not write to: ")
	case askConflict:
		b.WriteString("GitHub could not merge the base into this branch: ")
	}
	fmt.Fprintf(&b, "please merge %s into it or rebase it; hashbot recomputes the hashes on the next push.\n", inlineCode(base))
	return b.String()
}

// inlineCode renders s as a Markdown code span on one line, with a fence
// longer than any run of backticks in s.
func inlineCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
