package bot

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

const refreshConfig = `pins = "nix/sources.json"

[fod.vendor]
attr = "vendor"
local-inputs = ["go.sum"]

[fod.web]
attr = "web"
local-inputs = ["package-lock.json"]

[pull-request]
repo = "me/app"
`

const (
	refreshPins = `{
  "hashes": {
    "vendor": "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw=",
    "web": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  }
}
`
	refreshGoSum   = "a v1.0.0\nb v1.0.0\nc v1.0.0\nd v1.0.0\ne v1.0.0\nf v1.0.0\n"
	refreshAuthor  = "hashbot <hashbot@localhost>" // config.DefaultAuthor
	otherVendorSRI = "sha256-LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564="
)

// refreshFixture is a repository with two FODs (vendor reads go.sum, web
// package-lock.json) on the stand-in GitHub, served from a bare remote,
// and the clone hashbot works in.
type refreshFixture struct {
	t            *testing.T
	root, remote string
	srv          *ghfake.Server
	b            *Bot
}

func newRefreshFixture(t *testing.T) *refreshFixture {
	t.Helper()
	testutil.RequireGit(t)
	f := &refreshFixture{t: t, root: t.TempDir()}
	f.remote = filepath.Join(f.root, "remote.git")
	work := filepath.Join(f.root, "work")
	git(t, f.root, "init", "-q", "--bare", "-b", "main", f.remote)
	git(t, f.root, "clone", "-q", f.remote, work)
	f.write(work, map[string]string{"hashbot.toml": refreshConfig, "nix/sources.json": refreshPins, "nix/default.nix": "{ }\n",
		"go.sum": refreshGoSum, "package-lock.json": "{}\n", "README": "app\n"})
	git(t, work, "add", ".")
	git(t, work, "commit", "-q", "-m", "init")
	git(t, work, "push", "-q", "origin", "main")

	f.srv = ghfake.New(t)
	f.srv.AddRepo("me/app", "main")
	f.srv.ServeGit("me/app", f.remote)
	gh := github.NewClient(nil).WithAuthToken("test-token")
	gh.BaseURL, _ = url.Parse(f.srv.URL)
	cfg, err := config.Load(work, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.b, err = New(Options{Config: cfg, Checker: &fakeChecker{}, Engine: &fixEngine{}, GitHub: gh}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *refreshFixture) write(dir string, files map[string]string) {
	f.t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
}

// edit is one commit of a pull request: its files and, for hashbot's, its
// author and subject.
type edit struct {
	files   map[string]string
	hashbot bool
}

// pull opens pull request number from a branch of main with the commits
// of edits; a fork's lives only in refs/pull/<number>/head, as GitHub
// keeps it. It returns the head.
func (f *refreshFixture) pull(number int, branch string, fork bool, edits ...edit) string {
	f.t.Helper()
	clone := filepath.Join(f.root, branch)
	git(f.t, f.root, "clone", "-q", f.remote, clone)
	git(f.t, clone, "checkout", "-q", "-b", branch)
	for _, e := range edits {
		f.write(clone, e.files)
		args := []string{"commit", "-q", "-am", "bump"}
		if e.hashbot {
			args = []string{"commit", "-q", "-am", FixSubject + " for vendor", "--author", refreshAuthor}
		}
		git(f.t, clone, args...)
	}
	ref := branch
	owner := ""
	if fork {
		ref, owner = "HEAD:refs/pull/"+strconv.Itoa(number)+"/head", "someone"
	}
	git(f.t, clone, "push", "-q", "origin", ref)
	head := git(f.t, clone, "rev-parse", "HEAD")
	f.srv.AddPullRequest("me/app", ghfake.PullRequest{Number: number, Head: branch, HeadOwner: owner, HeadSHA: head})
	return head
}

// merge lands a change on main, as another pull request merging first.
func (f *refreshFixture) merge(files map[string]string) {
	f.t.Helper()
	clone := filepath.Join(f.root, "merger")
	git(f.t, f.root, "clone", "-q", f.remote, clone)
	f.write(clone, files)
	git(f.t, clone, "commit", "-q", "-am", "pull request A")
	git(f.t, clone, "push", "-q", "origin", "main")
}

// bumped is go.sum with line from replacing its first line (the landed
// pull request A's bump) or its last (B's).
func bumped(first bool, line string) string {
	lines := strings.Split(strings.TrimSuffix(refreshGoSum, "\n"), "\n")
	if first {
		lines[0] = line
	} else {
		lines[len(lines)-1] = line
	}
	return strings.Join(lines, "\n") + "\n"
}

func fixedPins(vendor string) string {
	return strings.Replace(refreshPins, "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw=", vendor, 1)
}

func TestRefreshFixesUpdatesOnlyPullRequestsWhoseFixedInputsTheBaseChanged(t *testing.T) {
	bumpB := edit{files: map[string]string{"go.sum": bumped(false, "f v1.1.0")}}
	fixB := edit{files: map[string]string{"nix/sources.json": fixedPins(realSRI)}, hashbot: true}
	landA := map[string]string{"go.sum": bumped(true, "a v1.1.0")}
	tests := []struct {
		name string
		// fork opens the pull request from a fork.
		fork  bool
		edits []edit
		// land is what the pull request merged first changes on main.
		land map[string]string
		// during runs when the refresh asks GitHub to update the branch.
		during     func(f *refreshFixture, head string)
		dryRun     bool
		want       RefreshAction
		wantFODs   []string
		wantUpdate bool // GitHub merged main into the branch
		wantAsk    bool // the pull request got hashbot's ask
	}{
		{name: "hashbot fixed vendor, and go.sum moved on main: the branch is updated",
			edits: []edit{bumpB, fixB}, land: landA, want: RefreshUpdated, wantFODs: []string{"vendor"}, wantUpdate: true},
		{name: "a dry run updates nothing",
			edits: []edit{bumpB, fixB}, land: landA, dryRun: true, want: RefreshWouldUpdate, wantFODs: []string{"vendor"}},
		{name: "hashbot fixed web, and only go.sum moved: left alone",
			edits: []edit{{files: map[string]string{"package-lock.json": "{\"x\": 2}\n"}},
				{files: map[string]string{"nix/sources.json": strings.Replace(refreshPins, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", realSRI, 1)}, hashbot: true}},
			land: landA, want: RefreshLeftAlone},
		{name: "go.sum moved on a pull request hashbot did not fix: left alone",
			edits: []edit{bumpB}, land: landA, want: RefreshLeftAlone},
		{name: "main moved elsewhere: left alone",
			edits: []edit{bumpB, fixB}, land: map[string]string{"README": "app 2\n"}, want: RefreshLeftAlone},
		{name: "hashbot.toml changed on main: every FOD the pull request changes is unproven",
			edits: []edit{bumpB, fixB}, land: map[string]string{"hashbot.toml": refreshConfig + "\n# moved\n"},
			want: RefreshUpdated, wantFODs: []string{"vendor"}, wantUpdate: true},
		{name: "a push landed before GitHub merged: 422 by the lease, left to that push",
			edits: []edit{bumpB, fixB}, land: landA, during: func(f *refreshFixture, head string) {
				clone := filepath.Join(f.root, "b")
				git(f.t, clone, "commit", "-q", "--allow-empty", "-m", "a person's commit")
				git(f.t, clone, "push", "-q", "origin", "b")
				f.srv.SetPullHead("me/app", 2, git(f.t, clone, "rev-parse", "HEAD"))
			}, want: RefreshMoved, wantFODs: []string{"vendor"}},
		{name: "main holds A's own hash fix: GitHub cannot merge, the pull request is asked",
			edits: []edit{bumpB, fixB}, land: map[string]string{"go.sum": bumped(true, "a v1.1.0"), "nix/sources.json": fixedPins(otherVendorSRI)},
			want: RefreshCommented, wantFODs: []string{"vendor"}, wantAsk: true},
		{name: "a fork is asked, never written to",
			fork: true, edits: []edit{bumpB, fixB}, land: landA, want: RefreshCommented, wantFODs: []string{"vendor"}, wantAsk: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRefreshFixture(t)
			head := f.pull(2, "b", tt.fork, tt.edits...)
			f.merge(tt.land)
			if tt.during != nil {
				f.srv.Intercept(func(_ http.ResponseWriter, r *http.Request) bool {
					if strings.HasSuffix(r.URL.Path, "/update-branch") {
						tt.during(f, head)
					}
					return false
				})
			}
			out, err := f.b.RefreshFixes(t.Context(), RefreshRequest{DryRun: tt.dryRun})
			if err != nil {
				t.Fatalf("RefreshFixes = %+v, %v", out, err)
			}
			if len(out.Pulls) != 1 {
				t.Fatalf("pulls %+v, want #2 alone", out.Pulls)
			}
			got := out.Pulls[0]
			if got.Action != tt.want || strings.Join(sortedKeys(got.FODs), ",") != strings.Join(tt.wantFODs, ",") || got.Head != head {
				t.Errorf("#2: %+v; want %s with FODs %v on head %.12s", got, tt.want, tt.wantFODs, head)
			}
			updates := f.srv.BranchUpdates("me/app")
			switch {
			case tt.wantUpdate && (len(updates) != 1 || updates[0].Expected != head || updates[0].Merge == ""):
				t.Errorf("branch updates %+v, want one merge expecting %s", updates, head)
			case !tt.wantUpdate && len(updates) != 0:
				t.Errorf("branch updates %+v, want none", updates)
			}
			pr, _ := f.srv.PullRequest("me/app", 2)
			switch {
			case tt.wantAsk && (len(pr.Comments) != 1 || !strings.Contains(pr.Comments[0], "- `vendor`: `go.sum changed`")):
				t.Errorf("comments %q, want one ask naming vendor", pr.Comments)
			case !tt.wantAsk && len(pr.Comments) != 0:
				t.Errorf("comments %q, want none", pr.Comments)
			}
		})
	}
}

func TestRefreshFixesAsksAForkOncePerHead(t *testing.T) {
	f := newRefreshFixture(t)
	f.pull(2, "b", true, edit{files: map[string]string{"go.sum": bumped(false, "f v1.1.0")}},
		edit{files: map[string]string{"nix/sources.json": fixedPins(realSRI)}, hashbot: true})
	f.merge(map[string]string{"go.sum": bumped(true, "a v1.1.0")})
	var actions []RefreshAction
	for range 2 {
		out, err := f.b.RefreshFixes(t.Context(), RefreshRequest{})
		if err != nil || len(out.Pulls) != 1 {
			t.Fatalf("RefreshFixes = %+v, %v", out, err)
		}
		actions = append(actions, out.Pulls[0].Action)
	}
	if diff := cmp.Diff([]RefreshAction{RefreshCommented, RefreshAskedAlready}, actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	if pr, _ := f.srv.PullRequest("me/app", 2); len(pr.Comments) != 1 {
		t.Errorf("comments %q, want one", pr.Comments)
	}
}

// TestFixRecomputesAfterTheRefreshMergedTheBase closes the loop: once
// GitHub merged main into the pull request, fix (on its synchronize
// event) names vendor stale again, since hashbot's commit, by the go.sum
// main brought.
func TestFixRecomputesAfterTheRefreshMergedTheBase(t *testing.T) {
	f := newRefreshFixture(t)
	f.pull(2, "b", false, edit{files: map[string]string{"go.sum": bumped(false, "f v1.1.0")}},
		edit{files: map[string]string{"nix/sources.json": fixedPins(realSRI)}, hashbot: true})
	f.merge(map[string]string{"go.sum": bumped(true, "a v1.1.0")})
	if out, err := f.b.RefreshFixes(t.Context(), RefreshRequest{}); err != nil || out.Pulls[0].Action != RefreshUpdated {
		t.Fatalf("RefreshFixes = %+v, %v; want #2 updated", out, err)
	}
	out, err := f.b.Fix(t.Context(), FixRequest{Number: 2, DryRun: true})
	if err != nil {
		t.Fatalf("Fix = %+v, %v", out, err)
	}
	if diff := cmp.Diff(map[string][]string{"vendor": {"go.sum changed"}}, out.Stale); diff != "" {
		t.Errorf("fix's stale FODs on the merged head (-want +got):\n%s", diff)
	}
}

func TestRefreshCommentKeepsThePullRequestsNamesInCode(t *testing.T) {
	tests := []struct {
		name string
		fods map[string][]string
		why  askReason
		want []string
	}{
		{"a fork", map[string][]string{"vendor": {"go.sum changed"}}, askFork,
			[]string{"- `vendor`: `go.sum changed`", "comes from a fork", "please merge `main` into it or rebase it"}},
		{"a conflict", map[string][]string{"vendor": {"go.sum changed"}}, askConflict,
			[]string{"GitHub could not merge the base into this branch"}},
		{"a name holding backticks and a mention", map[string][]string{"x`y": {"@team ``z`` changed"}}, askFork,
			[]string{"- ``x`y``: ```@team ``z`` changed```"}},
		{"a name starting with a backtick", map[string][]string{"`v": {"go.sum changed"}}, askFork,
			[]string{"- `` `v ``: `go.sum changed`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := refreshComment("main", fixHead, tt.fods, tt.why)
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("comment:\n%s\nwant %q in it", body, want)
				}
			}
		})
	}
}
