package bot

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

const fixConfig = `pins = "nix/sources.json"

[fod.vendor]
attr = "vendor"
local-inputs = ["go.sum"]

[pull-request]
repo = "me/app"
`

const fixPins = `{
  "hashes": {
    "vendor": "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw="
  }
}
`

// fixEngine computes the vendor FOD's hash; during, when set, runs while
// it "builds" (a push landing between compute and push).
type fixEngine struct {
	fakeEngine
	during func()
	// fails makes the build fail.
	fails bool
}

func (e *fixEngine) Compute(_ context.Context, req fod.Request) (*fod.Report, error) {
	if e.during != nil {
		e.during()
	}
	old, _ := req.Pins.Hash("vendor", "")
	r := fod.TargetResult{FOD: "vendor", System: "x86_64-linux", Old: old, New: realSRI, Status: fod.StatusChanged}
	if e.fails {
		r.New, r.Status = "", fod.StatusFailed
	}
	return &fod.Report{Results: []fod.TargetResult{r}}, nil
}

// newFixFixture is a repository whose vendor FOD reads go.sum, with pull
// request #1 (branch bump) moving go.sum, on the stand-in GitHub; it
// returns the bare remote, the pull request's clone and its head.
func newFixFixture(t *testing.T, engine *fixEngine) (b *Bot, remote, pr, head string) {
	t.Helper()
	testutil.RequireGit(t)
	root := t.TempDir()
	remote, work, pr := filepath.Join(root, "remote.git"), filepath.Join(root, "work"), filepath.Join(root, "pr")
	git(t, root, "init", "-q", "--bare", "-b", "main", remote)
	git(t, root, "clone", "-q", remote, work)
	for name, content := range map[string]string{"hashbot.toml": fixConfig, "nix/sources.json": fixPins, "nix/default.nix": "{ }\n", "go.sum": "x v1.0.0\n"} {
		p := filepath.Join(work, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, work, "add", ".")
	git(t, work, "commit", "-q", "-m", "init")
	git(t, work, "push", "-q", "origin", "main")
	git(t, root, "clone", "-q", remote, pr)
	git(t, pr, "checkout", "-q", "-b", "bump")
	if err := os.WriteFile(filepath.Join(pr, "go.sum"), []byte("x v1.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, pr, "commit", "-q", "-am", "bump x")
	git(t, pr, "push", "-q", "origin", "bump")
	head = git(t, pr, "rev-parse", "HEAD")

	srv := ghfake.New(t)
	srv.AddRepo("me/app", "main")
	srv.AddPullRequest("me/app", ghfake.PullRequest{Number: 1, Head: "bump", HeadSHA: head})
	gh := github.NewClient(nil).WithAuthToken("test-token")
	gh.BaseURL, _ = url.Parse(srv.URL)
	cfg, err := config.Load(work, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err = New(Options{Config: cfg, Checker: &fakeChecker{}, Engine: engine, GitHub: gh})
	if err != nil {
		t.Fatal(err)
	}
	return b, remote, pr, head
}

func TestFixComputeOnlyHandsOverWhatFailedAndFails(t *testing.T) {
	b, remote, _, head := newFixFixture(t, &fixEngine{fails: true})
	out, err := b.Fix(t.Context(), FixRequest{Number: 1, ComputeOnly: true})
	var partial *PartialError
	if !errors.As(err, &partial) || out.Results == nil || out.Results.Head != head || len(out.Results.Report.Results) != 1 {
		t.Fatalf("Fix = %+v, %v; want the results and a *PartialError", out, err)
	}
	if tip := git(t, remote, "rev-parse", "bump"); tip != head {
		t.Errorf("the branch moved to %s", tip)
	}
}

func TestFixPushesOntoThePullRequestWithALeaseOnItsHead(t *testing.T) {
	tests := []struct {
		name string
		// race pushes a person's commit onto the branch while Nix builds.
		race      bool
		wantMoved bool
	}{
		{"nobody pushed meanwhile: one commit on the head", false, false},
		{"a person pushed meanwhile: refused by the lease, their commit kept", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine := &fixEngine{}
			b, remote, pr, head := newFixFixture(t, engine)
			var human string
			if tt.race {
				engine.during = func() {
					git(t, pr, "commit", "-q", "--allow-empty", "-m", "a person's commit")
					git(t, pr, "push", "-q", "origin", "bump")
					human = git(t, pr, "rev-parse", "HEAD")
				}
			}
			out, err := b.Fix(t.Context(), FixRequest{Number: 1})
			tip := git(t, remote, "rev-parse", "bump")
			var moved *MovedError
			if tt.wantMoved {
				if !errors.As(err, &moved) || !errors.Is(err, gitops.ErrLeaseBroken) {
					t.Fatalf("Fix = %+v, %v; want a *MovedError from the lease", out, err)
				}
				if tip != human {
					t.Errorf("the branch is at %s, want the person's commit %s", tip, human)
				}
				return
			}
			if err != nil || out.Status != FixPushed {
				t.Fatalf("Fix = %+v, %v; want pushed", out, err)
			}
			if parent := git(t, remote, "rev-parse", "bump~1"); tip != out.Commit || parent != head {
				t.Errorf("the branch is at %s (parent %s), want hashbot's %s on the head %s", tip, parent, out.Commit, head)
			}
			if msg := git(t, remote, "log", "-1", "--format=%s", "bump"); msg != "hashbot: update FOD hashes for vendor" {
				t.Errorf("subject %q", msg)
			}
		})
	}
}
