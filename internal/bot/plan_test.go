package bot

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/gitops"
)

// pushFromOther commits files on main from a second clone of the remote
// and pushes it, as a maintainer would while hashbot's working tree stays
// where it was; it returns the new commit.
func (f *fixture) pushFromOther(t *testing.T, files map[string]string) string {
	t.Helper()
	other := filepath.Join(t.TempDir(), "other")
	git(t, filepath.Dir(other), "clone", "-q", f.remote, other)
	for name, content := range files {
		p := filepath.Join(other, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, other, "add", ".")
	git(t, other, "commit", "-q", "-m", "maintainer's change")
	git(t, other, "push", "-q", "origin", "main")
	return git(t, other, "rev-parse", "HEAD")
}

// TestTheBaseConfigurationDecidesPublishing: the base commit turns on
// [git] sign = "github" and a label that the working tree's hashbot.toml
// does not have; the run signs through GitHub's API and labels as the
// base says, with one configuration load of the base.
func TestTheBaseConfigurationDecidesPublishing(t *testing.T) {
	f := newFixture(t)
	baseConfig := testConfig + "repo = \"o/r\"\nlabels = [\"base-label\"]\n\n[git]\nsign = \"github\"\n"
	f.pushFromOther(t, map[string]string{"hashbot.toml": baseConfig})

	srv := ghfake.New(t)
	srv.AddRepo("o/r", "main")
	srv.ServeGit("o/r", f.remote)
	gh := github.NewClient(nil).WithAuthToken("test-token")
	gh.BaseURL, _ = url.Parse(srv.URL)
	cfg, err := config.Load(f.work, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Git.Sign == config.SignByGitHub || slices.Contains(cfg.PullRequest.Labels, "base-label") {
		t.Fatal("the working tree's configuration already says what the base's does")
	}
	loads := 0
	b, err := New(Options{Config: cfg, Checker: f.checker, Engine: f.engine, GitHub: gh,
		LoadConfig: func(dir string, opts config.LoadOptions) (*config.Config, error) {
			loads++
			return config.Load(dir, opts)
		}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Run(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusUpdated || loads != 1 {
		t.Fatalf("status %s, %d loads of the base's hashbot.toml; want updated, 1", out.Status, loads)
	}
	var apiCommits, prLists int
	for _, r := range srv.Requests() {
		switch {
		case r.Method == "POST" && r.Path == "/graphql":
			apiCommits++
		case r.Method == "GET" && strings.HasSuffix(r.Path, "/pulls") && strings.Contains(r.Query, "head="):
			prLists++
		}
	}
	if apiCommits != 1 {
		t.Errorf("%d commits through GitHub's API; want 1 (the base signs through GitHub)", apiCommits)
	}
	if prLists != 1 {
		t.Errorf("the branch's pull requests were listed %d times; want 1", prLists)
	}
	prs := srv.PullRequests("o/r")
	if len(prs) != 1 || !slices.Contains(prs[0].Labels, "base-label") {
		t.Errorf("pull requests %+v; want one labelled base-label", prs)
	}
}

// TestABaseForcePushedDuringTheRunIsNotPushedOnto is the force-push case: a
// commit removed from main while hashbot builds never comes back in its
// branch; nothing is pushed and the next run plans again.
func TestABaseForcePushedDuringTheRunIsNotPushedOnto(t *testing.T) {
	f := newFixture(t)
	planned := f.pushFromOther(t, map[string]string{"README.md": "soon taken back\n"})
	f.engine.during = func() {
		git(t, f.remote, "update-ref", "refs/heads/main", planned+"~1")
	}
	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	var moved *gitops.BaseMovedError
	if !errors.As(err, &moved) || moved.Planned.String() != planned {
		t.Fatalf("Run = %v, want a *gitops.BaseMovedError naming %s", err, planned)
	}
	if got := f.remoteBranch(t); got != "" || len(f.pub.published) != 0 || out.Status == StatusUpdated {
		t.Errorf("the branch is at %q and %d pull requests were published; want nothing pushed", got, len(f.pub.published))
	}
}

// TestATamperedBotBranchIsNotTakenAsHashbots: someone with push access
// amends hashbot's commit as hashbot's author, adding a file; the next run
// neither says "up to date" nor overwrites it.
func TestATamperedBotBranchIsNotTakenAsHashbots(t *testing.T) {
	f := newFixture(t)
	if _, err := f.bot(t).Run(t.Context(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "tamper")
	git(t, filepath.Dir(work), "clone", "-q", "-b", branch, f.remote, work)
	os.WriteFile(filepath.Join(work, "evil.nix"), []byte("builtins.exec\n"), 0o644)
	git(t, work, "add", ".")
	git(t, work, "-c", "user.name=hashbot", "-c", "user.email=hashbot@localhost", "commit", "-q", "--amend", "--no-edit")
	git(t, work, "push", "-q", "-f", "origin", branch)
	tampered := f.remoteBranch(t)

	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	var foreign *ForeignPushError
	if !errors.As(err, &foreign) || !strings.Contains(err.Error(), "evil.nix") {
		t.Fatalf("Run = %v (status %s), want a *ForeignPushError naming evil.nix", err, out.Status)
	}
	if got := f.remoteBranch(t); got != tampered {
		t.Errorf("the tampered branch was overwritten: %s -> %s", tampered, got)
	}
}

// TestEachRunReadsTheRemoteOnce counts what one run, one serve job and
// one status read of a change already proposed: hashbot.toml of the base
// once, and one lookup of the branch's pull requests.
func TestEachRunReadsTheRemoteOnce(t *testing.T) {
	f := newFixture(t)
	if _, err := f.bot(t).Run(t.Context(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		run  func(b *Bot) error
	}{
		{"an already proposed run", func(b *Bot) error { _, err := b.Run(t.Context(), RunOptions{}); return err }},
		{"a serve job", func(b *Bot) error {
			_, err := b.Run(t.Context(), RunOptions{Version: "2026.2.2", OnlyNewer: true, WaitForLock: true, Command: "hashbot serve"})
			return err
		}},
		{"a status", func(b *Bot) error { _, _, err := b.Status(t.Context(), RunOptions{}); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.pub.lookups = 0
			loads := 0
			cfg, err := config.Load(f.work, config.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := New(Options{Config: cfg, Checker: f.checker, Engine: f.engine, Publisher: f.pub, LockRuns: true,
				LoadConfig: func(dir string, opts config.LoadOptions) (*config.Config, error) {
					loads++
					return config.Load(dir, opts)
				}})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.run(b); err != nil {
				t.Fatal(err)
			}
			if f.pub.lookups != 1 || loads != 1 {
				t.Errorf("%d pull-request lookups, %d loads of the base's hashbot.toml; want 1 and 1", f.pub.lookups, loads)
			}
		})
	}
}

// TestPublishPinsPublishesOntoTheCommitTheResultsWereComputedOn: the
// matrix's results were computed on the working tree's commit; main moved
// on with a recipe change before the publish. The change lands on the
// commit the hashes belong to, never on the newer base.
func TestPublishPinsPublishesOntoTheCommitTheResultsWereComputedOn(t *testing.T) {
	f := newFixture(t)
	computedOn := git(t, f.work, "rev-parse", "HEAD")
	applied := strings.NewReplacer(`"2026.2.1"`, `"2026.2.2"`,
		"sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw=", newSrc,
		"sha256-+1MS0G40tKK5VE9ZOWSoAxByRa7uV46vYq5zsOr/1hY=", newPyArm,
		"sha256-fsST2hZ5WxTUdGkF8KQ4Lj0vZHQwF/d0mxGQCkqdUwg=", newPyX86).Replace(basePins)
	os.WriteFile(filepath.Join(f.work, "nix/sources.json"), []byte(applied), 0o644)
	f.pushFromOther(t, map[string]string{"nix/python-deps.nix": "{ changed = true; }\n"})

	out, err := f.bot(t).PublishPins(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusUpdated {
		t.Fatalf("status %s", out.Status)
	}
	if parent := git(t, f.remote, "rev-parse", branch+"^"); parent != computedOn {
		t.Errorf("published onto %s; want %s, the commit the results were computed on", parent, computedOn)
	}
}

// TestPublishPinsRefusesResultsOfACommitTakenBack: the commit the results
// were computed on is no longer on main (force-pushed away).
func TestPublishPinsRefusesResultsOfACommitTakenBack(t *testing.T) {
	f := newFixture(t)
	git(t, f.work, "commit", "-q", "--allow-empty", "-m", "pushed, then taken back")
	git(t, f.work, "push", "-q", "origin", "main")
	git(t, f.remote, "update-ref", "refs/heads/main", "main~1")
	_, err := f.bot(t).PublishPins(t.Context(), RunOptions{})
	var moved *gitops.BaseMovedError
	if !errors.As(err, &moved) {
		t.Fatalf("PublishPins = %v, want a *gitops.BaseMovedError", err)
	}
	if got := f.remoteBranch(t); got != "" {
		t.Errorf("pushed %s", got)
	}
}

// TestAHashRewrittenOnTheBotBranchIsNotTakenAsHashbots: the tampered
// commit changes only a hash literal, to another well-formed hash, and
// keeps hashbot's message, which no longer lists what the commit holds.
func TestAHashRewrittenOnTheBotBranchIsNotTakenAsHashbots(t *testing.T) {
	f := newFixture(t)
	if _, err := f.bot(t).Run(t.Context(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "tamper")
	git(t, filepath.Dir(work), "clone", "-q", "-b", branch, f.remote, work)
	p := filepath.Join(work, "nix/sources.json")
	data, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(data), newPyX86, "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", 1)), 0o644)
	git(t, work, "-c", "user.name=hashbot", "-c", "user.email=hashbot@localhost", "commit", "-q", "-a", "--amend", "--no-edit")
	git(t, work, "push", "-q", "-f", "origin", branch)

	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	var foreign *ForeignPushError
	if !errors.As(err, &foreign) || !strings.Contains(err.Error(), "commit message") {
		t.Fatalf("Run = %v (status %s), want a *ForeignPushError about the message's hashes", err, out.Status)
	}
}

// TestABotBranchOnAnOlderBaseIsReplaced: main moved on (a configuration
// that keeps its pins otherwise, here a new FOD without a hash yet, would
// not load the old branch's pins); hashbot's branch on the old base is
// its own and is recomputed on the new base, not refused as foreign.
func TestABotBranchOnAnOlderBaseIsReplaced(t *testing.T) {
	f := newFixture(t)
	if _, err := f.bot(t).Run(t.Context(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	moved := f.pushFromOther(t, map[string]string{"README.md": "moved on\n"})
	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if parent := git(t, f.remote, "rev-parse", branch+"^"); out.Status != StatusUpdated || parent != moved {
		t.Errorf("status %s, branch on %s; want updated on the new base %s", out.Status, parent, moved)
	}
}
