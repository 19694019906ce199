package pulls

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// authentikBody is a realistic 2026.2.1 → 2026.2.2 run. The src hashes are
// the real source NAR hashes of both tags; the other hashes are made up.
func authentikBody() BodyData {
	return BodyData{
		UpstreamRepo: "goauthentik/authentik", UpstreamName: "authentik",
		OldVersion: "2026.2.1", NewVersion: "2026.2.2",
		OldTag: "version/2026.2.1", NewTag: "version/2026.2.2",
		Rows: []HashRow{
			{FOD: "src", Old: "sha256-0Vpf1hj9C8r+rhrCgwoNazpQ+mwgjdjDhuoKCxYQFWw=", New: "sha256-Xq7JGI/8ppIydIuWd9KRJKUrh7UpeniwvZ4NAtXbYJ4=", Status: "changed"},
			{FOD: "python-deps", System: "x86_64-linux", Old: "sha256-KZTZtSSolgxvqKUfVyKJNFIRYe2MlTqoZtEzCsnEnCk=", New: "sha256-23WnxjErKUVP0oWE/NJ/ttkcnsGNOazFvitnZFew89g=", Status: "changed"},
			{FOD: "python-deps", System: "aarch64-linux", Old: "sha256-vqhMufRSbtjsH7V+PWebAwVkzo0OnhMziOcgqvsWA0E=", New: "sha256-Og116FUqbMIKOnKyEo2X177Yvfe90c7nX1IQQYI6nzI=", Status: "changed"},
			{FOD: "python-deps", System: "aarch64-darwin", Old: "sha256-8Ly7feIrCPGJRQ+12FIi4GnAodDWBtE+tBt5xULG2xQ=", Status: "unavailable",
				Note: "no builder for aarch64-darwin here: add a Nix remote builder, or compute it in the per-platform CI matrix (hashbot update --fod python-deps --system aarch64-darwin on a macOS runner)"},
			{FOD: "webui-deps", Old: "sha256-jM5rUxfprFTKAM31bw8A7oEYW02nSU3qDKV7sz45V78=", New: "sha256-nbVItcZFgcBXk6/JQ2a23rSZTkSOgG0rSOSRvR6r4aM=", Status: "changed"},
			{FOD: "server-vendor", Old: "sha256-OAba+Q4bBkwb/nWdKsauFHkL+jLpY9U7GX8Z2u0UH1I=", New: "sha256-OAba+Q4bBkwb/nWdKsauFHkL+jLpY9U7GX8Z2u0UH1I=", Status: "unchanged"},
		},
		Summaries: []Summary{
			{File: "uv.lock", FODs: []string{"python-deps"}, Lines: []string{
				"authentik 2026.2.1 → 2026.2.2", "cbor2 5.8.0 → 5.9.0", "django 5.2.11 → 5.2.12",
				"orjson 3.11.5 → 3.11.6", "pyasn1 0.6.2 → 0.6.3",
			}},
			{File: "web/package-lock.json", FODs: []string{"webui-deps"}, Lines: []string{
				"only the root version field changed: 2026.2.1 → 2026.2.2",
			}},
			{File: "go.mod", FODs: []string{"server-vendor"}},
		},
		Stale: map[string][]string{
			"webui-deps":  {"web/package-lock.json changed", "web/package.json changed"},
			"src":         {"version moved: 2026.2.1 → 2026.2.2"},
			"python-deps": {"uv.lock changed", "pyproject.toml changed"},
		},
		NixVersion: "2.8.0",
		Builders:   []string{"x86_64-linux (local)", "aarch64-linux (extra-platforms)"},
		Verify:     "every new hash was rebuilt with nix-build --check and gave the same output.",
		Reproduce: []string{
			"hashbot update --fod src --fod python-deps --fod webui-deps --system x86_64-linux --system aarch64-linux",
			"hashbot update --fod python-deps --system aarch64-darwin",
		},
	}
}

