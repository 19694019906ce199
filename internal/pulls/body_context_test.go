package pulls

import (
	"strings"
	"testing"
	"time"
)

// contextBody is a 2026.2.1 → 2026.5.6 move across three releases that
// fixes an advisory and brings a Cargo.lock no FOD reads.
func contextBody() BodyData {
	d := authentikBody()
	d.NewVersion, d.NewTag = "2026.5.6", "version/2026.5.6"
	day := func(m, dd int) time.Time { return time.Date(2026, time.Month(m), dd, 12, 0, 0, 0, time.UTC) }
	d.Releases = []ReleaseRow{
		{Tag: "version/2026.2.2", Name: "2026.2.2", URL: "https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2", Published: day(3, 2)},
		{Tag: "version/2026.5.0", Name: "authentik 2026.5", URL: "https://github.com/goauthentik/authentik/releases/tag/version/2026.5.0", Published: day(5, 20)},
		{Tag: "version/2026.5.6", Name: "2026.5.6", URL: "https://github.com/goauthentik/authentik/releases/tag/version/2026.5.6", Published: day(6, 30)},
	}
	d.Notes = "## Fixes\n\n* security: fix CVE-2026-40165 by @alice in #19012\n"
	d.Advisories = []AdvisoryRow{{ID: "GHSA-q4xm-9mpf-2c3v", CVE: "CVE-2026-40165", Severity: "high",
		Summary: "Authentication bypass in the OAuth2 provider", URL: "https://github.com/goauthentik/authentik/security/advisories/GHSA-q4xm-9mpf-2c3v"}}
	d.UnclaimedLocks = []LockRow{{Path: "Cargo.lock", New: true}, {Path: "website/package-lock.json"}}
	return d
}

func TestBodyNamesWhatUpstreamChanged(t *testing.T) {
	body := RenderBody(contextBody())
	for _, want := range []string{
		"- [version/2026.2.2](https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2) (2026-03-02)\n",
		"- [version/2026.5.0](https://github.com/goauthentik/authentik/releases/tag/version/2026.5.0) authentik 2026.5 (2026-05-20)\n",
		"- [version/2026.5.6](https://github.com/goauthentik/authentik/releases/tag/version/2026.5.6) (2026-06-30)\n",
		"<details>\n<summary>Release notes of version/2026.5.6</summary>\n\n## Fixes\n",
		"by @\u200balice in #\u200b19012",
		"| [GHSA-q4xm-9mpf-2c3v](https://github.com/goauthentik/authentik/security/advisories/GHSA-q4xm-9mpf-2c3v) | CVE-2026-40165 | high | Authentication bypass in the OAuth2 provider |\n",
		"- authentik 2026.5.6 added `Cargo.lock`; no FOD reads it\n",
		"- authentik 2026.5.6 has `website/package-lock.json`; no FOD reads it\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	for _, absent := range []string{"### Upstream releases", "### Security advisories fixed", "### Lock files no FOD reads"} {
		if strings.Contains(RenderBody(authentikBody()), absent) {
			t.Errorf("a body without releases, advisories or unclaimed locks has %q", absent)
		}
	}
}

