package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/hashbot-nix/hashbot/internal/safefile"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/webhook"
)

// serveOptions are the flags of `hashbot serve`.
type serveOptions struct {
	Listen          string
	SecretFile      string
	ShutdownTimeout time.Duration
	DryRun          bool
	Clone           string
}

func newServeCmd(g *globalOptions) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run hashbot when upstream tags a release (a GitHub webhook server)",
		Long: `serve listens for GitHub webhook deliveries from the upstream repository
(release published/released, tag created, tag pushed) and runs hashbot for
the announced version. POST /webhook takes deliveries, GET /healthz shows the
last run's outcome, GET /metrics counts deliveries.

The webhook secret comes from HASHBOT_WEBHOOK_SECRET or --webhook-secret-file
(never a flag); serve refuses to start without one and checks every
delivery's X-Hub-Signature-256 before reading it. One run at a time, at most
one waiting (the newest version wins). SIGTERM or SIGINT stops accepting,
lets the running job finish within --shutdown-timeout, then cancels it (and
its Nix builds) and exits 0; it exits 1 if the cancelled run has not
stopped 10 s later.

Pre-release tags are ignored unless [upstream] include-prereleases is set.`,
		Example: `  HASHBOT_WEBHOOK_SECRET=… GITHUB_TOKEN=… hashbot serve --listen 127.0.0.1:8080
  hashbot serve --webhook-secret-file /run/secrets/hashbot --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serveRun(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&opts.SecretFile, "webhook-secret-file", "", "file holding the webhook secret (else HASHBOT_WEBHOOK_SECRET)")
	f.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long a running job may finish after SIGTERM before it is cancelled")
	f.BoolVar(&opts.DryRun, "dry-run", false, "run everything but the push and the pull request")
	f.StringVar(&opts.Clone, "clone", "", "clone this packaging repository (shallow) into the state dir and work there")
	return cmd
}

// secretEnv names the environment variable holding the webhook secret.
const secretEnv = "HASHBOT_WEBHOOK_SECRET"

// webhookSecret reads the secret from the file, else the environment (read
// by Main, which took it out of the process's environment), and adds it to
// the secrets every output is masked for.
func (g *globalOptions) webhookSecret(file string) ([]byte, error) {
	secret := g.env.WebhookSecret
	if file != "" {
		data, err := safefile.ReadRegular(file, 0)
		if err != nil {
			return nil, usageErrorf("reading --webhook-secret-file: %v", err)
		}
		secret = strings.TrimRight(string(data), "\r\n")
	}
	g.secrets.Add(secret)
	return []byte(secret), nil
}

func serveRun(ctx context.Context, g *globalOptions, opts *serveOptions) error {
	if opts.ShutdownTimeout <= 0 {
		return usageErrorf("--shutdown-timeout %s: must be more than 0", opts.ShutdownTimeout)
	}
	secret, err := g.webhookSecret(opts.SecretFile)
	if err != nil {
		return err
	}
	if len(secret) == 0 {
		return usageErrorf("no webhook secret: set %s or --webhook-secret-file (serve never accepts unsigned deliveries)", secretEnv)
	}
	cfg, b, err := g.loadBot(ctx, opts.Clone, !opts.DryRun)
	if err != nil {
		return err
	}
	srv, err := webhook.New(webhook.Options{
		Secret: secret, UpstreamRepo: cfg.Upstream.Repo, TagPrefix: cfg.Upstream.TagPrefix,
		IncludePrereleases: cfg.Upstream.IncludePrereleases,
		Runner: webhook.RunnerFunc(func(ctx context.Context, job webhook.Job) (webhook.Outcome, error) {
			out, err := b.Run(ctx, bot.RunOptions{Version: job.Version, DryRun: opts.DryRun, Command: "hashbot serve", OnlyNewer: true, WaitForLock: true})
			return webhookOutcome(out), err
		}),
		Log:             g.log,
		ShutdownTimeout: opts.ShutdownTimeout,
		Redact:          g.secrets.String,
	})
	if err != nil {
		return usageError(err)
	}
	g.log.Info().Str("upstream", cfg.Upstream.Repo).Bool("dry_run", opts.DryRun).Msg("starting hashbot serve")
	// ListenAndServe's errors name the address already. A signal before the
	// listener is up is a clean stop; a shutdown that had to abandon a stuck
	// run is an error (exit 1).
	if err := srv.ListenAndServe(ctx, opts.Listen); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func webhookOutcome(out *bot.Outcome) webhook.Outcome {
	if out == nil {
		return webhook.Outcome{Status: "failed"}
	}
	o := webhook.Outcome{Status: string(out.Status), Detail: fmt.Sprintf("%s -> %s", out.Pinned, out.Candidate)}
	if out.Status == "" {
		o.Status = "failed"
	}
	if out.PR != nil {
		o.PullRequestURL = out.PR.URL
	}
	return o
}
