package ghactions_test

import (
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghactions"
)

func TestSetOutputRoundTrips(t *testing.T) {
	r := newFakeRunner(t, true)
	a := r.actions()
	values := map[string]string{
		"stale":     "true",
		"version":   "2026.2.2",
		"empty":     "",
		"table":     "| fod | hash |\n| a | b |",
		"trailing":  "line\n",
		"forged":    "x\nstale=false",
		"carriage":  "a\r\nb",
		"has-equal": "a=b<<c",
	}
	for _, name := range []string{"stale", "version", "empty", "table", "trailing", "forged", "carriage", "has-equal"} {
		if err := a.SetOutput(name, values[name]); err != nil {
			t.Fatalf("SetOutput(%q): %v", name, err)
		}
	}
	content := r.file(t, "GITHUB_OUTPUT")
	if diff := cmp.Diff(values, readOutputs(t, content)); diff != "" {
		t.Errorf("outputs as the runner reads them (-want +got):\n%s\nfile:\n%s", diff, content)
	}
}

func TestSetOutputFileFormat(t *testing.T) {
	r := newFakeRunner(t, true)
	a := r.actions()
	if err := a.SetOutput("stale", "true"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetOutput("body", "a\nb"); err != nil {
		t.Fatal(err)
	}
	want := "stale=true\nbody<<ghadelimiter_TOKEN1\na\nb\nghadelimiter_TOKEN1\n"
	if diff := cmp.Diff(want, r.file(t, "GITHUB_OUTPUT")); diff != "" {
		t.Errorf("$GITHUB_OUTPUT (-want +got):\n%s", diff)
	}
}

func TestSetOutputRejects(t *testing.T) {
	tests := []struct {
		name, output, value string
		unsetFile           bool
		wantIs              error
	}{
		{name: "empty name", output: "", value: "x"},
		{name: "name with equals", output: "a=b", value: "x"},
		{name: "name with heredoc marker", output: "a<<b", value: "x"},
		{name: "name with newline", output: "a\nb", value: "x"},
		{name: "value holding the delimiter", output: "body", value: "a\nghadelimiter_TOKEN1\nb"},
		{name: "no GITHUB_OUTPUT", output: "stale", value: "true", unsetFile: true, wantIs: ghactions.ErrNoFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFakeRunner(t, true)
			if tt.unsetFile {
				delete(r.env, "GITHUB_OUTPUT")
			}
			err := r.actions().SetOutput(tt.output, tt.value)
			if err == nil {
				t.Fatal("SetOutput succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if got := r.file(t, "GITHUB_OUTPUT"); got != "" {
				t.Errorf("$GITHUB_OUTPUT written despite the error: %q", got)
			}
		})
	}
}

func TestAppendSummary(t *testing.T) {
	r := newFakeRunner(t, true)
	a := r.actions()
	if err := a.AppendSummary("## hashbot"); err != nil {
		t.Fatal(err)
	}
	if err := a.AppendSummary("done\n"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("## hashbot\ndone\n", r.file(t, "GITHUB_STEP_SUMMARY")); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestAppendSummaryErrors(t *testing.T) {
	t.Run("no GITHUB_STEP_SUMMARY", func(t *testing.T) {
		r := newFakeRunner(t, true)
		r.env["GITHUB_STEP_SUMMARY"] = ""
		if err := r.actions().AppendSummary("x"); !errors.Is(err, ghactions.ErrNoFile) {
			t.Errorf("AppendSummary() = %v, want ErrNoFile", err)
		}
	})
	t.Run("the file cannot be opened", func(t *testing.T) {
		boom := errors.New("read-only file system")
		a := ghactions.New(ghactions.Options{
			LookupEnv: func(k string) (string, bool) {
				return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/s"}[k], true
			},
			OpenAppend: func(string) (io.WriteCloser, error) { return nil, boom },
		})
		if err := a.AppendSummary("x"); !errors.Is(err, boom) {
			t.Errorf("AppendSummary() = %v, want %v", err, boom)
		}
	})
}

func TestMarkdownTable(t *testing.T) {
	got := ghactions.MarkdownTable(
		[]string{"FOD", "system", "hash"},
		[][]string{
			{"python-deps", "x86_64-linux", "sha256-a|b"},
			{"src", "", "line\nbreak"},
			{"short"},
		},
	)
	want := "| FOD | system | hash |\n" +
		"| --- | --- | --- |\n" +
		"| python-deps | x86_64-linux | sha256-a\\|b |\n" +
		"| src |  | line<br>break |\n" +
		"| short |  |  |\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}