func TestHostileReleaseNotesAreHarmlessAndBounded(t *testing.T) {
	const rel = "https://github.com/goauthentik/authentik/releases/tag/version/2026.5.6"
	tests := []struct {
		name, notes string
		want        []string
		absent      []string
	}{
		{"raw HTML opens no tag", `<img src=x onerror="alert(1)"> <a href="javascript:alert(1)">x</a>`,
			[]string{"&lt;img src=x onerror=\"alert(1)\"&gt;"}, []string{"<img", "<a "}},
		{"a script is text", "<script>fetch('//evil')</script>", []string{"&lt;script&gt;"}, []string{"<script"}},
		{"the section cannot be closed from inside", "</details>\n\n@everyone look", []string{"&lt;/details&gt;"}, nil},
		{"mentions notify no one", "@everyone @goauthentik/security thanks @alice",
			[]string{"@\u200beveryone", "@\u200bgoauthentik/security", "@\u200balice"}, []string{"@everyone", "@alice"}},
		{"references cross-link nothing", "fixes #123, goauthentik/authentik#456, GH-789 and https://github.com/goauthentik/authentik/pull/1",
			[]string{"#\u200b123", "authentik#\u200b456", "GH-\u200b789", "https://redirect.github.com/goauthentik/authentik/pull/1"},
			[]string{"#123", "#456", "GH-789", "https://github.com/goauthentik/authentik/pull/1"}},
		{"an open code fence is closed before the body goes on", "```sh\n<b>kept</b> @x\n", []string{"```sh\n<b>kept</b> @x\n\n```\n\n</details>"}, nil},
		{"a megabyte is cut, with a link to the rest", strings.Repeat("lorem ipsum dolor sit amet\n", 40000),
			[]string{"_The notes are cut here: [the rest on the release page](" + rel + ")._"}, nil},
		{"one megabyte line is cut too, on a character", strings.Repeat("é", 1<<19), []string{"_The notes are cut here:"}, nil},
		{"what escaping grows stays within GitHub's limit", strings.Repeat("<@#1", 1<<18), []string{"_The notes are cut here:"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := contextBody()
			d.Notes, d.ReleaseURL = tt.notes, rel
			body := RenderBody(d)
			i := strings.Index(body, "<summary>Release notes")
			j := strings.LastIndex(body, "</details>")
			if i < 0 || j < i {
				t.Fatalf("no notes section:\n%.3000s", body)
			}
			notes := body[i:j]
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q:\n%.3000s", w, notes)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(notes, a) {
					t.Errorf("notes keep %q:\n%.3000s", a, notes)
				}
			}
			if strings.Count(body, "</details>") != strings.Count(body, "<details>") {
				t.Errorf("%d <details> but %d </details>", strings.Count(body, "<details>"), strings.Count(body, "</details>"))
			}
			if len(body) > 65536/2 {
				t.Errorf("body of %d bytes, want well under GitHub's 65,536 characters", len(body))
			}
			if !strings.Contains(body, "<sub>Opened by hashbot.") {
				t.Error("the body's end is gone")
			}
		})
	}
}

func TestHostileReleasesAndAdvisoriesAreEscaped(t *testing.T) {
	d := contextBody()
	d.Notes = ""
	d.Releases = []ReleaseRow{{Tag: "version/2026.5.6", Name: "[click](javascript:alert(1)) @everyone",
		URL: "https://github.com/o/r/releases/tag/x\n[evil](https://evil.example)"}}
	for range 100 {
		d.Releases = append(d.Releases, ReleaseRow{Tag: "v", URL: "javascript:alert(1)"})
	}
	d.Advisories = []AdvisoryRow{{ID: "GHSA-<b>", CVE: "CVE|1", Severity: "**high**", Summary: strings.Repeat("@everyone | ", 1000),
		URL: "javascript:alert(1)"}}
	for range 200 {
		d.Advisories = append(d.Advisories, AdvisoryRow{ID: "GHSA-x", Summary: strings.Repeat("y", 1000)})
	}
	d.UnclaimedLocks = []LockRow{{Path: "a`b/Cargo.lock\n# heading"}}
	body := RenderBody(d)
	for _, absent := range []string{"(javascript:", "\n[evil]", "@everyone", "<b>", "CVE|1", "\n# heading", "[click]"} {
		if strings.Contains(body, absent) {
			t.Errorf("body has %q", absent)
		}
	}
	if n := strings.Count(body, "\n- [version") + strings.Count(body, "\n- version") + strings.Count(body, "\n- v"); n > maxReleaseRows+1 {
		t.Errorf("%d releases listed, want at most %d", n, maxReleaseRows)
	}
	if !strings.Contains(body, "101 releases; the newest 30:") {
		t.Error("the count of releases left out is not said")
	}
	if !strings.Contains(body, "and 181 more.") {
		t.Error("the count of advisories left out is not said")
	}
	if len(body) > 20000 {
		t.Errorf("body of %d bytes", len(body))
	}
}
