package webhook

import (
	"net/http"
	"testing"
)

func TestPrereleasesFollowTheConfiguration(t *testing.T) {
	rc := func(t *testing.T) []byte {
		return releaseWithTag(t, "release.published.payload.json", "version/2026.2.3-rc1")
	}
	markedPre := func(t *testing.T) []byte {
		return edit(t, "release.published.payload.json", func(p map[string]any) {
			rel := p["release"].(map[string]any)
			rel["tag_name"], rel["prerelease"] = "version/2026.2.3", true
		})
	}
	createRC := func(t *testing.T) []byte {
		return edit(t, "create.with-organization.payload.json", func(p map[string]any) { p["ref"] = "version/2026.2.3-rc1" })
	}
	tests := []struct {
		name    string
		include bool
		event   string
		body    func(*testing.T) []byte
		status  string
	}{
		{"a pre-release tag is ignored by default", false, "release", rc, "ignored"},
		{"a release marked prerelease is ignored by default", false, "release", markedPre, "ignored"},
		{"a created pre-release tag is ignored by default", false, "create", createRC, "ignored"},
		{"a pre-release tag queues with include-prereleases", true, "release", rc, "queued"},
		{"a release marked prerelease queues with include-prereleases", true, "release", markedPre, "queued"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := newFakeRunner(false)
			opts := testOptions(runner, &syncBuffer{})
			opts.IncludePrereleases = tt.include
			s := startServer(t, opts)
			code, rep := send(t, s.url, delivery{event: tt.event, id: "d", body: tt.body(t)})
			if code != http.StatusAccepted || rep.Status != tt.status {
				t.Fatalf("got %d %+v, want 202 %s", code, rep, tt.status)
			}
			if tt.status == "queued" {
				waitFor(t, runner.started, "the queued job")
			} else if v := runner.versions(); len(v) != 0 {
				t.Errorf("runner ran %v, want no run", v)
			}
		})
	}
}
