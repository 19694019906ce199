// Package cli holds hashbot's cobra commands: flag parsing into option
// structs, output formatting and the mapping of errors to exit codes. The
// work itself lives in the engines under internal/; nothing there imports cli.
//
// The commands are built the way cli/cli builds gh's: newXCmd(f, runF)
// fills an xOptions from the flags and arguments, checks what needs no I/O,
// and calls runF when a test gave one, else xRun(ctx, opts). The factory f
// builds the engines a run needs, on first use; the environment is read
// once, in Main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// Version is hashbot's version, set at link time with
// -ldflags "-X github.com/hashbot-nix/hashbot/internal/cli.Version=…".
var Version = "dev"

// Main runs hashbot with args and returns the process exit code. Every byte
// it writes to stdout and stderr has the secrets it holds masked.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := newFactory(readEnvironment(), stdin, stdout, stderr)
	stdout, stderr = f.IO.Out, f.IO.ErrOut
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "hashbot: interrupted")
		return ExitInterrupted
	case !errors.As(err, &ee):
		if !f.started {
			err = usageError(err)
		}
	case ee.Err == nil:
		return ee.Code // the command already said why
	}
	fmt.Fprintf(stderr, "hashbot: %v\n", err)
	return exitCode(err)
}

func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "hashbot",
		Short: "Keep the fixed-output derivation hashes of a Nix packaging repo current",
		Long: `hashbot watches an upstream project's releases, finds which fixed-output
derivations (FODs) of a Nix packaging repository went stale, recomputes their
hashes for every platform in one Nix build, and opens one pull request.

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.setup(cmd)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&f.Repo, "repo", ".", "packaging repository (the directory holding hashbot.toml)")
	pf.StringVar(&f.StateDir, "state-dir", "", "state directory for caches and locks (default: the user cache dir)")
	pf.StringVar(&f.LogFormat, "log-format", "", "log format: console or json (default: console on a terminal, json otherwise)")
	pf.StringVar(&f.LogLevel, "log-level", "info", "log level: debug, info, warn or error")

	root.AddCommand(
		newRunCmd(f, nil),
		newFixCmd(f, nil),
		newCheckCmd(f, nil),
		newUpdateCmd(f, nil),
		newApplyCmd(f, nil),
		newParseCmd(f, nil),
		newInitCmd(f, nil),
		newServeCmd(f, nil),
		newVersionCmd(f, nil),
	)
	return root
}

// setup applies HASHBOT_* environment defaults to flags not given on the
// command line and builds the logger. Flags win over the environment.
func (f *factory) setup(cmd *cobra.Command) error {
	for _, name := range []string{"repo", "state-dir", "log-format", "log-level"} {
		flag := cmd.Flags().Lookup(name)
		if flag == nil || flag.Changed {
			continue
		}
		env := "HASHBOT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if v, ok := f.env.lookup(env); ok {
			if err := flag.Value.Set(v); err != nil {
				return usageErrorf("%s=%q: %v", env, v, err)
			}
		}
	}
	log, err := newLogger(f.IO.ErrOut, f.IO.ErrTTY, f.LogFormat, f.LogLevel)
	if err != nil {
		return usageError(err)
	}
	f.log = log
	// The engines take their logger from the context (zerolog.Ctx).
	cmd.SetContext(log.WithContext(cmd.Context()))
	f.started = true
	return nil
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// newLogger returns a console logger on a terminal (tty) and a JSON logger
// otherwise, unless format names one.
func newLogger(w io.Writer, tty bool, format, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	if format == "" {
		format = "json"
		if tty {
			format = "console"
		}
	}
	switch format {
	case "json":
		return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
	case "console":
		cw := zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05"}
		return zerolog.New(cw).Level(lvl).With().Timestamp().Logger(), nil
	default:
		return zerolog.Nop(), fmt.Errorf("--log-format %q: want console or json", format)
	}
}

// versionOptions are the inputs of `hashbot version`.
type versionOptions struct {
	IO *ioStreams
}

func newVersionCmd(f *factory, runF func(*versionOptions) error) *cobra.Command {
	opts := &versionOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "version",
		Short: "Print hashbot's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *versionOptions) error {
	_, err := fmt.Fprintf(opts.IO.Out, "hashbot %s\n", Version)
	return err
}
