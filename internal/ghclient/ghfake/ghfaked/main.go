// Command ghfaked serves ghfake, the stand-in for GitHub's REST API that
// hashbot's tests use, as a program: `make demo` points hashbot at it to run
// `hashbot run --dry-run` offline, where GitHub is not reachable.
//
// It serves one upstream repository whose releases are the files of local
// directories, oldest first (the last one is the newest release):
//
//	ghfaked --listen 127.0.0.1:0 --repo hashbot-nix/example-app \
//	    --release v1.0.0=examples/upstream --release v1.1.0=/tmp/upstream-1.1.0
//
// Each --release TAG=DIR publishes a release at TAG whose files (for the
// contents API) are every file under DIR. --pr-repo OWNER/NAME adds a
// packaging repository (default branch "main") that takes pull requests.
//
// The first line on stdout is the API root URL, for GITHUB_API_URL; nothing
// else is written there. Start it in the background and wait for that line:
//
//	ghfaked --repo … --release … > "$tmp/ghfaked.url" &
//	until [ -s "$tmp/ghfaked.url" ]; do sleep 0.1; done
//	GITHUB_API_URL=$(head -n1 "$tmp/ghfaked.url") hashbot run --dry-run --repo …
//	kill $!
//
// Requests are logged to stderr. It serves until SIGINT or SIGTERM, then
// exits 0; bad flags exit 2, an unreadable release directory or a busy
// address 1. It is a development tool; hashbot itself never starts it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

// releaseFlags collects repeated --release TAG=DIR values.
type releaseFlags []release

type release struct{ tag, dir string }

func (r *releaseFlags) String() string { return fmt.Sprint(*r) }

func (r *releaseFlags) Set(v string) error {
	tag, dir, ok := strings.Cut(v, "=")
	if !ok || tag == "" || dir == "" {
		return fmt.Errorf("want TAG=DIR, got %q", v)
	}
	*r = append(*r, release{tag, dir})
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx ends and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ghfaked", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (port 0: a free one)")
	repo := fs.String("repo", "", "upstream repository owner/name the releases belong to (required)")
	prRepo := fs.String("pr-repo", "", "packaging repository owner/name that accepts pull requests (optional)")
	var releases releaseFlags
	fs.Var(&releases, "release", "TAG=DIR: a release at TAG serving the files under DIR (repeatable, oldest first)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !strings.Contains(*repo, "/") || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "ghfaked: --repo owner/name is required and no arguments are taken")
		fs.Usage()
		return 2
	}
	if err := serve(ctx, *listen, *repo, *prRepo, releases, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "ghfaked: %v\n", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, listen, repo, prRepo string, releases []release, stdout, stderr io.Writer) error {
	srv, err := ghfake.StartAt(listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.AddRepo(repo, "")
	for _, rel := range releases {
		if err := srv.AddDir(repo, rel.tag, rel.dir); err != nil {
			return fmt.Errorf("release %s: %w", rel.tag, err)
		}
		srv.AddRelease(repo, ghfake.Release{Tag: rel.tag})
	}
	if prRepo != "" {
		srv.AddRepo(prRepo, "main")
	}
	srv.Intercept(func(_ http.ResponseWriter, r *http.Request) bool {
		fmt.Fprintf(stderr, "ghfaked: %s %s\n", r.Method, r.URL.RequestURI())
		return false
	})
	fmt.Fprintln(stdout, srv.URL)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "ghfaked: stopping")
	return nil
}
