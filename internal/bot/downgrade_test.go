package bot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/pulls"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// errChecked stops a run once the check has been asked.
var errChecked = errors.New("checked")

// optionsRecorder keeps the options of the one check it is asked.
type optionsRecorder struct{ got *upstream.CheckOptions }

func (r *optionsRecorder) Check(_ context.Context, _ *config.Config, _ *pins.Pins, opts upstream.CheckOptions) (*upstream.Result, error) {
	r.got = &opts
	return nil, errChecked
}

// TestAllowDowngradeReachesTheCheck: the upstream check decides on a
// downgrade (version.CheckDowngrade), so both a run and a publish of
// applied pins older than the base's must hand it the caller's choice.
func TestAllowDowngradeReachesTheCheck(t *testing.T) {
	for _, publish := range []bool{false, true} {
		for _, allow := range []bool{false, true} {
			name := map[bool]string{false: "run", true: "publish-only"}[publish] +
				map[bool]string{false: "", true: " --allow-downgrade"}[allow]
			t.Run(name, func(t *testing.T) {
				f := newFixture(t)
				cfg, err := config.Load(f.work, config.LoadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				rec := &optionsRecorder{}
				b, err := New(Options{Config: cfg, Checker: rec, Engine: f.engine, Publisher: f.pub})
				if err != nil {
					t.Fatal(err)
				}
				ro := RunOptions{Version: "2026.2.0", AllowDowngrade: allow}
				if publish {
					applied := strings.Replace(basePins, `"2026.2.1"`, `"2026.2.0"`, 1)
					if err := os.WriteFile(filepath.Join(f.work, "nix/sources.json"), []byte(applied), 0o644); err != nil {
						t.Fatal(err)
					}
					_, err = b.PublishPins(t.Context(), RunOptions{AllowDowngrade: allow})
				} else {
					_, err = b.Run(t.Context(), ro)
				}
				if !errors.Is(err, errChecked) || rec.got == nil {
					t.Fatalf("err = %v, checked %v; want the check asked", err, rec.got != nil)
				}
				if rec.got.Version != "2026.2.0" || rec.got.AllowDowngrade != allow {
					t.Errorf("check options %+v, want version 2026.2.0 and AllowDowngrade %v", *rec.got, allow)
				}
			})
		}
	}
}

// TestReproduceCommandsOfADowngradeAllowIt: a pull request that moves the
// pin back tells how to reproduce it with commands that are not refused.
func TestReproduceCommandsOfADowngradeAllowIt(t *testing.T) {
	rows := []pulls.HashRow{{FOD: "src"}}
	tests := []struct {
		name, pinned, candidate string
		want                    []string
	}{
		{name: "an upgrade", pinned: "1.0.1", candidate: "1.1.0", want: []string{
			"hashbot update --set-version 1.1.0 --fod src", "hashbot run --dry-run --version 1.1.0"}},
		{name: "a downgrade", pinned: "1.1.0", candidate: "1.0.1", want: []string{
			"hashbot update --set-version 1.0.1 --allow-downgrade --fod src", "hashbot run --dry-run --version 1.0.1 --allow-downgrade"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reproduceCommands(&upstream.Result{Pinned: tt.pinned, Candidate: tt.candidate}, rows)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}
