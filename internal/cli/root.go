// Package cli holds hashbot's cobra commands: flag parsing into option
// structs, output formatting and the mapping of errors to exit codes. The
// work itself lives in the engines under internal/; nothing there imports cli.
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

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/redact"
)

// Version is hashbot's version, set at link time with
// -ldflags "-X github.com/hashbot-nix/hashbot/internal/cli.Version=…".
var Version = "dev"

// globalOptions are the flags every command shares.
type globalOptions struct {
	Repo      string
	StateDir  string
	LogFormat string
	LogLevel  string

	stdin  io.Reader
	stdout io.Writer // masks every secret (redact)
	stderr io.Writer // masks every secret (redact)
	// stderrTTY is true when standard error is a terminal (the console log
	// format is the default there).
	stderrTTY bool
	env       environment
	secrets   *redact.Secrets
	log       zerolog.Logger
	// ghStats counts the requests of the GitHub client newBot made, for
	// commands that report them.
	ghStats *ghclient.Stats
	// tokens, once newBot has made it, is the GitHub App's installation
	// token source: the API and git take their token from it.
	tokens func(ctx context.Context) (string, error)
	// started is set once flags and arguments were accepted: an error
	// before that (an unknown command, a wrong argument count) is a usage
	// error.
	started bool
}

// environment is what hashbot takes from its environment, read once, in
// Main: everything else gets it from here.
type environment struct {
	// Token is GITHUB_TOKEN: the API's and https pushes' credential.
	Token string
	// APIURL is GITHUB_API_URL (GitHub Enterprise; Actions sets it).
	APIURL string
	// WebhookSecret is HASHBOT_WEBHOOK_SECRET, taken out of the process's
	// environment so that no child (git, Nix) inherits it.
	WebhookSecret string
	// AppID, AppKey (HASHBOT_APP_PRIVATE_KEY, the PEM itself, taken out
	// of the environment like the webhook secret), AppKeyFile
	// (HASHBOT_APP_PRIVATE_KEY_FILE) and AppInstallation authenticate as
	// a GitHub App instead of GITHUB_TOKEN.
	AppID, AppKey, AppKeyFile, AppInstallation string
}

// Environment variables of the GitHub App credentials.
const (
	appIDEnv           = "HASHBOT_APP_ID"
	appKeyEnv          = "HASHBOT_APP_PRIVATE_KEY"
	appKeyFileEnv      = "HASHBOT_APP_PRIVATE_KEY_FILE"
	appInstallationEnv = "HASHBOT_APP_INSTALLATION_ID"
)

// readEnvironment reads the environment hashbot uses.
func readEnvironment() environment {
	env := environment{
		Token:           strings.TrimSpace(os.Getenv("GITHUB_TOKEN")),
		APIURL:          os.Getenv("GITHUB_API_URL"),
		WebhookSecret:   os.Getenv(secretEnv),
		AppID:           strings.TrimSpace(os.Getenv(appIDEnv)),
		AppKey:          os.Getenv(appKeyEnv),
		AppKeyFile:      os.Getenv(appKeyFileEnv),
		AppInstallation: strings.TrimSpace(os.Getenv(appInstallationEnv)),
	}
	_ = os.Unsetenv(secretEnv)
	_ = os.Unsetenv(appKeyEnv)
	return env
}

// Main runs hashbot with args and returns the process exit code. Every byte
// it writes to stdout and stderr has the secrets it holds masked.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := readEnvironment()
	secrets := redact.New(env.Token, env.WebhookSecret, env.AppKey)
	g := &globalOptions{stdin: stdin, stdout: secrets.Writer(stdout), stderr: secrets.Writer(stderr),
		stderrTTY: isTerminal(stderr), env: env, secrets: secrets}
	stdout, stderr = g.stdout, g.stderr
	root := newRootCmd(g)
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
		if !g.started {
			err = usageError(err)
		}
	case ee.Err == nil:
		return ee.Code // the command already said why
	}
	fmt.Fprintf(stderr, "hashbot: %v\n", err)
	return exitCode(err)
}

func newRootCmd(g *globalOptions) *cobra.Command {
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
			return g.setup(cmd)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&g.Repo, "repo", ".", "packaging repository (the directory holding hashbot.toml)")
	pf.StringVar(&g.StateDir, "state-dir", "", "state directory for caches and locks (default: the user cache dir)")
	pf.StringVar(&g.LogFormat, "log-format", "", "log format: console or json (default: console on a terminal, json otherwise)")
	pf.StringVar(&g.LogLevel, "log-level", "info", "log level: debug, info, warn or error")

	root.AddCommand(
		newRunCmd(g),
		newCheckCmd(g),
		newUpdateCmd(g),
		newApplyCmd(g),
		newParseCmd(g),
		newServeCmd(g),
		newVersionCmd(g),
	)
	return root
}

// setup applies HASHBOT_* environment defaults to flags not given on the
// command line and builds the logger. Flags win over the environment.
func (g *globalOptions) setup(cmd *cobra.Command) error {
	for _, name := range []string{"repo", "state-dir", "log-format", "log-level"} {
		f := cmd.Flags().Lookup(name)
		if f == nil || f.Changed {
			continue
		}
		env := "HASHBOT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := f.Value.Set(v); err != nil {
				return usageErrorf("%s=%q: %v", env, v, err)
			}
		}
	}
	log, err := newLogger(g.stderr, g.stderrTTY, g.LogFormat, g.LogLevel)
	if err != nil {
		return usageError(err)
	}
	g.log = log
	// The engines take their logger from the context (zerolog.Ctx).
	cmd.SetContext(log.WithContext(cmd.Context()))
	g.started = true
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

func newVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hashbot's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(g.stdout, "hashbot %s\n", Version)
			return err
		},
	}
}
