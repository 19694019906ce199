package pulls_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pulls"
)

// TestPublishSettlesReadinessByTheCheck publishes with each verdict onto
// a new or an existing pull request and compares the state it is left in.
func TestPublishSettlesReadinessByTheCheck(t *testing.T) {
	type state struct {
		Draft     bool
		Labels    []string
		AutoMerge string
	}
	tests := []struct {
		name     string
		existing *ghfake.PullRequest
		opts     func(*pulls.Options)
		verdict  pulls.Verdict
		want     state
		ready    bool // Outcome.MarkedReady
	}{
		{name: "a failed check opens a draft with the needs-work label, never auto-merged",
			opts: func(o *pulls.Options) { o.AutoMerge = "squash" }, verdict: pulls.VerdictFailed,
			want: state{Draft: true, Labels: []string{"dependencies", "nix", "hashbot:needs-work"}}},
		{name: "the label is configurable",
			opts: func(o *pulls.Options) { o.NeedsWorkLabel = "broken" }, verdict: pulls.VerdictFailed,
			want: state{Draft: true, Labels: []string{"dependencies", "nix", "broken"}}},
		{name: "a check that built opens a ready pull request with auto-merge",
			opts: func(o *pulls.Options) { o.AutoMerge = "squash" }, verdict: pulls.VerdictBuilt,
			want: state{Labels: []string{"dependencies", "nix"}, AutoMerge: "squash"}},
		{name: "no auto-merge unless configured", verdict: pulls.VerdictBuilt,
			want: state{Labels: []string{"dependencies", "nix"}}},
		{name: "a check built later marks the draft ready and drops the label",
			existing: &ghfake.PullRequest{Draft: true, Labels: []string{"dependencies", "nix", "hashbot:needs-work"}},
			opts:     func(o *pulls.Options) { o.AutoMerge = "rebase" }, verdict: pulls.VerdictBuilt,
			want: state{Labels: []string{"dependencies", "nix"}, AutoMerge: "rebase"}, ready: true},
		{name: "a repository that wants drafts keeps them, and never auto-merges",
			existing: &ghfake.PullRequest{Draft: true, Labels: []string{"dependencies", "nix", "hashbot:needs-work"}},
			opts:     func(o *pulls.Options) { o.Draft = true; o.AutoMerge = "squash" }, verdict: pulls.VerdictBuilt,
			want: state{Draft: true, Labels: []string{"dependencies", "nix"}}},
		{name: "a check failing later makes it a draft again and turns auto-merge off",
			existing: &ghfake.PullRequest{Labels: []string{"dependencies", "nix"}, AutoMerge: "squash"},
			opts:     func(o *pulls.Options) { o.AutoMerge = "squash" }, verdict: pulls.VerdictFailed,
			want: state{Draft: true, Labels: []string{"dependencies", "nix", "hashbot:needs-work"}}},
		{name: "a check not tried everywhere leaves the state as it is",
			existing: &ghfake.PullRequest{Draft: true, Labels: []string{"dependencies", "nix", "hashbot:needs-work"}},
			opts:     func(o *pulls.Options) { o.AutoMerge = "squash" }, verdict: pulls.VerdictNone,
			want: state{Draft: true, Labels: []string{"dependencies", "nix", "hashbot:needs-work"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *ghfake.Server
			if tt.existing != nil {
				pr := botPR(1, testBranch, "2026.2.2", tt.existing.Labels...)
				pr.Draft, pr.AutoMerge = tt.existing.Draft, tt.existing.AutoMerge
				srv = newServer(t, pr)
			} else {
				srv = newServer(t)
			}
			req := testRequest()
			req.Verdict = tt.verdict
			out, err := newManager(t, srv, tt.opts).Publish(t.Context(), req)
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if len(out.Warnings) > 0 {
				t.Errorf("warnings: %v", out.Warnings)
			}
			prs := srv.PullRequests(testFullName)
			got := state{Draft: prs[0].Draft, Labels: prs[0].Labels, AutoMerge: prs[0].AutoMerge}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pull request (-want +got):\n%s", diff)
			}
			if out.Draft != tt.want.Draft || out.AutoMerge != tt.want.AutoMerge || out.MarkedReady != tt.ready {
				t.Errorf("outcome: draft %v, auto-merge %q, marked ready %v; want %v, %q, %v",
					out.Draft, out.AutoMerge, out.MarkedReady, tt.want.Draft, tt.want.AutoMerge, tt.ready)
			}
		})
	}
}

// TestAutoMergeIsNeverAskedForADraft: a pull request made a draft by hand
// (no needs-work label) stays one, and hashbot sends no mutation for it.
func TestAutoMergeIsNeverAskedForADraft(t *testing.T) {
	pr := botPR(1, testBranch, "2026.2.2", "dependencies", "nix")
	pr.Draft = true
	srv := newServer(t, pr)
	req := testRequest()
	req.Verdict = pulls.VerdictBuilt
	out, err := newManager(t, srv, func(o *pulls.Options) { o.AutoMerge = "squash" }).Publish(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if out.AutoMerge != "" || out.MarkedReady || !out.Draft || srv.PullRequests(testFullName)[0].AutoMerge != "" {
		t.Errorf("outcome %+v: want a draft without auto-merge", out)
	}
	for _, w := range writes(t, srv) {
		if w.Path == "/graphql" {
			t.Errorf("a mutation was sent for a draft: %v", w.Body)
		}
	}
}