// hostileBody has a failed build with a log tail, a long summary, no
// verify run and untrusted strings that try to break the Markdown.
func hostileBody() BodyData {
	var lines []string
	for _, p := range []string{"aiohttp", "boto3", "celery", "cryptography", "django", "djangorestframework", "lxml", "pydantic", "twisted", "uvicorn"} {
		lines = append(lines, p+" 1.0 → 1.1")
	}
	lines = append(lines, "evil|pkg <script>alert(1)</script> 1 → 2")
	return BodyData{
		UpstreamRepo: "goauthentik/authentik", UpstreamName: "authentik",
		OldVersion: "2026.2.2", NewVersion: "2026.2.2",
		OldTag: "version/2026.2.2", NewTag: "version/2026.2.2 --><b>x</b>",
		Rows: []HashRow{
			{FOD: "python-deps", System: "x86_64-linux", Old: "", Status: "failed",
				Note: "error: builder for '/nix/store/9z…-python-deps.drv' failed with exit code 1;\n       last 2 log lines:\n       > uv: error: Failed to download `django==5.2.12`\n       > ``` not a fence"},
			{FOD: "web|ui", Old: "sha256-a`b", New: "sha256-c|d", Status: "unreproducible", Note: "second build differed: *.pyc"},
		},
		Summaries: []Summary{{File: "uv.lock", FODs: []string{"python-deps"}, Lines: lines}},
		Stale:     map[string][]string{"python-deps": {"hash is null"}},
		Reproduce: []string{"hashbot update --fod python-deps --system x86_64-linux"},
	}
}

func TestRenderBodyGolden(t *testing.T) {
	tests := []struct {
		name string
		data BodyData
	}{
		{"authentik-2026.2.2", authentikBody()},
		{"failed-and-hostile", hostileBody()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderBody(tt.data)
			path := filepath.Join("testdata", tt.name+".md")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("RenderBody mismatch (-%s +got), rerun with -update if intended:\n%s", path, diff)
			}
		})
	}
}

