package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetVersionOlderThanPinnedIsRefused: update and apply write
// --set-version to the pins, as the workflow's compute and publish jobs
// do with the version check found; one older than the pinned 1.0.0 is
// refused before anything is computed or written, naming both versions,
// unless --allow-downgrade asks for it.
func TestSetVersionOlderThanPinnedIsRefused(t *testing.T) {
	const refusal = "version 0.9.0 is older than the pinned version 1.0.0: refusing to downgrade"
	tests := []struct {
		name    string
		args    []string // after the command and --repo
		code    int
		want    string // in stderr
		written string // the pins' version afterwards
	}{
		{name: "update refuses an older version", args: []string{"update", "--fod", "flat", "--set-version", "0.9.0"},
			code: ExitUsage, want: refusal, written: "1.0.0"},
		{name: "apply refuses an older version", args: []string{"apply", "--fod", "flat", "--set-version", "0.9.0", "RESULTS"},
			code: ExitUsage, want: refusal, written: "1.0.0"},
		{name: "apply takes an older version when allowed", args: []string{"apply", "--fod", "flat", "--set-version", "0.9.0", "--allow-downgrade", "RESULTS"},
			code: ExitOK, want: "wrote 1 hash(es)", written: "0.9.0"},
		{name: "apply takes the pinned version", args: []string{"apply", "--fod", "flat", "--set-version", "1.0.0", "RESULTS"},
			code: ExitOK, want: "wrote 1 hash(es)", written: "1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := updEngineRepo(t)
			results := filepath.Join(t.TempDir(), "x86.json")
			doc := `{"schema": 1, "ok": true, "version": "` + tt.written + `", "host": "x", "results": [` + applyFlat + `]}`
			if err := os.WriteFile(results, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{tt.args[0], "--repo", dir}, tt.args[1:]...)
			for i, a := range args {
				if a == "RESULTS" {
					args[i] = results
				}
			}
			r := updRun(t, args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
			p, err := readPins(filepath.Join(dir, "nix/sources.json"))
			if err != nil {
				t.Fatal(err)
			}
			if p.Version() != tt.written {
				t.Errorf("pins pin %s, want %s", p.Version(), tt.written)
			}
		})
	}
}
