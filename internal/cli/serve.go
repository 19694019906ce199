package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/hashbot-nix/hashbot/internal/bot"
	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/upstream"
	"github.com/hashbot-nix/hashbot/internal/webhook"
)

// serveOptions are the flags of `hashbot serve` and what it runs with.
type serveOptions struct {
	Factory *factory

	Listen          string
	SecretFile      string
	ShutdownTimeout time.Duration
	DryRun          bool
	Clone           string
	Poll            time.Duration
	Mirrors         []string
	Relays          []string
	DispatchType    string
}

func newServeCmd(f *factory, runF func(*serveOptions) error) *cobra.Command {
	opts := &serveOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run hashbot when upstream tags a release, or fix a pull request (a GitHub webhook server)",
		Long: `serve listens for GitHub webhook deliveries from the upstream repository
(release published/released, tag created, tag pushed) and runs hashbot for
the announced version. POST /webhook takes deliveries, GET /healthz shows the
last run's outcome, GET /metrics counts deliveries.

The webhook secret comes from HASHBOT_WEBHOOK_SECRET or --webhook-secret-file
(never a flag); serve refuses to start without one and checks every
delivery's X-Hub-Signature-256 before reading it. One run at a time; the
newest version waiting runs next, and an older one waiting is dropped only
once a run at least as new succeeded (versions older than the pinned one
change nothing). SIGTERM or SIGINT stops accepting,
lets the running job finish within --shutdown-timeout, then cancels it (and
its Nix builds) and exits 0; it exits 1 if the cancelled run has not
stopped 10 s later.

Pre-release tags are ignored unless [upstream] include-prereleases is set.

Only the owner of the upstream repository can send its webhooks. For an
upstream you do not own: --poll INTERVAL looks at its releases (or branch)
and every [source] with conditional requests (304s cost no rate limit) and
queues a run when one moved, through the same queue; --mirror names a
repository you own that pushes the upstream's tags (its deliveries count
like the upstream's); --relay names a repository whose repository_dispatch
of type --dispatch-type with {"client_payload": {"version": "…"}} announces
a version. With --poll and no webhook secret, POST /webhook accepts
nothing. A run that fails forgets its deliveries, so a manual redelivery
runs again.

With [fix] enabled = true in hashbot.toml, a pull_request delivery (opened,
synchronize, reopened) of the packaging repository ([pull-request] repo, or
the remote's) queues "hashbot fix" for that pull request through the same
queue, after the waiting versions; a fork's pull request gets a comment
instead of a push. Such a fix runs the pull request's Nix code in this
process (docs/fix.md: trust). A repository without [upstream] can be
served this way, without --poll, --mirror or --relay.`,
		Example: `  HASHBOT_WEBHOOK_SECRET=… GITHUB_TOKEN=… hashbot serve --listen 127.0.0.1:8080
  hashbot serve --webhook-secret-file /run/secrets/hashbot --dry-run
  GITHUB_TOKEN=… hashbot serve --poll 15m              # an upstream you do not own
  hashbot serve --relay me/authentik-nix --mirror me/authentik-mirror`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.ShutdownTimeout <= 0 {
				return usageErrorf("--shutdown-timeout %s: must be more than 0", opts.ShutdownTimeout)
			}
			if opts.Poll < 0 {
				return usageErrorf("--poll %s: must be 0 (off) or more", opts.Poll)
			}
			if err := checkCloneFlag(opts.Clone); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&opts.SecretFile, "webhook-secret-file", "", "file holding the webhook secret (else HASHBOT_WEBHOOK_SECRET)")
	fl.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long a running job may finish after SIGTERM before it is cancelled")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "run everything but the push and the pull request")
	fl.StringVar(&opts.Clone, "clone", "", "clone this packaging repository (shallow) into the state dir and work there")
	fl.DurationVar(&opts.Poll, "poll", 0, "look at the upstream and the sources every INTERVAL and run when one moved (0: only webhooks)")
	fl.StringArrayVar(&opts.Mirrors, "mirror", nil, "owner/name of a mirror whose tag and release deliveries count like the upstream's (repeatable)")
	fl.StringArrayVar(&opts.Relays, "relay", nil, "owner/name whose repository_dispatch deliveries announce a version (repeatable)")
	fl.StringVar(&opts.DispatchType, "dispatch-type", "upstream-release", "the repository_dispatch event type relays send")
	return cmd
}

// webhookSecret reads the secret from the file, else the environment (read
// by Main, which took it out of the process's environment), and adds it to
// the secrets every output is masked for.
func (f *factory) webhookSecret(file string) ([]byte, error) {
	secret := f.env.WebhookSecret
	if file != "" {
		data, err := f.readSecretFile("--webhook-secret-file", file)
		if err != nil {
			return nil, err
		}
		secret = strings.TrimRight(string(data), "\r\n")
	}
	f.secrets.Add(secret)
	return []byte(secret), nil
}

