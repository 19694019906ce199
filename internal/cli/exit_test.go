package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/runlock"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

func TestErrorsMapToExitCodes(t *testing.T) {
	wrapped := func(err error) error { return fmt.Errorf("somewhere: %w", err) }
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"no error", nil, ExitOK},
		{"an error of no kind", errors.New("boom"), ExitFailure},
		{"a usage error", usageErrorf("--x: no"), ExitUsage},
		{"a quiet exit", &ExitError{Code: ExitStale}, ExitStale},
		{"check: no release under the tag prefix", checkError(&upstream.NoReleaseError{Repo: "up/app", TagPrefix: "release-"}), ExitUsage},
		{"check: pins of the wrong shape", checkError(&pins.ShapeError{File: "nix/sources.json", FOD: "deps", Want: "an object"}), ExitUsage},
		{"check: a configured input upstream lacks", checkError(&upstream.MissingFileError{Repo: "up/app", Ref: "v1", Path: "go.sum"}), ExitUsage},
		{"check: a ref upstream deleted", checkError(&upstream.MissingFileError{Repo: "up/app", Ref: "v1", Path: "go.sum", RefMissing: true}), ExitFailure},
		{"check: GitHub unreachable", checkError(errors.New("dial tcp: connection refused")), ExitFailure},
		{"compute: a bad request", computeError(wrapped(&fod.RequestError{Problems: []string{`--fod "nope"`}})), ExitUsage},
		{"compute: a missing attribute", computeError(wrapped(&fod.AttrError{Entry: "nix/default.nix"})), ExitUsage},
		{"compute: Nix code that does not evaluate", computeError(wrapped(&fod.EvalError{Entry: "nix/default.nix"})), ExitUsage},
		{"compute: a build that failed", computeError(errors.New("nix-build: exit status 1")), ExitFailure},
		{"run: some targets failed", runError(wrapped(&bot.PartialError{Report: &fod.Report{}})), ExitPartial},
		{"run: another run holds the lock", runError(wrapped(&runlock.HeldError{Path: "/repo"})), ExitLocked},
		{"run: a compute error keeps its code", runError(&fod.RequestError{Problems: []string{"x"}}), ExitUsage},
		{"run: interrupted", runError(context.Canceled), ExitFailure},
		{"fix --apply: results refused", fixError(&bot.ResultsError{Reason: "another head"}), ExitUsage},
		{"fix --apply: results that do not merge", fixError(&bot.ResultsError{Err: &fod.MergeError{Conflicts: []string{"src: a vs b"}}}), ExitUsage},
		{"fix --apply: a system's results missing, as for apply", fixError(&bot.ResultsError{Err: &fod.MergeError{Missing: []string{"vendor (aarch64-linux)"}}}), ExitPartial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
