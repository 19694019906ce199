package upstream_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// versions lists the versions of rels.
func versions(rels []upstream.Release) []string {
	var out []string
	for _, r := range rels {
		out = append(out, r.Version)
	}
	return out
}

func TestReleasesBetweenPinnedAndCandidate(t *testing.T) {
	tests := []struct {
		name, pinned, version string
		want                  []string
		notes                 string
	}{
		{"every release after the pinned one up to the newest, oldest first", "2025.12.4", "",
			[]string{"2026.1.0", "2026.2.1", "2026.2.2"}, "notes of 2026.2.2"},
		{"up to the version asked for, not past it", "2025.12.4", "2026.2.1",
			[]string{"2026.1.0", "2026.2.1"}, "notes of 2026.2.1"},
		{"nothing when the version did not move", "2026.2.2", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &checkEnv{srv: ghfake.New(t), cfg: loadConfig(t, srcOnlyTOML), state: t.TempDir()}
			base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			for i, tag := range []string{"2026.2.2", "2025.12.4", "2026.1.0", "2026.2.3-rc1", "2026.2.1", "2025.10.1"} {
				e.srv.AddRelease(repo, ghfake.Release{Tag: prefix + tag, Body: "notes of " + tag, Created: base.Add(time.Duration(i) * time.Hour),
					Prerelease: strings.Contains(tag, "rc")})
			}
			e.srv.AddRelease(repo, ghfake.Release{Tag: prefix + "2026.1.5", Draft: true})
			res, err := e.check(t, pinsAt(t, tt.pinned, false), upstream.CheckOptions{Version: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, versions(res.Releases)); diff != "" {
				t.Errorf("releases (-want +got):\n%s", diff)
			}
			if res.Notes != tt.notes {
				t.Errorf("notes = %q, want %q", res.Notes, tt.notes)
			}
			for _, r := range res.Releases {
				if r.HTMLURL == "" || r.Published.IsZero() || r.Name == "" || r.Notes != "" {
					t.Errorf("release %s: %+v, want a link, a date, a title and no notes", r.Version, r)
				}
			}
		})
	}
}

func TestUnclaimedLockFiles(t *testing.T) {
	tests := []struct {
		name      string
		extraTOML string
		pinnedToo bool // the pinned release has the lock too
		want      []upstream.LockFile
	}{
		{"a lock no FOD reads, new in the candidate", "", false, []upstream.LockFile{{Path: "worker/Cargo.lock", New: true}}},
		{"one the pinned release had already", "", true, []upstream.LockFile{{Path: "worker/Cargo.lock"}}},
		{"silenced by ignore-locks", "\n[check]\nignore-locks = [\"worker/Cargo.lock\"]\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newCheckEnv(t)
			e.cfg = loadConfig(t, authentikTOML+tt.extraTOML)
			e.srv.SetFile(repo, prefix+"2026.2.2", "worker/Cargo.lock", []byte("version = 4\n"))
			if tt.pinnedToo {
				e.srv.SetFile(repo, prefix+"2026.2.1", "worker/Cargo.lock", []byte("version = 3\n"))
			}
			res, err := e.check(t, pinsAt(t, "2026.2.1", true), upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.UnclaimedLocks); diff != "" {
				t.Errorf("unclaimed locks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFixedAdvisories(t *testing.T) {
	e := newCheckEnv(t)
	e.cfg = loadConfig(t, srcOnlyTOML)
	vuln := func(r string) []ghfake.Vulnerability {
		return []ghfake.Vulnerability{{Ecosystem: "pip", Package: "authentik", Range: r}}
	}
	e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-fixd-0000-0001", CVEID: "CVE-2026-40165", Severity: "high",
		Summary: "fixed by 2026.2.2", Vulnerabilities: vuln(">= 2025.12.0, < 2026.2.2")})
	e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-open-0000-0002", Severity: "critical",
		Summary: "still open in 2026.2.2", Vulnerabilities: vuln(">= 2026.2.0, < 2026.3.0")})
	e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-gone-0000-0003", Withdrawn: true,
		Summary: "withdrawn", Vulnerabilities: vuln("< 2026.2.2")})
	e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-huh0-0000-0004",
		Summary: "a range hashbot cannot order", Vulnerabilities: vuln("< latest")})
	e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-drft-0000-0005", State: "draft",
		Summary: "a draft", Vulnerabilities: vuln("< 2026.2.2")})
	res, err := e.check(t, pinsAt(t, "2026.2.1", false), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []upstream.Advisory{{GHSAID: "GHSA-fixd-0000-0001", CVEID: "CVE-2026-40165", Severity: "high", Summary: "fixed by 2026.2.2",
		URL: strings.TrimSuffix(e.srv.URL, "/") + "/" + repo + "/security/advisories/GHSA-fixd-0000-0001"}}
	if diff := cmp.Diff(want, res.Advisories); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings: %q", res.Warnings)
	}
}

func TestAdvisoriesOutOfReachAreAWarning(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := newCheckEnv(t)
			e.cfg = loadConfig(t, srcOnlyTOML)
			e.srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/security-advisories") {
					ghfake.WriteError(w, status, "Resource not accessible by integration", "https://docs.github.com/rest")
					return true
				}
				return false
			})
			res, err := e.check(t, pinsAt(t, "2026.2.1", false), upstream.CheckOptions{})
			if err != nil {
				t.Fatalf("check failed: %v", err)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "security advisories of goauthentik/authentik are not readable") {
				t.Errorf("warnings = %q", res.Warnings)
			}
			if res.Candidate != "2026.2.2" || len(res.Advisories) != 0 {
				t.Errorf("candidate %s, advisories %v", res.Candidate, res.Advisories)
			}
		})
	}
}

// TestNoMoveAsksForNoContext: the releases in between, the lock files and
// the advisories are asked only for a move; a poll that finds nothing new
// reads none of them.
func TestNoMoveAsksForNoContext(t *testing.T) {
	e := newCheckEnv(t)
	e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-xxxx-0000-0001", Vulnerabilities: []ghfake.Vulnerability{{Range: "< 2026.2.2"}}})
	res, err := e.check(t, pinsAt(t, "2026.2.2", true), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.UpToDate {
		t.Fatalf("not up to date: %v", res.Stale)
	}
	for _, r := range e.srv.Requests() {
		if strings.Contains(r.Path, "/security-advisories") || strings.Contains(r.Path, "/tarball/") {
			t.Errorf("asked for %s", r.Path)
		}
	}
}

func TestFixedAdvisoriesOnALaterPage(t *testing.T) {
	e := newCheckEnv(t)
	e.cfg = loadConfig(t, srcOnlyTOML)
	for range 120 {
		e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-old0-0000-0000", Vulnerabilities: []ghfake.Vulnerability{{Range: "< 2020.1.0"}}})
	}
	e.srv.AddAdvisory(repo, ghfake.Advisory{GHSAID: "GHSA-last-0000-0000", Vulnerabilities: []ghfake.Vulnerability{{Range: "= 2026.2.1"}}})
	res, err := e.check(t, pinsAt(t, "2026.2.1", false), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Advisories) != 1 || res.Advisories[0].GHSAID != "GHSA-last-0000-0000" {
		t.Errorf("advisories = %+v", res.Advisories)
	}
	pages := 0
	for _, r := range e.srv.Requests() {
		if strings.HasSuffix(r.Path, "/security-advisories") {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("%d pages of advisories read, want 2", pages)
	}
}
