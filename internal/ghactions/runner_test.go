package ghactions_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/ghactions"
)

// fakeRunner is the environment of one GitHub Actions step: variables, the
// step's output stream and its runner files in a temporary directory.
type fakeRunner struct {
	env  map[string]string
	out  *syncBuffer
	dir  string
	mu   sync.Mutex
	next int
}

// newFakeRunner returns a runner environment; enabled sets GITHUB_ACTIONS.
func newFakeRunner(t *testing.T, enabled bool) *fakeRunner {
	t.Helper()
	dir := t.TempDir()
	r := &fakeRunner{
		env: map[string]string{
			"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
			"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		},
		out: &syncBuffer{},
		dir: dir,
	}
	if enabled {
		r.env["GITHUB_ACTIONS"] = "true"
	}
	return r
}

// actions returns an Actions wired to r, with tokens TOKEN1, TOKEN2, …
func (r *fakeRunner) actions() *ghactions.Actions {
	return ghactions.New(ghactions.Options{
		LookupEnv: func(k string) (string, bool) { v, ok := r.env[k]; return v, ok },
		Out:       r.out,
		Token: func() string {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.next++
			return fmt.Sprintf("TOKEN%d", r.next)
		},
	})
}

// file returns the content of the runner file named by env, "" if missing.
func (r *fakeRunner) file(t *testing.T, env string) string {
	t.Helper()
	b, err := os.ReadFile(r.env[env])
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// obeyed returns the workflow commands the runner would act on in log, as
// "name props::message" strings, following its rules: a command is a line
// starting with "::"; after ::stop-commands::TOKEN every line is plain text
// until a line that is exactly ::TOKEN::.
func obeyed(log string) []string {
	var cmds []string
	stop := ""
	for _, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
		if stop != "" {
			if line == "::"+stop+"::" {
				stop = ""
			}
			continue
		}
		rest, ok := strings.CutPrefix(line, "::")
		if !ok {
			continue
		}
		head, msg, ok := strings.Cut(rest, "::")
		if !ok {
			continue
		}
		if head == "stop-commands" {
			stop = msg
			continue
		}
		cmds = append(cmds, head+"::"+msg)
	}
	return cmds
}

// readOutputs parses a $GITHUB_OUTPUT file as the runner does: name=value
// lines and name<<DELIMITER heredocs.
func readOutputs(t *testing.T, content string) map[string]string {
	t.Helper()
	got := map[string]string{}
	lines := strings.Split(content, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var value []string
			for i++; ; i++ {
				if i >= len(lines) {
					t.Fatalf("heredoc %q for %q not terminated in %q", delim, name, content)
				}
				if lines[i] == delim {
					break
				}
				value = append(value, lines[i])
			}
			got[name] = strings.Join(value, "\n")
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("malformed output line %q", line)
		}
		got[name] = value
	}
	return got
}
