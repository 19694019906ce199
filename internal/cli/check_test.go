package cli

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

func TestCheckFlags(t *testing.T) {
	testFlags(t, newCheckCmd, []flagCase[checkOptions]{
		{name: "the defaults", want: checkOptions{MaxRateLimitWait: 2 * time.Minute}},
		{name: "every flag", args: []string{"--json", "--version", "2026.2.2", "--max-rate-limit-wait", "30s", "--pull-requests"},
			want: checkOptions{JSON: true, Version: "2026.2.2", MaxRateLimitWait: 30 * time.Second, PullRequests: true}},
		{name: "a downgrade asked for in so many words", args: []string{"--version", "2025.12.5", "--allow-downgrade"},
			want: checkOptions{Version: "2025.12.5", AllowDowngrade: true, MaxRateLimitWait: 2 * time.Minute}},
		{name: "no waiting for rate limits", args: []string{"--max-rate-limit-wait", "0"}, want: checkOptions{}},
		{name: "a version that would reach a shell is refused", args: []string{"--version", "2026.2.2;rm -rf ~"},
			wantErr: `--version "2026.2.2;rm -rf ~" is not a version`, wantUsage: true},
		{name: "a wait that is not a duration is refused", args: []string{"--max-rate-limit-wait", "2"}, wantErr: `invalid argument "2"`},
	})
}

// checkResult is a check of a miniature authentik pinned at 2026.2.1,
// 2026.2.2 released: two lock files moved, one summary for each kind.
func checkResult() *upstream.Result {
	return &upstream.Result{
		Pinned: "2026.2.1", Candidate: "2026.2.2", PinnedTag: "version/2026.2.1", CandidateTag: "version/2026.2.2", Moved: true,
		Stale: map[string][]string{
			"src":         {"version moved 2026.2.1 -> 2026.2.2"},
			"python-deps": {"uv.lock changed", "pyproject.toml changed"},
			"webui-deps":  {"web/package-lock.json changed"},
		},
		Summaries: []upstream.FileSummary{
			{File: "pyproject.toml", FODs: []string{"python-deps"}, Format: "lines", LinesAdded: 3, LinesRemoved: 3},
			{File: "uv.lock", FODs: []string{"python-deps"}, Format: "uv.lock", Bumped: []upstream.Bump{
				{Name: "authentik", From: "2026.2.1", To: "2026.2.2"}, {Name: "django", From: "5.2.11", To: "5.2.12"}}},
			{File: "web/package-lock.json", FODs: []string{"webui-deps"}, Format: "package-lock.json",
				RootVersionOnly: true, RootVersion: &upstream.Bump{From: "2026.2.1", To: "2026.2.2"}},
		},
		NewInputs:  map[string]string{"uv.lock": "sha256-Uu7DxZSFuVCPuF8wT1+ftBJ66OMPl2GgTWzyPxgDP6Y="},
		ReleaseURL: "https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2",
		CompareURL: "https://github.com/goauthentik/authentik/compare/version/2026.2.1...version/2026.2.2",
	}
}

func TestCheckTextOutput(t *testing.T) {
	upToDate := &upstream.Result{Pinned: "2026.2.2", Candidate: "2026.2.2", UpToDate: true,
		ReleaseURL: "https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2"}
	versionOnly := &upstream.Result{Pinned: "2026.2.1", Candidate: "2026.2.2", Stale: map[string][]string{}}
	tests := []struct {
		name string
		res  *upstream.Result
		want string
	}{
		{"stale FODs with their reasons, then each changed file", checkResult(), `pinned:    2026.2.1
candidate: 2026.2.2  https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2

stale:
  python-deps
    - uv.lock changed
    - pyproject.toml changed
  src
    - version moved 2026.2.1 -> 2026.2.2
  webui-deps
    - web/package-lock.json changed

changes:
  pyproject.toml (python-deps): 3 lines added, 3 removed
  uv.lock (python-deps): 2 bumped
      bumped authentik 2026.2.1 → 2026.2.2
      bumped django 5.2.11 → 5.2.12
  web/package-lock.json (webui-deps): root version field only (2026.2.1 → 2026.2.2); no dependency changed

compare: https://github.com/goauthentik/authentik/compare/version/2026.2.1...version/2026.2.2
`},
		{"up to date says only that", upToDate, `pinned:    2026.2.2
candidate: 2026.2.2  https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2
up to date
`},
		{"a version that moved alone says no FOD is stale", versionOnly, `pinned:    2026.2.1
candidate: 2026.2.2

no FOD is stale; only the version moved
`},
		{"nothing pinned yet is a dash", &upstream.Result{Candidate: "2026.2.2", Stale: map[string][]string{}}, `pinned:    -
candidate: 2026.2.2

no FOD is stale; only the version moved
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeCheckText(&out, tt.res); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("text output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckJSONOutput(t *testing.T) {
	type summary struct {
		FODs            []string `json:"fods"`
		RootVersionOnly bool     `json:"root_version_only"`
		Bumped          []upstream.Bump
	}
	type report struct {
		Pinned, Candidate string
		UpToDate          bool `json:"up_to_date"`
		Stale             map[string][]string
		Summaries         map[string]summary
		Sources           []checkSource
		PullRequest       *checkPR `json:"pull_request"`
		GitHub            ghclient.Counts
	}
	pr := &checkPR{Number: 7, URL: "https://github.com/me/authentik-nix/pull/7", State: "open", Branch: "hashbot/authentik-2026.2.2"}
	tests := []struct {
		name string
		pr   *checkPR
		want report
	}{
		{"summaries by file, sources a list even when none moved", nil, report{
			Pinned: "2026.2.1", Candidate: "2026.2.2", Stale: checkResult().Stale,
			Summaries: map[string]summary{
				"pyproject.toml": {FODs: []string{"python-deps"}},
				"uv.lock": {FODs: []string{"python-deps"}, Bumped: []upstream.Bump{
					{Name: "authentik", From: "2026.2.1", To: "2026.2.2"}, {Name: "django", From: "5.2.11", To: "5.2.12"}}},
				"web/package-lock.json": {FODs: []string{"webui-deps"}, RootVersionOnly: true},
			},
			Sources: []checkSource{}, GitHub: ghclient.Counts{Requests: 9, NotModified: 8, Charged: 1},
		}},
		{"the pull request that makes a run unnecessary", pr, report{
			Pinned: "2026.2.1", Candidate: "2026.2.2", Stale: checkResult().Stale,
			Summaries: map[string]summary{
				"pyproject.toml": {FODs: []string{"python-deps"}},
				"uv.lock": {FODs: []string{"python-deps"}, Bumped: []upstream.Bump{
					{Name: "authentik", From: "2026.2.1", To: "2026.2.2"}, {Name: "django", From: "5.2.11", To: "5.2.12"}}},
				"web/package-lock.json": {FODs: []string{"webui-deps"}, RootVersionOnly: true},
			},
			Sources: []checkSource{}, PullRequest: pr, GitHub: ghclient.Counts{Requests: 9, NotModified: 8, Charged: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := writeCheckReport(&out, checkResult(), ghclient.Counts{Requests: 9, NotModified: 8, Charged: 1}, tt.pr); err != nil {
				t.Fatal(err)
			}
			var got report
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("JSON (-want +got):\n%s", diff)
			}
		})
	}
}
