package ghclient_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

// A quota that runs out on a successful answer must be waited out like one
// that runs out on a refusal: go-github's own "limit still exceeded, not
// making remote request" shortcut must not bypass MaxRateLimitWait.
func TestQuotaExhaustedByASuccessIsWaitedOut(t *testing.T) {
	e := newEnv(t)
	reset := time.Now().Add(30 * time.Second)
	var n atomic.Int64
	e.srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		switch n.Add(1) {
		case 1: // the last request of the quota succeeds
			ghfake.RateHeaders(w.Header(), 0, reset)
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("[]"))
			return true
		case 2: // the next one is refused until the reset
			primaryLimit(reset)(w, r)
			return true
		}
		return false
	})
	var mu sync.Mutex
	var slept []time.Duration
	c, _ := e.client(t, func(o *ghclient.Options) {
		o.Now = time.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			slept = append(slept, d)
			return ctx.Err()
		}
	})
	for i := range 2 {
		if _, err := listReleases(t, c); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if diff := cmp.Diff([]int{200, 403, 200}, statuses(e.srv.Requests())); diff != "" {
		t.Errorf("server statuses (-want +got):\n%s", diff)
	}
	if len(slept) != 1 || slept[0] < 25*time.Second || slept[0] > 32*time.Second {
		t.Errorf("sleeps = %v, want one wait of about 30s for the reset", slept)
	}
}

func TestPatchIsNotRetriedAfter5xx(t *testing.T) {
	e := newEnv(t)
	e.srv.Intercept(failFirst(100, status(http.StatusBadGateway)))
	c, _ := e.client(t, nil)
	_, _, err := c.PullRequests.Edit(t.Context(), "goauthentik", "authentik", 1, &github.PullRequest{Title: github.String("x")})
	if err == nil || len(e.srv.Requests()) != 1 {
		t.Errorf("err = %v after %d requests; want one failed request (PATCH is not idempotent)", err, len(e.srv.Requests()))
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOnlyTransientFailuresAreRetried(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		attempts int64
	}{
		{"a reset connection", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, 3},
		{"a refused connection", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, 3},
		{"an unknown host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "ghe.invalid", IsNotFound: true}}, 1},
		{"a certificate GitHub will not stop sending", errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			rt := roundTripFunc(func(*http.Request) (*http.Response, error) { n.Add(1); return nil, tt.err })
			c, _, err := ghclient.New(ghclient.Options{
				BaseURL: "https://ghe.invalid/api/v3", HTTPClient: &http.Client{Transport: rt}, MaxRetries: 2,
				Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := listReleases(t, c); err == nil {
				t.Fatal("want an error")
			}
			if got := n.Load(); got != tt.attempts {
				t.Errorf("%d attempts, want %d", got, tt.attempts)
			}
		})
	}
}
