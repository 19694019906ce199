package main

import (
	"os/exec"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

// ghpr owner/name N branch DIR [author [fork-owner]]: open pull request N
// from branch whose head is the HEAD commit of the git repository DIR,
// opened by author (default dependabot[bot]), from fork-owner's fork when
// given; when N is open already, move its head there (a push to the pull
// request: GitHub's synchronize).
func cmdGHPR(ts *testscript.TestScript, neg bool, args []string) {
	noNeg(ts, neg, "ghpr")
	if len(args) < 4 || len(args) > 6 {
		ts.Fatalf("usage: ghpr owner/name number branch dir [author [fork-owner]]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	out, err := exec.Command("git", "-C", ts.MkAbs(args[3]), "rev-parse", "HEAD").Output()
	ts.Check(err)
	sha := strings.TrimSpace(string(out))
	srv := fakeGitHub(ts)
	if srv.SetPullHead(args[0], n, sha) {
		return
	}
	pr := ghfake.PullRequest{Number: n, Head: args[2], HeadSHA: sha, User: "dependabot[bot]", Title: "Bump " + args[2]}
	if len(args) > 4 {
		pr.User = args[4]
	}
	if len(args) > 5 {
		pr.HeadOwner = args[5]
	}
	srv.AddPullRequest(args[0], pr)
}
