package ghclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// DefaultBaseURL is GitHub's REST API endpoint.
const DefaultBaseURL = "https://api.github.com/"

// Defaults used when the matching Options field is zero.
const (
	DefaultMaxRetries = 3
	DefaultTimeout    = 60 * time.Second
	DefaultRetryBase  = 500 * time.Millisecond
	DefaultCacheTTL   = 30 * 24 * time.Hour
)

// Options configure New.
type Options struct {
	// BaseURL is the REST API root, e.g. https://api.github.com or
	// https://ghe.example.com/api/v3 (GITHUB_API_URL). "" means GitHub.com.
	BaseURL string
	// Token authenticates the requests when not empty. It is optional:
	// public repositories can be read without one, at a lower rate limit.
	Token string
	// TokenSource, when set instead of Token, gives the token for each
	// request (a GitHub App's installation token, renewed as it expires:
	// ghapp.Tokens.Token). It is asked only for requests to the API host.
	TokenSource func(ctx context.Context) (string, error)
	// StateDir keeps the conditional-request cache (under StateDir/http).
	// "" disables the disk cache.
	StateDir string
	// CacheTTL removes cache entries unused for this long when New runs.
	// 0 means DefaultCacheTTL.
	CacheTTL time.Duration
	// HTTPClient supplies the underlying transport; nil uses
	// http.DefaultTransport.
	HTTPClient *http.Client
	// MaxRateLimitWait is the longest hashbot sleeps for a rate limit to
	// reset before failing with *RateLimitError. 0 never waits.
	MaxRateLimitWait time.Duration
	// MaxRetries bounds the retries of a failed request (5xx, timeout,
	// dropped connection). 0 means DefaultMaxRetries; negative disables.
	MaxRetries int
	// RetryBase is the first backoff step (doubled after each failure,
	// with jitter). 0 means DefaultRetryBase.
	RetryBase time.Duration
	// Timeout bounds one attempt, from sending the request to reading the
	// whole body. 0 means DefaultTimeout.
	Timeout time.Duration
	// Sleep waits for d or until ctx is done; tests replace it. nil sleeps.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now tells the time; tests replace it. nil is time.Now.
	Now func() time.Time
}

// New returns a go-github client with the caching, retrying, rate-limit
// aware transport described in the package comment, and the Stats it counts
// its requests in.
func New(opts Options) (*github.Client, *Stats, error) {
	opts = opts.withDefaults()
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	inner := http.DefaultTransport
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
		if hc.Transport != nil {
			inner = hc.Transport
		}
	}
	stats := &Stats{}
	var rt http.RoundTripper = &retryTransport{next: inner, opts: opts, stats: stats}
	if opts.StateDir != "" {
		dir := filepath.Join(opts.StateDir, "http")
		rt = &cacheTransport{next: rt, dir: dir, prune: func() int { return pruneCache(dir, opts.Now(), opts.CacheTTL) }}
	}
	switch token := strings.TrimSpace(opts.Token); {
	case opts.TokenSource != nil:
		rt = &authTransport{next: rt, source: opts.TokenSource, scheme: base.Scheme, host: base.Host}
	case token != "":
		rt = &authTransport{next: rt, token: token, scheme: base.Scheme, host: base.Host}
	}
	hc.Transport = &ownRateLimits{next: rt}
	client := github.NewClient(&hc)
	client.BaseURL = base
	client.UploadURL = base
	client.UserAgent = "hashbot"
	return client, stats, nil
}

func (o Options) withDefaults() Options {
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.Sleep == nil {
		o.Sleep = sleepContext
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// parseBaseURL checks the API root and gives it the trailing slash go-github
// needs. Unlike go-github's WithEnterpriseURLs it adds no /api/v3/: the value
// comes from GITHUB_API_URL, which already holds the full root.
func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the whole input in its error; it may hold credentials.
		return nil, fmt.Errorf("GitHub API URL: not a URL; want an http(s) URL such as %s", DefaultBaseURL)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("GitHub API URL %q: want an http(s) URL such as %s", u.Redacted(), DefaultBaseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.User = nil
	return u, nil
}

// WebURL returns the web root that matches a client's API root:
// https://github.com for api.github.com, the host without /api/v3 for
// GitHub Enterprise Server, SUBDOMAIN.ghe.com for GitHub Enterprise Cloud
// with data residency (api.SUBDOMAIN.ghe.com), and the API root itself
// otherwise (test servers).
func WebURL(c *github.Client) string {
	u := *c.BaseURL
	switch {
	case u.Host == "api.github.com":
		return "https://github.com"
	case strings.HasSuffix(u.Path, "/api/v3/"):
		u.Path = strings.TrimSuffix(u.Path, "api/v3/")
	case strings.HasPrefix(u.Host, "api.") && strings.HasSuffix(u.Host, ".ghe.com"):
		u.Host = strings.TrimPrefix(u.Host, "api.")
	}
	return strings.TrimSuffix(u.String(), "/")
}

// authTransport adds the token to requests for the API host it was
// configured for, over the scheme it was configured with, and to no other:
// a redirect to another host or port, or from https to http, goes there
// without it (the transport sees every hop, so it decides on each). It is
// the outermost layer, so the cache below sees the Authorization header (to
// tell which token an ETag was issued to) and no error below it can contain
// the token.
type authTransport struct {
	next         http.RoundTripper
	token        string
	source       func(ctx context.Context) (string, error) // instead of token
	scheme, host string
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if req.URL.Scheme == t.scheme && strings.EqualFold(req.URL.Host, t.host) {
		token := t.token
		if t.source != nil {
			var err error
			if token, err = t.source(req.Context()); err != nil {
				return nil, fmt.Errorf("authenticating to GitHub: %w", err)
			}
		}
		req.Header.Set("Authorization", "Bearer "+token)
	} else {
		req.Header.Del("Authorization")
	}
	return t.next.RoundTrip(req)
}

// ownRateLimits marks every answer with X-From-Cache, which go-github takes
// for "served by an HTTP cache" and so does not record the answer's
// rate-limit headers. Otherwise, once an answer says the quota is used up,
// go-github refuses every later request by itself until the reset ("not
// making remote request"), and retryTransport never gets to wait for a
// reset that is within Options.MaxRateLimitWait. Response.Rate is still
// filled in from the headers.
type ownRateLimits struct {
	next http.RoundTripper
}

func (t *ownRateLimits) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		resp.Header.Set(fromCacheHeader, "1")
	}
	return resp, err
}

// fromCacheHeader is the header go-github checks before recording a rate.
const fromCacheHeader = "X-From-Cache"

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
