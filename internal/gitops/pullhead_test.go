package gitops

import (
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestFetchPullHeadFindsThePullRequestsCommits(t *testing.T) {
	tests := []struct {
		name string
		// ref is where the pull request's head is pushed on the remote.
		ref, branch string
		wantErr     bool
	}{
		{"GitHub's refs/pull/N/head (a fork's head too)", "refs/pull/7/head", "", false},
		{"a same-repository branch when the remote has no pull refs", "refs/heads/dependabot/go_modules/x-1.2.3", "dependabot/go_modules/x-1.2.3", false},
		{"neither", "refs/heads/elsewhere", "dependabot/go_modules/x-1.2.3", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			base := runGit(t, f.work, "rev-parse", "HEAD")
			runGit(t, f.work, "checkout", "-q", "-b", "pr")
			writeFile(t, filepath.Join(f.work, "go.sum"), "x v1.2.3\n")
			runGit(t, f.work, "add", ".")
			runGit(t, f.work, "commit", "-q", "-m", "bump x")
			head := runGit(t, f.work, "rev-parse", "HEAD")
			runGit(t, f.work, "push", "-q", "origin", "HEAD:"+tt.ref)
			f.pushFromOther(t, "main", "README.md", "moved on\n")
			runGit(t, f.work, "checkout", "-q", "main")

			r := openFixture(t, f)
			got, err := r.FetchPullHead(t.Context(), 7, tt.branch)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("FetchPullHead = %s, want an error", got)
				}
				return
			}
			if err != nil || got.String() != head {
				t.Fatalf("FetchPullHead = %s, %v; want %s", got, err, head)
			}
			_, tip, err := r.FetchBase(t.Context(), "main")
			if err != nil {
				t.Fatal(err)
			}
			mb, err := r.MergeBase(got, tip)
			if err != nil || mb.String() != base {
				t.Errorf("MergeBase = %s, %v; want %s", mb, err, base)
			}
		})
	}
}

func TestLastCommitByFindsTheBotsCommitOnTheBranchOnly(t *testing.T) {
	f := newFixture(t)
	base := plumbing.NewHash(runGit(t, f.work, "rev-parse", "HEAD"))
	commit := func(author, msg string) plumbing.Hash {
		writeFile(t, filepath.Join(f.work, "go.sum"), msg)
		runGit(t, f.work, "add", ".")
		runGit(t, f.work, "-c", "user.email="+author, "-c", "user.name=x", "commit", "-q", "--author", "x <"+author+">", "-m", msg)
		return plumbing.NewHash(runGit(t, f.work, "rev-parse", "HEAD"))
	}
	human := commit("me@example.org", "bump x")
	bot := commit("hashbot@localhost", "hashbot: update FOD hashes for vendor")
	later := commit("me@example.org", "bump y")
	r := openFixture(t, f)
	tests := []struct {
		name       string
		head, stop plumbing.Hash
		want       plumbing.Hash
		wantOK     bool
	}{
		{"the bot's commit under a later human one", later, base, bot, true},
		{"the bot's commit at the head", bot, base, bot, true},
		{"none before the bot committed", human, base, plumbing.ZeroHash, false},
		{"none below the stop", later, bot, plumbing.ZeroHash, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := r.LastCommitBy(tt.head, tt.stop, "hashbot@localhost", "hashbot: update FOD hashes")
			if err != nil || ok != tt.wantOK || got != tt.want {
				t.Errorf("LastCommitBy = %s, %v, %v; want %s, %v", got, ok, err, tt.want, tt.wantOK)
			}
		})
	}
}
