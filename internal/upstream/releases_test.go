package upstream_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

const srcOnlyTOML = `
[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.src]
attr = "src"
`

func TestNewestReleaseIsByVersion(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		releases []ghfake.Release
		withPre  bool
		want     string
	}{
		{
			name: "numeric, not string, order; a later-published backport does not win",
			releases: []ghfake.Release{
				{Tag: "version/2026.2.10", Created: base},
				{Tag: "version/2026.2.9", Created: base.Add(time.Hour)},
				{Tag: "version/2025.12.5", Created: base.Add(2 * time.Hour)},
			},
			want: "2026.2.10",
		},
		{
			name: "a release is newer than its release candidate",
			releases: []ghfake.Release{
				{Tag: "version/2026.2.3", Created: base},
				{Tag: "version/2026.2.3-rc1", Created: base.Add(time.Hour)},
			},
			withPre: true, want: "2026.2.3",
		},
		{
			name: "a pre-release suffix without the prerelease flag is still a prerelease",
			releases: []ghfake.Release{
				{Tag: "version/2026.2.2", Created: base},
				{Tag: "version/2026.2.3-rc1", Created: base.Add(time.Hour)},
			},
			want: "2026.2.2",
		},
		{
			name: "drafts are skipped even with prereleases",
			releases: []ghfake.Release{
				{Tag: "version/2026.2.2", Created: base},
				{Tag: "version/2026.3.0", Draft: true, Created: base.Add(time.Hour)},
			},
			withPre: true, want: "2026.2.2",
		},
		{
			name: "tags that are not versions are ignored",
			releases: []ghfake.Release{
				{Tag: "version/2026.2.2", Created: base},
				{Tag: "version/latest", Created: base.Add(time.Hour)},
				{Tag: "version/2026.x", Created: base.Add(2 * time.Hour)},
				{Tag: "nightly-99999", Created: base.Add(3 * time.Hour)},
			},
			want: "2026.2.2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &checkEnv{srv: ghfake.New(t), cfg: loadConfig(t, srcOnlyTOML), state: t.TempDir()}
			e.cfg.Upstream.IncludePrereleases = tt.withPre
			for _, r := range tt.releases {
				e.srv.AddRelease(repo, r)
			}
			res, err := e.check(t, pinsAt(t, "2025.1.1", false), upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Candidate != tt.want {
				t.Errorf("candidate = %s, want %s", res.Candidate, tt.want)
			}
		})
	}
}

func TestReleasesArePaginated(t *testing.T) {
	e := &checkEnv{srv: ghfake.New(t), cfg: loadConfig(t, srcOnlyTOML), state: t.TempDir()}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Oldest-created first, so the newest version sits on the last page.
	e.srv.AddRelease(repo, ghfake.Release{Tag: "version/2099.1.0", Created: base})
	for i := range 250 {
		e.srv.AddRelease(repo, ghfake.Release{Tag: fmt.Sprintf("version/2020.1.%d", i), Created: base.Add(time.Duration(i+1) * time.Hour)})
	}
	res, err := e.check(t, pinsAt(t, "2020.1.0", false), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Candidate != "2099.1.0" {
		t.Errorf("candidate = %s, want the release on the last page", res.Candidate)
	}
	pages := 0
	for _, r := range e.srv.Requests() {
		if strings.HasSuffix(r.Path, "/releases") {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("listed %d pages, want 3 of 100", pages)
	}
}

func TestNoReleasesAtAll(t *testing.T) {
	e := &checkEnv{srv: ghfake.New(t), cfg: loadConfig(t, srcOnlyTOML), state: t.TempDir()}
	e.srv.AddRelease(repo, ghfake.Release{Tag: "version/2026.1.0", Draft: true})
	_, err := e.check(t, pinsAt(t, "2025.1.1", false), upstream.CheckOptions{})
	if err == nil || !strings.Contains(err.Error(), "of 1 releases, 1 drafts") {
		t.Errorf("err = %v", err)
	}
}
