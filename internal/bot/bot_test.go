package bot

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/testutil"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

const testConfig = `
[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.src]
attr = "src"

[fod.python-deps]
attr = "python-deps"
systems = ["aarch64-linux", "x86_64-linux"]
inputs = ["uv.lock"]

[pull-request]
base = "main"
`

const basePins = `{
  "version": "2026.2.1",
  "hashes": {
    "src": "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw=",
    "python-deps": {
      "aarch64-linux": "sha256-+1MS0G40tKK5VE9ZOWSoAxByRa7uV46vYq5zsOr/1hY=",
      "x86_64-linux": "sha256-fsST2hZ5WxTUdGkF8KQ4Lj0vZHQwF/d0mxGQCkqdUwg="
    }
  },
  "inputs": {
    "uv.lock": "sha256-0399833fac934c771b053aa5284047a32c5253c4b9a="
  }
}
`

const (
	newSrc    = "sha256-Xq7JGI/8ppIydIuWd9KRJKUrh7UpeniwvZ4NAtXbYJ4="
	newPyArm  = "sha256-Rsr65ktjiTEfh9JhEQiKzhb7ycoaM/zOa4lhZOpg45M="
	newPyX86  = "sha256-LiPC8PxtrtD+1lf9/4LSg2C+nvvJGeC3ApeSJH958wU="
	newUVLock = "sha256-8c060f47ebb82532aaa33d69e9f6485ccae2a06ee9d="
	branch    = "hashbot/authentik-2026.2.2"
)

// fakeChecker says 2026.2.2 is out; pins at that version with its uv.lock
// hash and no null hash are up to date.
type fakeChecker struct{ calls int }

func (f *fakeChecker) Check(_ context.Context, cfg *config.Config, p *pins.Pins, _ upstream.CheckOptions) (*upstream.Result, error) {
	f.calls++
	r := &upstream.Result{Pinned: p.Version(), Candidate: "2026.2.2", PinnedTag: "version/" + p.Version(),
		CandidateTag: "version/2026.2.2", Stale: map[string][]string{}, NewInputs: map[string]string{"uv.lock": newUVLock}}
	if p.Version() != "2026.2.2" {
		r.Stale["src"] = []string{"version moved"}
	}
	if in, _ := p.Input("uv.lock"); in != newUVLock {
		r.Stale["python-deps"] = []string{"uv.lock changed"}
	}
	r.UpToDate = len(r.Stale) == 0 && p.Version() == r.Candidate
	return r, nil
}

// fakeEngine returns fixed hashes, or fails one target.
type fakeEngine struct {
	calls      int
	fail       bool
	prefetched []string
	pins       *pins.Pins // the pins the last Compute was given
	// during, when set, runs inside Compute (the world moving while Nix
	// builds).
	during func()
	// checks are the report's [check] results.
	checks []fod.CheckResult
}

// PrefetchArchive gives each archive URL a hash of its own.
func (f *fakeEngine) PrefetchArchive(_ context.Context, url string) (string, error) {
	f.prefetched = append(f.prefetched, url)
	return pins.SRI([]byte("archive " + url)), nil
}

// UpdateFlakeInput is not asked for: no test source of the fake checker
// is a flake input (flake.txtar moves real ones with Nix).
func (f *fakeEngine) UpdateFlakeInput(context.Context, string, string) error {
	return errors.New("fakeEngine: no flake input moves here")
}

func (f *fakeEngine) Compute(_ context.Context, req fod.Request) (*fod.Report, error) {
	f.calls++
	f.pins = req.Pins
	if f.during != nil {
		f.during()
	}
	if req.Pins.Version() != "2026.2.2" {
		return nil, errors.New("the engine was not given the candidate version")
	}
	r := &fod.Report{NixVersion: "2.8.0", Builders: []string{"x86_64-linux (local)"}}
	r.Results = []fod.TargetResult{
		{FOD: "python-deps", System: "aarch64-linux", PerSystem: true, Old: "sha256-+1MS0G40tKK5VE9ZOWSoAxByRa7uV46vYq5zsOr/1hY=", New: newPyArm, Status: fod.StatusChanged},
		{FOD: "python-deps", System: "x86_64-linux", PerSystem: true, Old: "sha256-fsST2hZ5WxTUdGkF8KQ4Lj0vZHQwF/d0mxGQCkqdUwg=", New: newPyX86, Status: fod.StatusChanged},
		{FOD: "src", System: "x86_64-linux", Old: "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw=", New: newSrc, Status: fod.StatusChanged},
	}
	if f.fail {
		r.Results[0].Status, r.Results[0].New, r.Results[0].Message = fod.StatusUnavailable, "", "no aarch64-linux builder"
	}
	r.Checks = f.checks
	return r, nil
}