func serveRun(ctx context.Context, opts *serveOptions) error {
	f := opts.Factory
	log := zerolog.Ctx(ctx)
	secret, err := f.webhookSecret(opts.SecretFile)
	if err != nil {
		return err
	}
	if len(secret) == 0 {
		if opts.Poll == 0 {
			return usageErrorf("no webhook secret: set %s or --webhook-secret-file (serve never accepts unsigned deliveries), or watch with --poll", secretEnv)
		}
		// Polling only: a secret nobody knows, so POST /webhook takes
		// nothing.
		if secret, err = randomSecret(); err != nil {
			return err
		}
		log.Info().Msg("no webhook secret: polling only, POST /webhook accepts no delivery")
	}
	if err := f.clone(ctx, opts.Clone); err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	// A fix reads the pull request from GitHub even in a dry run, as
	// `hashbot fix --dry-run` does; the dry run still pushes nothing.
	cfg, b, err := f.loadBot(ctx, !opts.DryRun || cfg.Fix.Enabled)
	if err != nil {
		return err
	}
	fixRepo, err := serveFixRepo(ctx, f, cfg, opts)
	if err != nil {
		return err
	}
	wo := webhook.Options{
		Secret: secret, UpstreamRepo: cfg.Upstream.Repo, TagPrefix: cfg.Upstream.TagPrefix, FixRepo: fixRepo, FixBase: cfg.PullRequest.Base,
		IncludePrereleases: cfg.Upstream.IncludePrereleases,
		Mirrors:            opts.Mirrors, Relays: opts.Relays, DispatchType: opts.DispatchType,
		Runner: webhook.RunnerFunc(func(ctx context.Context, job webhook.Job) (webhook.Outcome, error) {
			if job.BaseMoved {
				out, err := b.RefreshFixes(ctx, bot.RefreshRequest{DryRun: opts.DryRun})
				return refreshOutcome(out), err
			}
			if job.PullRequest > 0 {
				out, err := b.Fix(ctx, bot.FixRequest{Number: job.PullRequest, DryRun: opts.DryRun})
				return fixOutcome(out), err
			}
			out, err := b.Run(ctx, bot.RunOptions{Version: job.Version, DryRun: opts.DryRun, Command: "hashbot serve", OnlyNewer: true, WaitForLock: true})
			return webhookOutcome(out), err
		}),
		Log:             *log,
		ShutdownTimeout: opts.ShutdownTimeout,
		Redact:          f.secrets.String,
	}
	if opts.Poll > 0 {
		gh, _, err := f.gitHub(ctx) // the bot's
		if err != nil {
			return err
		}
		wo.Watch, wo.PollInterval = upstreamWatcher{upstream.New(upstream.Options{Client: gh}), cfg}, opts.Poll
	}
	srv, err := webhook.New(wo)
	if err != nil {
		return usageError(err)
	}
	log.Info().Str("upstream", cfg.Upstream.Repo).Str("fix", fixRepo).Bool("dry_run", opts.DryRun).Dur("poll", opts.Poll).
		Strs("mirrors", opts.Mirrors).Strs("relays", opts.Relays).Msg("starting hashbot serve")
	// ListenAndServe's errors name the address already. A signal before the
	// listener is up is a clean stop; a shutdown that had to abandon a stuck
	// run is an error (exit 1).
	if err := srv.ListenAndServe(ctx, opts.Listen); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// serveFixRepo is the packaging repository whose pull requests serve
// fixes: "" unless [fix] enabled. A configuration without [upstream] is
// served only with [fix] enabled, and then without the flags that follow
// an upstream.
func serveFixRepo(ctx context.Context, f *factory, cfg *config.Config, opts *serveOptions) (string, error) {
	if !cfg.Fix.Enabled {
		return "", usageErrorIf(cfg.RequireUpstream())
	}
	if !cfg.HasUpstream() && (opts.Poll > 0 || len(opts.Mirrors) > 0 || len(opts.Relays) > 0) {
		return "", usageErrorf("--poll, --mirror and --relay follow an upstream, and %s has no [upstream] repo", config.FileName)
	}
	owner, name, err := f.packagingRepo(ctx)
	if err != nil {
		return "", err
	}
	return owner + "/" + name, nil
}

// usageErrorIf is usageError(err), or nil for a nil err.
func usageErrorIf(err error) error {
	if err == nil {
		return nil
	}
	return usageError(err)
}

// fixOutcome is what /healthz shows of a fix serve ran.
func fixOutcome(out *bot.FixOutcome) webhook.Outcome {
	if out == nil || out.Status == "" {
		return webhook.Outcome{Status: "failed"}
	}
	o := webhook.Outcome{Status: string(out.Status), Detail: fmt.Sprintf("pull request #%d", out.PullRequest)}
	switch {
	case out.Commit != "":
		o.Detail += fmt.Sprintf(": pushed %.12s onto %s", out.Commit, out.Branch)
	case out.Comment != "":
		o.Detail += ": commented the change (a fork): " + out.Comment
	}
	return o
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

// upstreamWatcher is serve --poll's look at the upstream and the sources
// of the configuration serve started with.
type upstreamWatcher struct {
	checker *upstream.Checker
	cfg     *config.Config
}

// Watch implements webhook.Watcher.
func (w upstreamWatcher) Watch(ctx context.Context) (webhook.Watched, error) {
	h, err := w.checker.Heads(ctx, w.cfg)
	if err != nil {
		return webhook.Watched{}, err
	}
	return webhook.Watched{State: h.State(), Version: h.Version}, nil
}

// randomSecret is a webhook secret no one knows.
func randomSecret() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("making a webhook secret: %w", err)
	}
	return b, nil
}
