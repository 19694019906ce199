package upstream_test

import (
	"errors"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

func TestPatchReleaseRebuildsOnlyWhatChanged(t *testing.T) {
	for _, set := range fixtureSets() {
		t.Run(set.name, func(t *testing.T) { testPatchRelease(t, set.resolve(t)) })
	}
}

func testPatchRelease(t *testing.T, set fixtureSet) {
	e := newCheckEnvFrom(t, set)
	res, err := e.check(t, pinsAtIn(t, set, "2026.2.1", true), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantStale := map[string][]string{
		"src":         {"version moved 2026.2.1 -> 2026.2.2"},
		"python-deps": {"uv.lock changed", "pyproject.toml changed"},
		"webui-deps":  {"web/package-lock.json changed", "web/package.json changed"},
	}
	if diff := cmp.Diff(wantStale, res.Stale); diff != "" {
		t.Errorf("stale (-want +got):\n%s", diff)
	}
	if res.Pinned != "2026.2.1" || res.Candidate != "2026.2.2" || res.CandidateTag != "version/2026.2.2" ||
		res.PinnedTag != "version/2026.2.1" || !res.Moved || res.UpToDate {
		t.Errorf("result = %+v", res)
	}
	wantCompare := strings.TrimSuffix(e.srv.URL, "/") + "/goauthentik/authentik/compare/version/2026.2.1...version/2026.2.2"
	if res.CompareURL != wantCompare || !strings.HasSuffix(res.ReleaseURL, "/releases/tag/version/2026.2.2") {
		t.Errorf("CompareURL = %q, ReleaseURL = %q", res.CompareURL, res.ReleaseURL)
	}

	uv := summaryOf(t, res, "uv.lock")
	if !slices.Contains(uv.Bumped, upstream.Bump{Name: "django", From: "5.2.11", To: "5.2.12"}) {
		t.Errorf("uv.lock bumps %v lack django 5.2.11 → 5.2.12", uv.Bumped)
	}
	if len(uv.Added)+len(uv.Removed) != 0 || uv.RootVersionOnly || !slices.Equal(uv.FODs, []string{"python-deps"}) {
		t.Errorf("uv.lock summary = %+v", uv)
	}
	web := summaryOf(t, res, "web/package-lock.json")
	if !web.RootVersionOnly || len(web.Added)+len(web.Removed)+len(web.Bumped) != 0 || *web.RootVersion != (upstream.Bump{Name: "@goauthentik/web", From: "2026.2.1", To: "2026.2.2"}) {
		t.Errorf("package-lock summary = %+v, want root version field only", web)
	}
	if got := web.Lines()[0]; !strings.Contains(got, "root version field only (2026.2.1 → 2026.2.2)") {
		t.Errorf("package-lock headline = %q", got)
	}
	for _, s := range res.Summaries {
		if s.File == "go.mod" || s.File == "go.sum" {
			t.Errorf("identical %s summarised: %+v", s.File, s)
		}
	}
	wantInputs := map[string]string{}
	for _, f := range authentikFiles {
		wantInputs[f] = pins.SRI(set.file(t, "2026.2.2", f))
	}
	wantInputs[config.GoImportsKey(".")] = noImports
	if diff := cmp.Diff(wantInputs, res.NewInputs); diff != "" {
		t.Errorf("NewInputs (-want +got):\n%s", diff)
	}
}

func TestMinorReleaseMakesEverythingStaleAndCountsEveryChange(t *testing.T) {
	for _, set := range fixtureSets() {
		t.Run(set.name, func(t *testing.T) { testMinorRelease(t, set.resolve(t)) })
	}
}

func testMinorRelease(t *testing.T, set fixtureSet) {
	e := newCheckEnvFrom(t, set)
	res, err := e.check(t, pinsAtIn(t, set, "2025.12.4", true), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"python-deps", "server-vendor", "src", "webui-deps"}, res.StaleFODs()); diff != "" {
		t.Errorf("stale FODs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(authentikFiles, fileNames(res), cmpSorted); diff != "" {
		t.Errorf("summarised files (-want +got):\n%s", diff)
	}
	// Counted independently of the package's parsers.
	uv := summaryOf(t, res, "uv.lock")
	wantUV := naiveDiff(uvVersions(t, set.file(t, "2025.12.4", "uv.lock")), uvVersions(t, set.file(t, "2026.2.2", "uv.lock")))
	if got := (counts{len(uv.Added), len(uv.Removed), len(uv.Bumped)}); got != wantUV || got.total() == 0 {
		t.Errorf("uv.lock counts = %+v, want %+v", got, wantUV)
	}
	npm := summaryOf(t, res, "web/package-lock.json")
	wantNPM := naiveDiff(npmVersions(t, set.file(t, "2025.12.4", "web/package-lock.json")), npmVersions(t, set.file(t, "2026.2.2", "web/package-lock.json")))
	if got := (counts{len(npm.Added), len(npm.Removed), len(npm.Bumped)}); got != wantNPM || got.total() == 0 || npm.RootVersionOnly {
		t.Errorf("package-lock counts = %+v, want %+v", got, wantNPM)
	}
	gomod := summaryOf(t, res, "go.mod")
	if gomod.Format != "go.mod" || len(gomod.Bumped) == 0 {
		t.Errorf("go.mod summary = %+v", gomod)
	}
	gosum := summaryOf(t, res, "go.sum")
	if gosum.LinesAdded != set.goSumAdded || gosum.LinesRemoved != set.goSumRemoved { // git diff --numstat
		t.Errorf("go.sum lines = +%d/-%d, want +%d/-%d", gosum.LinesAdded, gosum.LinesRemoved, set.goSumAdded, set.goSumRemoved)
	}
	if lines := uv.Lines(); len(lines) < 2 || !strings.HasPrefix(lines[0], "uv.lock (python-deps): ") {
		t.Errorf("uv.lock lines = %q", lines)
	}
}

// advance returns pins as the bot would write them after res.
func advance(t *testing.T, p *pins.Pins, res *upstream.Result) *pins.Pins {
	t.Helper()
	q := p.Clone()
	q.SetVersion(res.Candidate)
	for _, path := range slices.Sorted(maps.Keys(res.NewInputs)) {
		q.SetInput(path, res.NewInputs[path])
	}
	return q
}

func TestSecondPollIsConditionalFreeAndUpToDate(t *testing.T) {
	e := newCheckEnv(t)
	c, _ := e.checker(t)
	first, err := c.Check(t.Context(), e.cfg, pinsAt(t, "2026.2.1", true), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := advance(t, pinsAt(t, "2026.2.1", true), first)
	if _, err := c.Check(t.Context(), e.cfg, p, upstream.CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"same client", "restarted client on the same state dir"} {
		t.Run(name, func(t *testing.T) {
			if name != "same client" {
				c, _ = e.checker(t)
			}
			e.srv.ResetRequests()
			res, err := c.Check(t.Context(), e.cfg, p, upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.UpToDate || len(res.Stale) != 0 || len(res.Summaries) != 0 {
				t.Errorf("result = %+v, want up to date", res)
			}
			reqs := e.srv.Requests()
			if len(reqs) == 0 {
				t.Fatal("no requests")
			}
			for _, r := range reqs {
				if !r.Conditional || r.Status != 304 {
					t.Errorf("%s %s?%s: conditional %v, status %d; want a conditional 304", r.Method, r.Path, r.Query, r.Conditional, r.Status)
				}
			}
		})
	}
}

func TestFirstRunWithoutRecordedInputsComparesWithThePinnedTag(t *testing.T) {
	e := newCheckEnv(t)
	res, err := e.check(t, pinsAt(t, "2026.2.1", false), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"python-deps", "src", "webui-deps"}, res.StaleFODs()); diff != "" {
		t.Errorf("stale FODs (-want +got):\n%s", diff)
	}
	if uv := summaryOf(t, res, "uv.lock"); !slices.Contains(uv.Bumped, upstream.Bump{Name: "django", From: "5.2.11", To: "5.2.12"}) {
		t.Errorf("uv.lock summary = %+v", uv)
	}
}

func TestNullHashesAreStaleEvenWhenUpToDate(t *testing.T) {
	e := newCheckEnv(t)
	p := pinsAt(t, "2026.2.2", true)
	p.SetHash("python-deps", "aarch64-linux", "")
	p.SetHash("server-vendor", "", "")
	res, err := e.check(t, p, upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"python-deps":   {"hash not computed yet (null) for aarch64-linux"},
		"server-vendor": {"hash not computed yet (null)"},
	}
	if diff := cmp.Diff(want, res.Stale); diff != "" || res.UpToDate || res.Moved {
		t.Errorf("stale (-want +got):\n%s\nresult: %+v", diff, res)
	}
}

// TestFakeOrMalformedPinnedHashesAreStale pins placeholders and garbage:
// none of them is "up to date".
func TestFakeOrMalformedPinnedHashesAreStale(t *testing.T) {
	e := newCheckEnv(t)
	p := pinsAt(t, "2026.2.2", true)
	p.SetHash("python-deps", "aarch64-linux", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	p.SetHash("webui-deps", "x86_64-linux", pins.Placeholder("webui-deps", "x86_64-linux"))
	p.SetHash("server-vendor", "", "garbage")
	p.SetHash("src", "", "sha256:0000000000000000000000000000000000000000000000000000")
	res, err := e.check(t, p, upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"python-deps":   "the pinned hash for aarch64-linux is a fake hash",
		"webui-deps":    "the pinned hash for x86_64-linux is hashbot's own placeholder",
		"server-vendor": "the pinned hash is not a Nix hash",
		"src":           "the pinned hash is not in SRI form",
	}
	for fod, reason := range want {
		if got := strings.Join(res.Stale[fod], "; "); !strings.Contains(got, reason) {
			t.Errorf("%s: reasons %q, want %q", fod, got, reason)
		}
	}
	if res.UpToDate {
		t.Error("up to date with fake hashes pinned")
	}
}

func TestLocalInputs(t *testing.T) {
	e := newCheckEnv(t)
	e.cfg = loadConfig(t, authentikTOML+"local-inputs = [\"nix/vendor.nix\"]\n")
	path := filepath.Join(e.cfg.Dir, "nix", "vendor.nix")
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("{ }: null\n"), 0o644)
	p := pinsAt(t, "2026.2.2", true)
	tests := []struct {
		name, recorded string
		want           map[string][]string
	}{
		{"unrecorded", "", map[string][]string{"server-vendor": {"nix/vendor.nix has no recorded hash in nix/sources.json"}}},
		{"changed", "sha256-old", map[string][]string{"server-vendor": {"nix/vendor.nix changed"}}},
		{"same", pins.SRI([]byte("{ }: null\n")), map[string][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := p.Clone()
			if tt.recorded != "" {
				q.SetInput("nix/vendor.nix", tt.recorded)
			}
			res, err := e.check(t, q, upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Stale); diff != "" {
				t.Errorf("stale (-want +got):\n%s", diff)
			}
			if res.NewInputs["nix/vendor.nix"] != pins.SRI([]byte("{ }: null\n")) {
				t.Errorf("NewInputs lacks the local input: %v", res.NewInputs)
			}
		})
	}
	os.Remove(path)
	if _, err := e.check(t, p, upstream.CheckOptions{}); err == nil || !strings.Contains(err.Error(), "local input nix/vendor.nix") {
		t.Errorf("missing local input: err = %v", err)
	}
}

func TestExplicitVersion(t *testing.T) {
	e := newCheckEnv(t)
	res, err := e.check(t, pinsAt(t, "2025.12.4", true), upstream.CheckOptions{Version: "2026.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Candidate != "2026.2.1" || res.CandidateTag != "version/2026.2.1" || res.ReleaseURL == "" {
		t.Errorf("result = %+v", res)
	}
}

func TestBranchMode(t *testing.T) {
	e := newCheckEnv(t)
	e.cfg = loadConfig(t, strings.Replace(authentikTOML, `tag-prefix = "version/"`, `branch = "main"`, 1))
	oldRev, newRev := strings.Repeat("a", 40), strings.Repeat("b", 40)
	addVersion(t, e.srv, oldRev, "2026.2.1", ghfake.Release{})
	addVersion(t, e.srv, newRev, "2026.2.2", ghfake.Release{})
	e.srv.SetBranch(repo, "main", newRev)
	p := pinsAt(t, "2026.2.1", false)
	p.SetRev(oldRev)
	res, err := e.check(t, p, upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rev != newRev || res.Candidate != newRev || res.Pinned != oldRev {
		t.Errorf("result = %+v", res)
	}
	want := []string{"rev moved aaaaaaaaaaaa -> bbbbbbbbbbbb"}
	if diff := cmp.Diff(want, res.Stale["src"]); diff != "" || res.Stale["server-vendor"] != nil {
		t.Errorf("src reasons (-want +got):\n%s\nstale: %v", diff, res.Stale)
	}
}

func TestClearOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, e *checkEnv) *pins.Pins
		wantErr string
		check   func(t *testing.T, res *upstream.Result, err error)
	}{
		{
			name: "a file missing at the tag names the file and the tag",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				e.cfg = loadConfig(t, authentikTOML+`[fod.extra]
attr = "extra"
inputs = ["web/yarn.lock"]
`)
				p := pinsAt(t, "2026.2.1", true)
				p.SetHash("extra", "", "sha256-extra")
				return p
			},
			wantErr: "goauthentik/authentik has no file web/yarn.lock at version/2026.2.2",
			check: func(t *testing.T, _ *upstream.Result, err error) {
				var mf *upstream.MissingFileError
				if !errors.As(err, &mf) || mf.RefMissing {
					t.Errorf("err = %#v, want *MissingFileError for the file", err)
				}
			},
		},
		{
			name: "a bad tag-prefix says which tags exist",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				e.cfg.Upstream.TagPrefix = "release-"
				return pinsAt(t, "2026.2.1", true)
			},
			wantErr: `no release of goauthentik/authentik qualifies with tag-prefix "release-": of 3 releases, 3 without the tag prefix (tags seen: version/2026.2.2, version/2026.2.1, version/2025.12.4)`,
			check: func(t *testing.T, _ *upstream.Result, err error) {
				var nr *upstream.NoReleaseError
				if !errors.As(err, &nr) {
					t.Errorf("err is %T, want *NoReleaseError", err)
				}
			},
		},
		{
			name: "a deleted pinned tag with newer releases still decides staleness",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				e.srv.DeleteTag(repo, "version/2026.2.1")
				return pinsAt(t, "2026.2.1", true)
			},
			check: func(t *testing.T, res *upstream.Result, _ error) {
				if diff := cmp.Diff([]string{"python-deps", "src", "webui-deps"}, res.StaleFODs()); diff != "" {
					t.Errorf("stale FODs (-want +got):\n%s", diff)
				}
				if s := summaryOf(t, res, "uv.lock"); !strings.Contains(s.Note, "version/2026.2.1 no longer exists upstream") {
					t.Errorf("uv.lock summary = %+v, want a note on the deleted tag", s)
				}
			},
		},
		{
			name: "a deleted pinned tag without recorded inputs makes them stale",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				e.srv.DeleteTag(repo, "version/2026.2.1")
				return pinsAt(t, "2026.2.1", false)
			},
			check: func(t *testing.T, res *upstream.Result, _ error) {
				got := res.Stale["server-vendor"]
				if len(got) != 2 || !strings.HasPrefix(got[0], "go.mod has no recorded hash and version/2026.2.1 no longer exists upstream") {
					t.Errorf("server-vendor reasons = %q", got)
				}
			},
		},
		{
			name: "a deleted newest tag never downgrades the pin",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				e.srv.DeleteTag(repo, "version/2026.2.2")
				return pinsAt(t, "2026.2.2", true)
			},
			wantErr: "pinned version 2026.2.2 is newer than the newest release of goauthentik/authentik (2026.2.1)",
		},
		{
			name: "a prerelease and a draft are skipped, non-version tags ignored",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				addVersion(t, e.srv, "version/2026.2.3-rc1", "2026.2.2", ghfake.Release{Tag: "version/2026.2.3-rc1", Prerelease: true})
				addVersion(t, e.srv, "version/2026.3.0", "2026.2.2", ghfake.Release{Tag: "version/2026.3.0", Draft: true})
				e.srv.AddRelease(repo, ghfake.Release{Tag: "version/latest"})
				e.srv.AddRelease(repo, ghfake.Release{Tag: "nightly"})
				return pinsAt(t, "2026.2.1", true)
			},
			check: func(t *testing.T, res *upstream.Result, _ error) {
				if res.Candidate != "2026.2.2" {
					t.Errorf("candidate = %s, want 2026.2.2", res.Candidate)
				}
			},
		},
		{
			name: "include-prereleases takes the prerelease",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				addVersion(t, e.srv, "version/2026.2.3-rc1", "2026.2.2", ghfake.Release{Tag: "version/2026.2.3-rc1", Prerelease: true})
				e.cfg.Upstream.IncludePrereleases = true
				return pinsAt(t, "2026.2.2", true)
			},
			check: func(t *testing.T, res *upstream.Result, _ error) {
				want := map[string][]string{"src": {"version moved 2026.2.2 -> 2026.2.3-rc1"}}
				if diff := cmp.Diff(want, res.Stale); diff != "" || res.Candidate != "2026.2.3-rc1" {
					t.Errorf("candidate %s, stale (-want +got):\n%s", res.Candidate, diff)
				}
			},
		},
		{
			name: "a rate limit beyond the bound is a typed error",
			setup: func(t *testing.T, e *checkEnv) *pins.Pins {
				e.srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
					ghfake.RateHeaders(w.Header(), 0, time.Now().Add(time.Hour))
					ghfake.WriteError(w, http.StatusForbidden, "API rate limit exceeded", "")
					return true
				})
				return pinsAt(t, "2026.2.1", true)
			},
			wantErr: "listing releases of goauthentik/authentik",
			check: func(t *testing.T, _ *upstream.Result, err error) {
				if _, ok := ghclient.AsRateLimit(err); !ok {
					t.Errorf("err = %v, want a rate limit", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newCheckEnv(t)
			p := tt.setup(t, e)
			res, err := e.check(t, p, upstream.CheckOptions{})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, res, err)
			}
		})
	}
}