func TestRenderBodyLinks(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*BodyData)
		want    []string
		notWant []string
	}{
		{
			name: "computed from repo and tags, slash kept",
			want: []string{
				"[version/2026.2.2](https://github.com/goauthentik/authentik/releases/tag/version/2026.2.2)",
				"(https://github.com/goauthentik/authentik/compare/version/2026.2.1...version/2026.2.2)",
			},
		},
		{
			name: "given URLs win",
			mod: func(d *BodyData) {
				d.ReleaseURL, d.CompareURL = "https://ghe.example/r/releases/1", "https://ghe.example/r/compare/a...b"
			},
			want: []string{"(https://ghe.example/r/releases/1)", "(https://ghe.example/r/compare/a...b)"},
		},
		{
			name:    "no compare when the version did not move",
			mod:     func(d *BodyData) { d.OldVersion, d.OldTag = d.NewVersion, d.NewTag },
			want:    []string{"Updates the fixed-output derivation hashes of"},
			notWant: []string{"/compare/"},
		},
		{
			name: "a release URL with a newline is no link",
			mod: func(d *BodyData) {
				d.ReleaseURL = "https://github.com/x/y/releases/1\n\n### Injected heading\n[click](https://evil.example)"
			},
			want:    []string{"- Release: version/2026.2.2\n"},
			notWant: []string{"\n### Injected heading", "(https://evil.example)"},
		},
		{
			name:    "a javascript: URL is no link",
			mod:     func(d *BodyData) { d.ReleaseURL = "javascript:alert(1)" },
			notWant: []string{"javascript:"},
		},
		{
			name: "tag characters escaped per segment",
			mod:  func(d *BodyData) { d.NewTag = "v 1/x?y#z" },
			want: []string{"/releases/tag/v%201/x%3Fy%23z)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := authentikBody()
			if tt.mod != nil {
				tt.mod(&d)
			}
			got := RenderBody(d)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("body lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("body has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestRenderBodyMarkerRoundTrips(t *testing.T) {
	tests := []struct {
		name string
		data BodyData
		want Marker
	}{
		{"authentik", authentikBody(), Marker{UpstreamRepo: "goauthentik/authentik", Version: "2026.2.2"}},
		{"hostile version cannot end the comment", BodyData{UpstreamRepo: "a/b", NewVersion: "1.0 --> <b>"}, Marker{UpstreamRepo: "a/b", Version: "1.0b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := RenderBody(tt.data)
			got, ok := ParseMarker(body)
			if !ok {
				t.Fatalf("no marker in:\n%s", body)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("marker (-want +got):\n%s", diff)
			}
			if strings.Count(body, "-->") != 1 {
				t.Errorf("body has %d comment ends, want 1", strings.Count(body, "-->"))
			}
		})
	}
	if _, ok := ParseMarker("Bumps django from 5.2.11 to 5.2.12."); ok {
		t.Error("ParseMarker found a marker in a body without one")
	}
}

func TestRenderTitle(t *testing.T) {
	tests := []struct{ name, oldV, newV, want string }{
		{"authentik", "2026.2.1", "2026.2.2", "authentik: 2026.2.1 -> 2026.2.2"},
		{"authentik", "2026.2.2", "2026.2.2", "authentik: update FOD hashes"},
		{"authentik", "", "2026.2.2", "authentik: update FOD hashes"},
		{"authentik", "2026.2.1", "2026.2.2\nInjected", "authentik: 2026.2.1 -> 2026.2.2 Injected"},
	}
	for _, tt := range tests {
		t.Run(tt.oldV+"->"+tt.newV, func(t *testing.T) {
			if got := RenderTitle(tt.name, tt.oldV, tt.newV); got != tt.want {
				t.Errorf("RenderTitle(%q, %q, %q) = %q, want %q", tt.name, tt.oldV, tt.newV, got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"x86_64-linux (local)", "x86_64-linux (local)"},
		{"_private_ *bold* [x](y)", `\_private\_ \*bold\* \[x\](y)`},
		{"a|b <i>", `a\|b \<i\>`},
		{"multi\nline   text", "multi line text"},
		{"trailing_", `trailing\_`},
		{"added @types/node 22.1.0", "added @\u200btypes/node 22.1.0"},
		{"cc @octocat and @org/team", "cc @\u200boctocat and @\u200borg/team"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := text(tt.in); got != tt.want {
				t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRenderBodyMentionsNoOne: an npm scope or a user named in a lock-file
// summary, shown or folded away, is no GitHub mention.
func TestRenderBodyMentionsNoOne(t *testing.T) {
	folded := make([]string, collapseAfter+1)
	for i := range folded {
		folded[i] = fmt.Sprintf("added @scope/pkg%d 1.0", i)
	}
	tests := []struct {
		name    string
		summary Summary
		want    string
	}{
		{name: "a summary line", summary: Summary{File: "package-lock.json", Lines: []string{"added @babel/core 7.26.0"}},
			want: "- added @\u200bbabel/core 7.26.0\n"},
		{name: "a headline", summary: Summary{File: "package-lock.json", Headline: "only @octocat's fork changed"},
			want: ": only @\u200boctocat's fork changed\n"},
		{name: "a folded summary's headline", summary: Summary{File: "package-lock.json", Headline: "@org/team: 9 added", Lines: folded},
			want: "</code>: @\u200borg/team: 9 added</summary>"},
		{name: "a folded summary's lines", summary: Summary{File: "package-lock.json", Lines: folded},
			want: "- added @\u200bscope/pkg3 1.0\n"},
	}
	mention := regexp.MustCompile(`@[A-Za-z0-9]`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := RenderBody(BodyData{UpstreamRepo: "o/r", NewVersion: "2", Summaries: []Summary{tt.summary}})
			if !strings.Contains(body, tt.want) {
				t.Errorf("body lacks %q:\n%s", tt.want, body)
			}
			if m := mention.FindString(body); m != "" {
				t.Errorf("body mentions %q:\n%s", m, body)
			}
		})
	}
}

func TestRenderBodySummaryHeadlineStaysInViewWhenFolded(t *testing.T) {
	lines := make([]string, collapseAfter+3)
	for i := range lines {
		lines[i] = fmt.Sprintf("pkg%d 1.0 → 1.1", i)
	}
	body := RenderBody(BodyData{UpstreamRepo: "o/r", UpstreamName: "r", OldVersion: "1", NewVersion: "2",
		Summaries: []Summary{
			{File: "uv.lock", FODs: []string{"python-deps"}, Headline: "98 bumped, 8 added", Lines: lines},
			{File: "web/package-lock.json", FODs: []string{"webui-deps"}, Headline: "root version field only (1 → 2)"},
		}})
	for _, want := range []string{
		"<summary><code>uv.lock</code> (<code>python-deps</code>): 98 bumped, 8 added</summary>",
		"`web/package-lock.json` (`webui-deps`): root version field only (1 → 2)\n",
		"- pkg10 1.0 → 1.1\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}
