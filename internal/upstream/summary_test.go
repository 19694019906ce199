package upstream_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/upstream"
)

const uvOld = `version = 1
[[package]]
name = "app"
version = "1.0"
source = { editable = "." }

[[package]]
name = "django"
version = "5.2.11"

[[package]]
name = "gone"
version = "0.1"

[[package]]
name = "twice"
version = "1.0"

[[package]]
name = "twice"
version = "2.0"
`

const uvNew = `version = 1
[[package]]
name = "app"
version = "1.1"
source = { editable = "." }

[[package]]
name = "django"
version = "5.2.12"

[[package]]
name = "fresh"
version = "3.0"

[[package]]
name = "twice"
version = "1.0"

[[package]]
name = "twice"
version = "2.1"
`

func TestSummarize(t *testing.T) {
	tests := []struct {
		name, file string
		old, new   string
		want       upstream.FileSummary
	}{
		{
			name: "uv.lock added, removed and bumped", file: "uv.lock", old: uvOld, new: uvNew,
			want: upstream.FileSummary{File: "uv.lock", Format: "uv.lock",
				Added:   []upstream.Package{{Name: "fresh", Version: "3.0"}},
				Removed: []upstream.Package{{Name: "gone", Version: "0.1"}},
				Bumped: []upstream.Bump{{Name: "app", From: "1.0", To: "1.1"}, {Name: "django", From: "5.2.11", To: "5.2.12"},
					{Name: "twice", From: "1.0, 2.0", To: "1.0, 2.1"}},
				RootVersion: &upstream.Bump{Name: "app", From: "1.0", To: "1.1"}},
		},
		{
			name: "uv.lock root version only", file: "uv.lock",
			old: "[[package]]\nname = \"app\"\nversion = \"1.0\"\nsource = { virtual = \".\" }\n",
			new: "[[package]]\nname = \"app\"\nversion = \"1.1\"\nsource = { virtual = \".\" }\n",
			want: upstream.FileSummary{File: "uv.lock", Format: "uv.lock", RootVersionOnly: true,
				Bumped:      []upstream.Bump{{Name: "app", From: "1.0", To: "1.1"}},
				RootVersion: &upstream.Bump{Name: "app", From: "1.0", To: "1.1"}},
		},
		{
			name: "package-lock nested and scoped packages", file: "web/package-lock.json",
			old: `{"name":"w","version":"1","lockfileVersion":3,"packages":{"":{"version":"1"},
				"node_modules/@a/b":{"version":"1.0.0"},"node_modules/x/node_modules/@a/b":{"version":"0.9.0"},
				"node_modules/core":{"resolved":"packages/core","link":true},"packages/core":{"name":"@w/core","version":"1.0.0"}}}`,
			new: `{"name":"w","version":"1","lockfileVersion":3,"packages":{"":{"version":"1"},
				"node_modules/@a/b":{"version":"1.1.0"},"node_modules/x/node_modules/@a/b":{"version":"0.9.0"},
				"node_modules/core":{"resolved":"packages/core","link":true},"packages/core":{"name":"@w/core","version":"1.0.0"},
				"node_modules/new":{"version":"2.0.0"}}}`,
			want: upstream.FileSummary{File: "web/package-lock.json", Format: "package-lock.json",
				Added:  []upstream.Package{{Name: "new", Version: "2.0.0"}},
				Bumped: []upstream.Bump{{Name: "@a/b", From: "0.9.0, 1.0.0", To: "0.9.0, 1.1.0"}}},
		},
		{
			name: "package-lock v1 falls back to lines", file: "package-lock.json",
			old: `{"lockfileVersion":1,"dependencies":{}}`, new: "{\"lockfileVersion\":1,\n\"dependencies\":{}}",
			want: upstream.FileSummary{File: "package-lock.json", Format: "lines", LinesAdded: 2, LinesRemoved: 1,
				Note: `could not parse as package-lock.json: old file: lockfileVersion 1: only versions 2 and 3 (with a "packages" map) are supported`},
		},
		{
			name: "go.mod requirements, go line and replace", file: "go.mod",
			old: "module m\n\ngo 1.24\n\nrequire (\n\ta.io/x v1.0.0\n\tb.io/y v0.1.0 // indirect\n)\n",
			new: "module m\n\ngo 1.25.0\n\nrequire a.io/x v1.1.0\n\nreplace c.io/z => ./z\n",
			want: upstream.FileSummary{File: "go.mod", Format: "go.mod",
				Added:   []upstream.Package{{Name: "replace c.io/z", Version: "./z"}},
				Removed: []upstream.Package{{Name: "b.io/y", Version: "v0.1.0"}},
				Bumped:  []upstream.Bump{{Name: "a.io/x", From: "v1.0.0", To: "v1.1.0"}, {Name: "go", From: "1.24", To: "1.25.0"}}},
		},
		{
			name: "broken TOML falls back to lines", file: "uv.lock", old: "[[package]\n", new: "x = 1\n",
			want: upstream.FileSummary{File: "uv.lock", Format: "lines", LinesAdded: 1, LinesRemoved: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := upstream.Summarize(tt.file, []byte(tt.old), []byte(tt.new))
			if tt.want.Format == "lines" && tt.want.Note == "" {
				if !strings.HasPrefix(got.Note, "could not parse as uv.lock") {
					t.Errorf("Note = %q", got.Note)
				}
				got.Note = ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Summarize (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLines(t *testing.T) {
	s := upstream.Summarize("uv.lock", []byte(uvOld), []byte(uvNew))
	s.FODs = []string{"python-deps"}
	want := []string{
		"uv.lock (python-deps): 3 bumped, 1 added, 1 removed",
		"bumped app 1.0 → 1.1",
		"bumped django 5.2.11 → 5.2.12",
		"bumped twice 1.0, 2.0 → 1.0, 2.1",
		"added fresh 3.0",
		"removed gone 0.1",
	}
	if diff := cmp.Diff(want, s.Lines()); diff != "" {
		t.Errorf("Lines (-want +got):\n%s", diff)
	}
	many := upstream.FileSummary{File: "go.mod", FODs: []string{"server-vendor"}}
	for i := range upstream.MaxListed + 3 {
		many.Bumped = append(many.Bumped, upstream.Bump{Name: string(rune('a' + i)), From: "1", To: "2"})
	}
	lines := many.Lines()
	if len(lines) != upstream.MaxListed+2 || lines[len(lines)-1] != "… and 3 more" {
		t.Errorf("capped lines end %q (%d lines)", lines[len(lines)-1], len(lines))
	}
}