// fakePublisher records pull-request calls.
type fakePublisher struct {
	published []pulls.Request
	open      *pulls.Outcome
	lookups   int
	// declined is the closed, unmerged pull request Lookup reports.
	declined *pulls.Outcome
}

func (f *fakePublisher) Publish(_ context.Context, req pulls.Request) (*pulls.Outcome, error) {
	f.published = append(f.published, req)
	f.open = &pulls.Outcome{Number: 7, URL: "https://github.com/o/r/pull/7", Created: len(f.published) == 1}
	return f.open, nil
}

func (f *fakePublisher) Lookup(context.Context, string) (*pulls.Existing, error) {
	f.lookups++
	return &pulls.Existing{Open: f.open, Declined: f.declined}, nil
}

type fixture struct {
	remote, work, state string
	checker             *fakeChecker
	engine              *fakeEngine
	pub                 *fakePublisher
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	testutil.RequireGit(t)
	root := t.TempDir()
	f := &fixture{remote: filepath.Join(root, "remote.git"), work: filepath.Join(root, "work"), state: filepath.Join(root, "state"),
		checker: &fakeChecker{}, engine: &fakeEngine{}, pub: &fakePublisher{}}
	git(t, root, "init", "-q", "--bare", "-b", "main", f.remote)
	git(t, root, "clone", "-q", f.remote, f.work)
	for name, content := range map[string]string{"hashbot.toml": testConfig, "nix/sources.json": basePins, "nix/default.nix": "{ }\n"} {
		p := filepath.Join(f.work, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, f.work, "add", ".")
	git(t, f.work, "commit", "-q", "-m", "init")
	git(t, f.work, "push", "-q", "origin", "main")
	return f
}

func (f *fixture) bot(t *testing.T) *Bot {
	t.Helper()
	cfg, err := config.Load(f.work, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Config: cfg, Checker: f.checker, Engine: f.engine, Publisher: f.pub, LockRuns: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) remoteBranch(t *testing.T) string {
	t.Helper()
	return git(t, f.remote, "for-each-ref", "--format=%(objectname)", "refs/heads/"+branch)
}

func TestFirstRunPushesOneCommitAndOpensThePR(t *testing.T) {
	f := newFixture(t)
	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusUpdated || out.Branch != branch || out.PR == nil || out.PR.Number != 7 {
		t.Fatalf("outcome = %+v", out)
	}
	if got := f.remoteBranch(t); got != out.Commit {
		t.Errorf("remote branch at %q; want the run's commit %s", got, out.Commit)
	}
	if files := git(t, f.remote, "show", "--name-only", "--format=", branch); files != "nix/sources.json" {
		t.Errorf("the commit touches %q; want only nix/sources.json", files)
	}
	if subject := git(t, f.remote, "log", "-1", "--format=%s|%an <%ae>", branch); subject != "authentik: 2026.2.1 -> 2026.2.2|hashbot <hashbot@localhost>" {
		t.Errorf("subject|author = %q", subject)
	}
	pinsAtBranch := git(t, f.remote, "show", branch+":nix/sources.json")
	for _, want := range []string{`"version": "2026.2.2"`, newPyArm, newPyX86, newSrc, newUVLock} {
		if !strings.Contains(pinsAtBranch, want) {
			t.Errorf("pins on the branch lack %s:\n%s", want, pinsAtBranch)
		}
	}
	if status := git(t, f.work, "status", "--porcelain"); status != "" {
		t.Errorf("the working tree changed:\n%s", status)
	}
	if len(f.pub.published) != 1 || f.pub.published[0].Title != "authentik: 2026.2.1 -> 2026.2.2" ||
		!strings.Contains(f.pub.published[0].Body, newPyArm) {
		t.Errorf("published %+v", f.pub.published)
	}
}

func TestSecondRunWithNothingNewPushesAndWritesNothing(t *testing.T) {
	f := newFixture(t)
	if _, err := f.bot(t).Run(t.Context(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	before := f.remoteBranch(t)
	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusUpToDate || f.engine.calls != 1 || len(f.pub.published) != 1 {
		t.Errorf("status %s, engine calls %d, publishes %d; want up-to-date, 1, 1", out.Status, f.engine.calls, len(f.pub.published))
	}
	if after := f.remoteBranch(t); after != before {
		t.Errorf("the branch moved from %s to %s", before, after)
	}
}

// TestEachRunPlansOnce counts what a run reads: hashbot.toml of the base
// once, upstream once, also when the bot's branch exists and answers.
func TestEachRunPlansOnce(t *testing.T) {
	f := newFixture(t)
	loads := 0
	newBot := func() *Bot {
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
		return b
	}
	for run := 1; run <= 2; run++ {
		before := f.checker.calls
		if _, err := newBot().Run(t.Context(), RunOptions{}); err != nil {
			t.Fatal(err)
		}
		if loads != run || f.checker.calls-before != 1 {
			t.Errorf("run %d: %d loads of hashbot.toml in all, %d upstream checks in this run; want %d and 1",
				run, loads, f.checker.calls-before, run)
		}
	}
}

func TestRunAfterACrashBeforeThePROpensIt(t *testing.T) {
	f := newFixture(t)
	if _, err := f.bot(t).Run(t.Context(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	f.pub.open, f.pub.published = nil, nil // the PR was never opened
	before := f.remoteBranch(t)
	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusUpdated || len(f.pub.published) != 1 || f.engine.calls != 1 || f.remoteBranch(t) != before {
		t.Errorf("status %s, publishes %d, engine calls %d", out.Status, len(f.pub.published), f.engine.calls)
	}
	if body := f.pub.published[0].Body; !strings.Contains(body, newPyX86) {
		t.Errorf("the body lacks the branch's hashes:\n%s", body)
	}
}

func TestRunStopsWhenSomeoneElsePushedToTheBranch(t *testing.T) {
	f := newFixture(t)
	if _, err := f.bot(t).Run(t.Context(), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	git(t, f.work, "clone", "-q", "-b", branch, f.remote, other)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine\n"), 0o644)
	git(t, other, "add", ".")
	t.Setenv("GIT_AUTHOR_EMAIL", "maintainer@example.com")
	git(t, other, "commit", "-q", "-m", "maintainer fix")
	git(t, other, "push", "-q", "origin", branch)
	theirs := f.remoteBranch(t)
	// main moves on too, so the bot would otherwise rebuild the branch.
	os.WriteFile(filepath.Join(f.work, "README.md"), []byte("x\n"), 0o644)
	git(t, f.work, "add", ".")
	git(t, f.work, "commit", "-q", "-m", "readme")
	git(t, f.work, "push", "-q", "origin", "main")

	_, err := f.bot(t).Run(t.Context(), RunOptions{})
	var foreign *ForeignPushError
	if !errors.As(err, &foreign) || foreign.Author != "maintainer@example.com" {
		t.Fatalf("err = %v; want *ForeignPushError naming the maintainer", err)
	}
	if got := f.remoteBranch(t); got != theirs {
		t.Errorf("the maintainer's commit was overwritten: %s -> %s", theirs, got)
	}
}

func TestFailedComputePushesNothing(t *testing.T) {
	f := newFixture(t)
	f.engine.fail = true
	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	var partial *PartialError
	if !errors.As(err, &partial) || !strings.Contains(err.Error(), "python-deps (aarch64-linux): unavailable") {
		t.Fatalf("err = %v; want *PartialError naming the target", err)
	}
	if out.Report == nil || f.remoteBranch(t) != "" || len(f.pub.published) != 0 {
		t.Errorf("something was published: branch %q, PRs %d", f.remoteBranch(t), len(f.pub.published))
	}
	if status := git(t, f.work, "status", "--porcelain"); status != "" {
		t.Errorf("the working tree changed:\n%s", status)
	}
}

func TestDryRunPrintsDiffAndBodyAndTouchesNothing(t *testing.T) {
	f := newFixture(t)
	cfg, _ := config.Load(f.work, config.LoadOptions{})
	b, err := New(Options{Config: cfg, Checker: f.checker, Engine: f.engine, LockRuns: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Run(t.Context(), RunOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusDryRun || !strings.Contains(out.Diff, "+  \"version\": \"2026.2.2\",") ||
		!strings.Contains(out.Diff, "-      \"x86_64-linux\": \"sha256-fsST") || !strings.Contains(out.Body, "python-deps") {
		t.Errorf("outcome %+v\ndiff:\n%s", out, out.Diff)
	}
	if f.remoteBranch(t) != "" || git(t, f.work, "status", "--porcelain") != "" {
		t.Error("a dry run pushed or wrote")
	}
}

func TestUpToDateDoesNothing(t *testing.T) {
	f := newFixture(t)
	current := strings.Replace(basePins, `"2026.2.1"`, `"2026.2.2"`, 1)
	current = strings.Replace(current, "sha256-0399833fac934c771b053aa5284047a32c5253c4b9a=", newUVLock, 1)
	os.WriteFile(filepath.Join(f.work, "nix/sources.json"), []byte(current), 0o644)
	git(t, f.work, "commit", "-q", "-am", "pin 2026.2.2")
	git(t, f.work, "push", "-q", "origin", "main")
	out, err := f.bot(t).Run(t.Context(), RunOptions{})
	if err != nil || out.Status != StatusUpToDate || f.engine.calls != 0 || f.pub.lookups != 0 {
		t.Errorf("outcome %+v, err %v, engine calls %d", out, err, f.engine.calls)
	}
}

func TestSecondRunWaitsForTheLock(t *testing.T) {
	f := newFixture(t)
	cfg, _ := config.Load(f.work, config.LoadOptions{})
	held, err := runlock.Acquire(cfg.Dir, "hashbot serve")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	_, err = f.bot(t).Run(t.Context(), RunOptions{})
	var he *runlock.HeldError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "hashbot serve") {
		t.Errorf("err = %v; want *runlock.HeldError naming the holder", err)
	}
}

// TestPublishPinsRefusesPlaceholders publishes pins that hold lib.fakeHash
// and hashbot's own placeholder (a hand edit, a broken apply): nothing is
// committed or pushed.
func TestPublishPinsRefusesPlaceholders(t *testing.T) {
	for name, fake := range map[string]string{
		"lib.fakeHash":          "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"hashbot's placeholder": pins.Placeholder("python-deps", "aarch64-linux"),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			applied := strings.NewReplacer(`"2026.2.1"`, `"2026.2.2"`,
				"sha256-+1MS0G40tKK5VE9ZOWSoAxByRa7uV46vYq5zsOr/1hY=", fake).Replace(basePins)
			os.WriteFile(filepath.Join(f.work, "nix/sources.json"), []byte(applied), 0o644)
			_, err := f.bot(t).PublishPins(t.Context(), RunOptions{})
			if !errors.Is(err, pins.ErrGuard) {
				t.Fatalf("PublishPins = %v, want the pins guard to refuse", err)
			}
			if len(f.pub.published) != 0 || git(t, f.remote, "branch", "--list", branch) != "" {
				t.Errorf("published %d PRs, remote branches %q: want nothing", len(f.pub.published), git(t, f.remote, "branch", "--list", branch))
			}
		})
	}
}

func TestPublishPinsCommitsTheAppliedPinsWithTheirInputs(t *testing.T) {
	f := newFixture(t)
	applied := strings.NewReplacer(`"2026.2.1"`, `"2026.2.2"`,
		"sha256-+1MS0G40tKK5VE9ZOWSoAxByRa7uV46vYq5zsOr/1hY=", newPyArm,
		"sha256-fsST2hZ5WxTUdGkF8KQ4Lj0vZHQwF/d0mxGQCkqdUwg=", newPyX86).Replace(basePins)
	os.WriteFile(filepath.Join(f.work, "nix/sources.json"), []byte(applied), 0o644)
	out, err := f.bot(t).PublishPins(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusUpdated || out.Branch != branch || f.engine.calls != 0 || len(f.pub.published) != 1 {
		t.Fatalf("outcome %+v, engine calls %d, publishes %d", out, f.engine.calls, len(f.pub.published))
	}
	onBranch := git(t, f.remote, "show", branch+":nix/sources.json")
	for _, want := range []string{newPyArm, newPyX86, `"uv.lock": "` + newUVLock + `"`} {
		if !strings.Contains(onBranch, want) {
			t.Errorf("the branch's pins lack %s:\n%s", want, onBranch)
		}
	}
	if body := f.pub.published[0].Body; !strings.Contains(body, newPyArm) {
		t.Errorf("the body lacks the new hash:\n%s", body)
	}

}

func TestOnlyNewerIgnoresAnOlderVersion(t *testing.T) {
	f := newFixture(t)
	out, err := f.bot(t).Run(t.Context(), RunOptions{Version: "2025.12.5", OnlyNewer: true})
	if err != nil || out.Status != StatusUpToDate || f.checker.calls != 0 || f.engine.calls != 0 {
		t.Errorf("outcome %+v, err %v, checks %d; want an up-to-date run that asked nothing", out, err, f.checker.calls)
	}
}

// branchChecker follows a branch: the candidate is a commit.
type branchChecker struct{ head string }

func (c *branchChecker) Check(_ context.Context, _ *config.Config, p *pins.Pins, _ upstream.CheckOptions) (*upstream.Result, error) {
	r := &upstream.Result{Pinned: p.Rev(), Candidate: c.head, Rev: c.head, Stale: map[string][]string{}, NewInputs: map[string]string{"uv.lock": newUVLock}}
	if p.Rev() != c.head {
		r.Stale["python-deps"] = []string{"rev moved"}
	}
	r.UpToDate = len(r.Stale) == 0
	return r, nil
}

// versionKeepingEngine is fakeEngine for branch mode, where the version
// does not move.
type versionKeepingEngine struct{ fakeEngine }

func (f *versionKeepingEngine) Compute(ctx context.Context, req fod.Request) (*fod.Report, error) {
	req.Pins = req.Pins.Clone()
	req.Pins.SetVersion("2026.2.2")
	return f.fakeEngine.Compute(ctx, req)
}

func TestBranchModePinsTheCommitAndKeepsTheVersion(t *testing.T) {
	f := newFixture(t)
	const head = "0123456789abcdef0123456789abcdef01234567"
	cfg, err := config.Load(f.work, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Config: cfg, Checker: &branchChecker{head: head}, Engine: &versionKeepingEngine{}, Publisher: f.pub, LockRuns: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Run(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const wantBranch = "hashbot/authentik-0123456789ab"
	if out.Branch != wantBranch {
		t.Errorf("branch %q; want %q", out.Branch, wantBranch)
	}
	onBranch := git(t, f.remote, "show", wantBranch+":nix/sources.json")
	if !strings.Contains(onBranch, `"version": "2026.2.1"`) || !strings.Contains(onBranch, `"rev": "`+head+`"`) {
		t.Errorf("branch mode must pin rev and keep the version:\n%s", onBranch)
	}
}

func TestWaitForLockRunsOnceTheHolderIsDone(t *testing.T) {
	f := newFixture(t)
	cfg, _ := config.Load(f.work, config.LoadOptions{})
	held, err := runlock.Acquire(cfg.Dir, "hashbot run")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		held.Release()
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := f.bot(t).Run(ctx, RunOptions{WaitForLock: true, DryRun: true})
	if err != nil || out.Status != StatusDryRun {
		t.Errorf("outcome %+v, err %v; want a dry run once the lock was free", out, err)
	}
}

// sourcesChecker says the release is pinned already and nixpkgs moved.
type sourcesChecker struct{}

const (
	nixpkgsOld = "5f4a1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"
	nixpkgsNew = "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233"
	nixpkgsURL = "https://github.com/NixOS/nixpkgs/archive/" + nixpkgsNew + ".tar.gz"
)

func (sourcesChecker) Check(_ context.Context, _ *config.Config, p *pins.Pins, _ upstream.CheckOptions) (*upstream.Result, error) {
	r := &upstream.Result{Pinned: p.Version(), Candidate: p.Version(), PinnedTag: "version/" + p.Version(),
		CandidateTag: "version/" + p.Version(), Stale: map[string][]string{}, NewInputs: map[string]string{}}
	if src, _ := p.Source("nixpkgs"); src.Rev != nixpkgsNew {
		move := upstream.SourceMove{Name: "nixpkgs", Repo: "NixOS/nixpkgs", From: src.Rev, To: nixpkgsNew, URL: nixpkgsURL,
			CompareURL: "https://github.com/NixOS/nixpkgs/compare/" + nixpkgsOld + "..." + nixpkgsNew,
			Reason:     "nixpkgs moved 5f4a1c2d9e8b -> a0b1c2d3e4f5"}
		r.Sources = append(r.Sources, move)
		r.Stale["python-deps"] = []string{move.Reason}
	}
	r.UpToDate = len(r.Stale) == 0 && len(r.Sources) == 0
	return r, nil
}

// TestASourceThatMovesIsPinnedWithTheFODsItFeeds moves nixpkgs alone: its
// archive's hash is asked of Nix before the FODs it feeds are built with
// it, its pin moves in the same commit, and the PR names the move.
func TestASourceThatMovesIsPinnedWithTheFODsItFeeds(t *testing.T) {
	f := newFixture(t)
	pinned := strings.Replace(basePins, `"2026.2.1"`, `"2026.2.2"`, 1)
	pinned = strings.Replace(pinned, `  "inputs": {`, `  "sources": {
    "nixpkgs": {"rev": "`+nixpkgsOld+`", "url": "https://github.com/NixOS/nixpkgs/archive/`+nixpkgsOld+`.tar.gz", "hash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}
  },
  "inputs": {`, 1)
	os.WriteFile(filepath.Join(f.work, "nix/sources.json"), []byte(pinned), 0o644)
	git(t, f.work, "commit", "-q", "-am", "pin 2026.2.2 and nixpkgs")
	git(t, f.work, "push", "-q", "origin", "main")
	cfg, err := config.Load(f.work, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	engine := &versionKeepingEngine{}
	b, err := New(Options{Config: cfg, Checker: sourcesChecker{}, Engine: engine, Publisher: f.pub, LockRuns: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Run(t.Context(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const wantBranch = "hashbot/authentik-2026.2.2+nixpkgs.a0b1c2d3e4f5"
	if out.Status != StatusUpdated || out.Branch != wantBranch || out.Title != "authentik: update FOD hashes (nixpkgs 5f4a1c2d9e8b -> a0b1c2d3e4f5)" {
		t.Fatalf("outcome: status %s, branch %q, title %q", out.Status, out.Branch, out.Title)
	}
	if len(engine.prefetched) != 1 || engine.prefetched[0] != nixpkgsURL {
		t.Errorf("prefetched %q, want the new archive", engine.prefetched)
	}
	wantHash := pins.SRI([]byte("archive " + nixpkgsURL))
	if src, _ := engine.pins.Source("nixpkgs"); src.Rev != nixpkgsNew || src.Hash != wantHash {
		t.Errorf("the FODs were built with nixpkgs %+v, want the new rev and hash", src)
	}
	onBranch := git(t, f.remote, "show", wantBranch+":nix/sources.json")
	for _, want := range []string{`"rev": "` + nixpkgsNew + `"`, `"url": "` + nixpkgsURL + `"`, `"hash": "` + wantHash + `"`} {
		if !strings.Contains(onBranch, want) {
			t.Errorf("the branch's pins lack %s:\n%s", want, onBranch)
		}
	}
	body := f.pub.published[0].Body
	if !strings.Contains(body, "### Sources") || !strings.Contains(body, "(https://github.com/NixOS/nixpkgs/compare/") {
		t.Errorf("the body does not name the source's move:\n%s", body)
	}
}

// TestADeclinedChangeIsNotProposedAgain: with the branch's pull request
// closed without merging (and none open), a run computes, pushes and
// publishes nothing.
func TestADeclinedChangeIsNotProposedAgain(t *testing.T) {
	f := newFixture(t)
	f.pub.declined = &pulls.Outcome{Number: 3, URL: "https://github.com/o/r/pull/3"}
	for _, publishOnly := range []bool{false, true} {
		var out *Outcome
		var err error
		if publishOnly {
			out, err = f.bot(t).PublishPins(t.Context(), RunOptions{})
		} else {
			out, err = f.bot(t).Run(t.Context(), RunOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != StatusDeclined || out.PR == nil || out.PR.Number != 3 {
			t.Errorf("publish-only %v: outcome %+v, want declined by #3", publishOnly, out)
		}
	}
	if f.engine.calls != 0 || len(f.pub.published) != 0 || f.remoteBranch(t) != "" {
		t.Errorf("engine calls %d, publishes %d, branch %q; want nothing done", f.engine.calls, len(f.pub.published), f.remoteBranch(t))
	}
}
