package ghactions_test

import (
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghactions"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, data, property string
	}{
		{"plain text is kept", "sha256-abc+/=", "sha256-abc+/=", "sha256-abc+/="},
		{"percent first so escapes are not decoded twice", "100%0A", "100%250A", "100%250A"},
		{"line breaks cannot start a new command", "a\r\nb\nc", "a%0D%0Ab%0Ac", "a%0D%0Ab%0Ac"},
		{"colon and comma only in properties", "nix/a.nix:3,x", "nix/a.nix:3,x", "nix/a.nix%3A3%2Cx"},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ghactions.EscapeData(tt.in); got != tt.data {
				t.Errorf("EscapeData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := ghactions.EscapeProperty(tt.in); got != tt.property {
				t.Errorf("EscapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
			}
		})
	}
}

func TestDisabledOutsideActionsDoesNothing(t *testing.T) {
	for _, value := range []string{"", "false", "1"} {
		t.Run("GITHUB_ACTIONS="+value, func(t *testing.T) {
			r := newFakeRunner(t, false)
			if value != "" {
				r.env["GITHUB_ACTIONS"] = value
			}
			a := r.actions()
			if a.Enabled() {
				t.Fatal("Enabled() = true")
			}
			a.StartGroup("g")
			a.Error("boom", ghactions.Annotation{File: "x"})
			a.EndGroup()
			if err := a.SetOutput("stale", "true"); err != nil {
				t.Errorf("SetOutput: %v", err)
			}
			if err := a.AppendSummary("# hi"); err != nil {
				t.Errorf("AppendSummary: %v", err)
			}
			w := a.Fold("nix log")
			io.WriteString(w, "building '/nix/store/x.drv'...\n")
			w.Close()
			if diff := cmp.Diff("building '/nix/store/x.drv'...\n", r.out.String()); diff != "" {
				t.Errorf("out (-want +got):\n%s", diff)
			}
			if got := r.file(t, "GITHUB_OUTPUT") + r.file(t, "GITHUB_STEP_SUMMARY"); got != "" {
				t.Errorf("runner files written outside Actions: %q", got)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	tests := []struct {
		name string
		do   func(a *ghactions.Actions)
		want string
	}{
		{
			name: "a group name cannot inject a command",
			do: func(a *ghactions.Actions) {
				a.StartGroup("evaluate\n::error::forged")
				a.EndGroup()
			},
			want: "::group::evaluate%0A::error::forged\n::endgroup::\n",
		},
		{
			name: "starting a group ends the open one",
			do: func(a *ghactions.Actions) {
				a.StartGroup("one")
				a.StartGroup("two")
				a.EndGroup()
				a.EndGroup()
			},
			want: "::group::one\n::endgroup::\n::group::two\n::endgroup::\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFakeRunner(t, true)
			tt.do(r.actions())
			if diff := cmp.Diff(tt.want, r.out.String()); diff != "" {
				t.Errorf("out (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnnotations(t *testing.T) {
	tests := []struct {
		name string
		do   func(a *ghactions.Actions)
		want string
	}{
		{
			name: "error with every property, values escaped",
			do: func(a *ghactions.Actions) {
				a.Error("hash mismatch\ngot: sha256-x", ghactions.Annotation{
					Title: "python-deps: x86_64-linux, failed", File: "nix/sources.json",
					Line: 3, EndLine: 4, Col: 5, EndColumn: 9,
				})
			},
			want: "::error file=nix/sources.json,line=3,endLine=4,col=5,endColumn=9," +
				"title=python-deps%3A x86_64-linux%2C failed::hash mismatch%0Agot: sha256-x\n",
		},
		{
			name: "warning without properties",
			do:   func(a *ghactions.Actions) { a.Warning("50% done", ghactions.Annotation{}) },
			want: "::warning::50%25 done\n",
		},
		{
			name: "error with a title only",
			do:   func(a *ghactions.Actions) { a.Error("failed", ghactions.Annotation{Title: "hashbot"}) },
			want: "::error title=hashbot::failed\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFakeRunner(t, true)
			tt.do(r.actions())
			if diff := cmp.Diff(tt.want, r.out.String()); diff != "" {
				t.Errorf("out (-want +got):\n%s", diff)
			}
		})
	}
}
