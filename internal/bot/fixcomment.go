package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/fod"
)

// maxCommentDiff bounds the diff a comment shows; GitHub takes 65536
// characters in all.
const maxCommentDiff = 60000

// commentFix tells a fork's pull request, which hashbot never pushes to,
// the exact change as a patch its author can apply with `git apply`.
func (b *Bot) commentFix(ctx context.Context, fp *fixPlan, out *FixOutcome, report *fod.Report) error {
	body, err := fixComment(fp.head.String(), report, out.Diff)
	if err != nil {
		return err
	}
	c, _, err := b.opts.GitHub.Issues.CreateComment(ctx, fp.owner, fp.name, out.PullRequest, &github.IssueComment{Body: github.String(body)})
	if err != nil {
		return fmt.Errorf("commenting on pull request #%d: %w", out.PullRequest, err)
	}
	out.Status, out.Comment = FixCommented, c.GetHTMLURL()
	zerolog.Ctx(ctx).Info().Str("comment", out.Comment).Msg("a fork's pull request: the change is in a comment, nothing pushed")
	return nil
}

// fixComment is the comment's Markdown: what changed, and the patch in a
// fence longer than any run of backticks in it (the files are the pull
// request's, and may hold backticks meant to end the block).
func fixComment(head string, report *fod.Report, diff string) (string, error) {
	if len(diff) > maxCommentDiff {
		return "", fmt.Errorf("the change is %d bytes, too long for a comment", len(diff))
	}
	fence := "```"
	for strings.Contains(diff, fence) {
		fence += "`"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "hashbot computed Nix's hashes for this pull request's head %.12s: %s changed.\n\n", head, strings.Join(changedFODs(report), ", "))
	b.WriteString("This pull request comes from a fork, which hashbot does not push to. Apply the change with `git apply`:\n\n")
	fmt.Fprintf(&b, "%sdiff\n%s%s\n", fence, diff, fence)
	return b.String(), nil
}
