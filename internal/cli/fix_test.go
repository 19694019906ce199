package cli

import "testing"

func TestFixFlags(t *testing.T) {
	const head = "0123456789abcdef0123456789abcdef01234567"
	testFlags(t, newFixCmd, []flagCase[fixOptions]{
		{name: "compute and push", args: []string{"--pr", "42"}, want: fixOptions{PR: 42}},
		{name: "the computing half", args: []string{"--pr", "42", "--json"}, want: fixOptions{PR: 42, JSON: true}},
		{name: "the pushing half, bound to the computing run's head", args: []string{"--pr", "42", "--apply", "r.json", "--expect-head", head},
			want: fixOptions{PR: 42, Apply: "r.json", ExpectHead: head}},
		{name: "no pull request", args: []string{"--dry-run"}, wantErr: "--pr: the pull request's number is required", wantUsage: true},
		{name: "both halves at once", args: []string{"--pr", "1", "--json", "--apply", "r.json"}, wantErr: "one or the other", wantUsage: true},
		{name: "apply builds nothing", args: []string{"--pr", "1", "--apply", "r.json", "--verify"}, wantErr: "--apply builds nothing", wantUsage: true},
		{name: "an expected head without results", args: []string{"--pr", "1", "--expect-head", head}, wantErr: "checks the results of --apply", wantUsage: true},
		{name: "the base moved", args: []string{"--base-moved", "--dry-run", "--json"}, want: fixOptions{BaseMoved: true, DryRun: true, JSON: true}},
		{name: "the base moved, and one pull request named", args: []string{"--base-moved", "--pr", "1"}, wantErr: "--pr does not go with it", wantUsage: true},
		{name: "the base moved, and results to apply", args: []string{"--base-moved", "--apply", "r.json"}, wantErr: "--apply does not go with it", wantUsage: true},
		{name: "an expected head that is no commit", args: []string{"--pr", "1", "--apply", "r.json", "--expect-head", "main"}, wantErr: "want a full commit id", wantUsage: true},
	})
}
