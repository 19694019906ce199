package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/fod"
)

// parseOptions are the inputs of `hashbot parse`.
type parseOptions struct {
	IO *ioStreams
	// File is the build log to read; "" or "-" means standard input.
	File string
	// All also prints the results that are not mismatches.
	All bool
}

func newParseCmd(f *factory, runF func(*parseOptions) error) *cobra.Command {
	opts := &parseOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "parse [FILE]",
		Short: "Read Nix hash mismatches from a build log",
		Long: `Read a Nix build log from FILE, or standard input when FILE is absent or "-",
and print one JSON object per line for each hash mismatch, in log order:

  {"kind":"mismatch","path":"/nix/store/…-x.drv","specified":"sha256-…","got":"sha256-…","line":12}

Hashes are printed in SRI form. A mismatch from an evaluation-time fetcher
(builtins.fetchurl, fetchTarball) has kind "download-mismatch" and a "url"
instead of a path. With --all, the other results are printed too: kinds
"unavailable" (no builder for the derivation's system or features),
"build-failed" and "incomplete" (a mismatch header without its hash lines).

Text logs (plain or coloured) and --log-format internal-json logs of Nix
2.2 and later, Determinate Nix and Lix are understood. The exit status is 0
whenever the log was read, whatever it holds.`,
		Example: `  nix-build -A python-deps --keep-going 2> build.log; hashbot parse build.log
  nix-build --log-format internal-json … 2>&1 | hashbot parse --all`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("parse takes at most one FILE, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.File = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return parseRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "also print unavailable, build-failed and incomplete results")
	return cmd
}

// parseRun reads the log named by opts and writes the results to its
// standard output.
func parseRun(ctx context.Context, opts *parseOptions) error {
	name := opts.File
	var in io.Reader = opts.IO.In
	if name == "" || name == "-" {
		name = "standard input"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return usageErrorf("reading build log: %v", err)
		}
		defer f.Close()
		in = f
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetEscapeHTML(false)
	// The log is read in a goroutine so that an interrupt ends the command
	// even while a read blocks (a terminal, a pipe that never closes): the
	// reader is then left behind, and stopped keeps it from writing more.
	var (
		mu         sync.Mutex
		stopped    bool
		outErr     error
		incomplete int
	)
	done := make(chan error, 1)
	go func() {
		done <- fod.ParseLog(parseCtxReader{ctx: ctx, r: in}, func(r fod.Result) error {
			mu.Lock()
			defer mu.Unlock()
			if stopped {
				return context.Canceled
			}
			if r.Kind == fod.KindIncomplete {
				incomplete++
			}
			if !opts.All && r.Kind != fod.KindMismatch && r.Kind != fod.KindDownloadMismatch {
				return nil
			}
			if err := enc.Encode(r); err != nil {
				outErr = fmt.Errorf("writing results: %w", err)
			}
			return outErr
		})
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	stopped = true
	switch {
	case outErr != nil:
		return outErr
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return usageErrorf("%s: %v", name, err)
	}
	if incomplete > 0 && !opts.All {
		zerolog.Ctx(ctx).Warn().Int("incomplete", incomplete).Str("log", name).
			Msg("mismatch headers without hash lines (truncated log?); see --all")
	}
	return nil
}

// parseCtxReader stops reading once ctx is done, so that an interrupted
// parse of a long file does not read on in the background.
type parseCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c parseCtxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
