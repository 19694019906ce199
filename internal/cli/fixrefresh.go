package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/webhook"
)

// checkBaseMoved refuses the flags of one pull request's fix beside
// --base-moved, which looks at every open one and computes nothing.
func checkBaseMoved(cmd *cobra.Command) error {
	for _, name := range []string{"pr", "apply", "verify", "expect-head"} {
		if cmd.Flags().Changed(name) {
			return usageErrorf("--base-moved looks at every open pull request and builds nothing: --%s does not go with it", name)
		}
	}
	return nil
}

// fixBaseMovedRun is `hashbot fix --base-moved`: the refresh of the open
// pull requests whose base moved under hashbot's fix.
func fixBaseMovedRun(ctx context.Context, opts *fixOptions) error {
	_, b, err := opts.Factory.loadBot(ctx, true)
	if err != nil {
		return err
	}
	out, err := b.RefreshFixes(ctx, bot.RefreshRequest{DryRun: opts.DryRun})
	if out != nil && out.Base != "" { // what was done before a failure too
		if opts.JSON {
			if werr := writeJSON(opts.IO.Out, out); werr != nil {
				return werr
			}
		} else {
			printRefresh(opts.IO.Out, out)
		}
	}
	return runError(err)
}

// printRefresh tells a person what the refresh did with each pull request.
func printRefresh(w io.Writer, out *bot.RefreshOutcome) {
	fmt.Fprintf(w, "base %s at %.12s: %d open pull request(s)\n", out.Base, out.Tip, len(out.Pulls))
	for _, p := range out.Pulls {
		fods := ""
		if len(p.FODs) > 0 {
			fods = " (" + strings.Join(slices.Sorted(maps.Keys(p.FODs)), ", ") + ")"
		}
		line := fmt.Sprintf("#%d%s: %s: %s", p.PullRequest, fods, p.Action, p.Reason)
		if p.Comment != "" {
			line += ": " + p.Comment
		}
		fmt.Fprintln(w, line)
	}
}

// refreshOutcome is what /healthz shows of a refresh serve ran: how many
// pull requests it asked GitHub to update, asked to merge, or left.
func refreshOutcome(out *bot.RefreshOutcome) webhook.Outcome {
	if out == nil || out.Base == "" {
		return webhook.Outcome{Status: "failed"}
	}
	count := map[bot.RefreshAction]int{}
	for _, p := range out.Pulls {
		count[p.Action]++
	}
	var parts []string
	for _, a := range slices.Sorted(maps.Keys(count)) {
		parts = append(parts, fmt.Sprintf("%d %s", count[a], a))
	}
	detail := fmt.Sprintf("base %s at %.12s: %d open pull request(s)", out.Base, out.Tip, len(out.Pulls))
	if len(parts) > 0 {
		detail += ": " + strings.Join(parts, ", ")
	}
	return webhook.Outcome{Status: "refreshed", Detail: detail}
}
