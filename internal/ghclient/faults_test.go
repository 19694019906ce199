package ghclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

func mustURL(t *testing.T) *url.URL {
	u, err := url.Parse("https://api.github.com/repos/o/r/releases")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// failFirst answers the first n requests with fault, then lets the server answer.
func failFirst(n int64, fault func(w http.ResponseWriter, r *http.Request)) ghfake.Hook {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) bool {
		if seen.Add(1) > n {
			return false
		}
		fault(w, r)
		return true
	}
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		ghfake.WriteError(w, code, http.StatusText(code), "https://docs.github.com/rest")
	}
}

func primaryLimit(reset time.Time) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		ghfake.RateHeaders(w.Header(), 0, reset)
		ghfake.WriteError(w, http.StatusForbidden, "API rate limit exceeded for 203.0.113.7.",
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
	}
}

func secondaryLimit(retryAfter string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		ghfake.WriteError(w, http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
	}
}

func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestFaults(t *testing.T) {
	t0 := newClock().Now()
	tests := []struct {
		name      string
		hook      ghfake.Hook
		opts      func(*ghclient.Options)
		wantErr   string // "" = success
		wantSleep []time.Duration
		wantCodes []int // statuses the server logged; 0 = connection dropped / timed out
		check     func(t *testing.T, err error)
	}{
		{
			name: "a 502 is retried", hook: failFirst(1, status(http.StatusBadGateway)),
			wantCodes: []int{502, 200},
		},
		{
			name: "5xx until the retries run out fails with GitHub's answer", hook: failFirst(100, status(http.StatusBadGateway)),
			opts: func(o *ghclient.Options) { o.MaxRetries = 2 }, wantCodes: []int{502, 502, 502},
			wantErr: "502 Bad Gateway",
		},
		{
			name: "a dropped connection is retried", hook: failFirst(1, hangUp),
			wantCodes: []int{0, 200},
		},
		{
			name: "a slow answer past the timeout is retried",
			hook: failFirst(1, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			}),
			opts:      func(o *ghclient.Options) { o.Timeout = 100 * time.Millisecond },
			wantCodes: []int{0, 200},
		},
		{
			name: "a primary limit that resets soon is waited out", hook: failFirst(1, primaryLimit(t0.Add(30*time.Second))),
			wantSleep: []time.Duration{31 * time.Second}, wantCodes: []int{403, 200},
		},
		{
			name: "a primary limit beyond the bound fails with when to retry", hook: failFirst(1, primaryLimit(t0.Add(40*time.Minute))),
			wantCodes: []int{403},
			wantErr:   "GitHub primary rate limit (5000 requests/hour) exceeded; retry after 2026-04-07T15:40:00Z (in 40m1s)",
			check: func(t *testing.T, err error) {
				var rl *ghclient.RateLimitError
				if !errors.As(err, &rl) || !rl.Reset.Equal(t0.Add(40*time.Minute)) || rl.Secondary {
					t.Errorf("error %v is not the primary *RateLimitError resetting at +40m", err)
				}
			},
		},
		{
			name: "a secondary limit honours Retry-After", hook: failFirst(1, secondaryLimit("7")),
			wantSleep: []time.Duration{7 * time.Second}, wantCodes: []int{403, 200},
		},
		{
			name: "a secondary limit without Retry-After waits a minute", hook: failFirst(1, secondaryLimit("")),
			wantSleep: []time.Duration{time.Minute}, wantCodes: []int{403, 200},
		},
		{
			name: "repeated secondary limits without Retry-After wait exponentially longer",
			hook: failFirst(3, secondaryLimit("")), opts: func(o *ghclient.Options) { o.MaxRateLimitWait = 10 * time.Minute },
			wantSleep: []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute}, wantCodes: []int{403, 403, 403, 200},
		},
		{
			name: "a repeated secondary limit waits longer than a short Retry-After",
			hook: failFirst(2, secondaryLimit("30")), opts: func(o *ghclient.Options) { o.MaxRateLimitWait = 10 * time.Minute },
			wantSleep: []time.Duration{30 * time.Second, 2 * time.Minute}, wantCodes: []int{403, 403, 200},
		},
		{
			name: "a repeated secondary limit honours a Retry-After longer than the backoff",
			hook: failFirst(2, secondaryLimit("300")), opts: func(o *ghclient.Options) { o.MaxRateLimitWait = 10 * time.Minute },
			wantSleep: []time.Duration{5 * time.Minute, 5 * time.Minute}, wantCodes: []int{403, 403, 200},
		},
		{
			name: "a secondary limit with X-RateLimit-Reset waits for the reset",
			hook: failFirst(1, func(w http.ResponseWriter, r *http.Request) {
				ghfake.RateHeaders(w.Header(), 0, t0.Add(45*time.Second))
				secondaryLimit("")(w, r)
			}),
			wantSleep: []time.Duration{46 * time.Second}, wantCodes: []int{403, 200},
		},
		{
			name: "a secondary limit whose backoff outgrows the bound fails with when to retry",
			hook: failFirst(100, secondaryLimit("")), wantSleep: []time.Duration{time.Minute}, wantCodes: []int{403, 403},
			wantErr: "GitHub secondary rate limit exceeded; retry after 2026-04-07T15:03:00Z (in 2m0s)",
		},
		{
			name: "a secondary limit beyond the bound fails", hook: failFirst(1, secondaryLimit("600")),
			wantCodes: []int{403}, wantErr: "GitHub secondary rate limit exceeded; retry after 2026-04-07T15:10:00Z (in 10m0s)",
			check: func(t *testing.T, err error) {
				if rl, ok := ghclient.AsRateLimit(err); !ok || !rl.Secondary {
					t.Errorf("error %v is not a secondary *RateLimitError", err)
				}
			},
		},
		{
			name: "an abuse-detection answer without Retry-After waits a minute",
			hook: failFirst(1, func(w http.ResponseWriter, _ *http.Request) {
				ghfake.WriteError(w, http.StatusForbidden, "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.",
					"https://docs.github.com/rest/overview/resources-in-the-rest-api#abuse-rate-limits")
			}),
			wantSleep: []time.Duration{time.Minute}, wantCodes: []int{403, 200},
		},
		{
			name: "a 429 is a rate limit too", hook: failFirst(1, status(http.StatusTooManyRequests)),
			wantSleep: []time.Duration{time.Minute}, wantCodes: []int{429, 200},
		},
		{
			name: "no waiting when the bound is zero", hook: failFirst(1, secondaryLimit("1")),
			opts: func(o *ghclient.Options) { o.MaxRateLimitWait = 0 }, wantCodes: []int{403},
			wantErr: "secondary rate limit exceeded",
		},
		{
			name: "a plain 403 fails at once with GitHub's message", hook: failFirst(1, status(http.StatusForbidden)),
			wantCodes: []int{403}, wantErr: "403 Forbidden",
			check: func(t *testing.T, err error) {
				if _, ok := ghclient.AsRateLimit(err); ok {
					t.Errorf("a plain 403 was taken for a rate limit: %v", err)
				}
			},
		},
		{
			name: "a 422 fails at once", hook: failFirst(1, status(http.StatusUnprocessableEntity)),
			wantCodes: []int{422}, wantErr: "422 Unprocessable Entity",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Intercept(tt.hook)
			c, stats := e.client(t, tt.opts)
			_, err := listReleases(t, c)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			if diff := cmp.Diff(tt.wantCodes, statuses(e.srv.Requests())); diff != "" {
				t.Errorf("server statuses (-want +got):\n%s", diff)
			}
			var rateSleeps []time.Duration
			for _, d := range e.clock.Sleeps() {
				if d >= time.Second { // backoff sleeps are milliseconds here
					rateSleeps = append(rateSleeps, d)
				}
			}
			if diff := cmp.Diff(tt.wantSleep, rateSleeps); diff != "" {
				t.Errorf("rate-limit sleeps (-want +got):\n%s", diff)
			}
			if got := stats.Snapshot().RateLimitWaits; got != int64(len(tt.wantSleep)) {
				t.Errorf("RateLimitWaits = %d, want %d", got, len(tt.wantSleep))
			}
		})
	}
}

func TestBackoffIsExponentialWithJitterAndBounded(t *testing.T) {
	e := newEnv(t)
	e.srv.Intercept(failFirst(100, status(http.StatusServiceUnavailable)))
	c, stats := e.client(t, func(o *ghclient.Options) { o.MaxRetries = 4; o.RetryBase = time.Second })
	if _, err := listReleases(t, c); err == nil {
		t.Fatal("want an error after the retries")
	}
	sleeps := e.clock.Sleeps()
	if len(sleeps) != 4 {
		t.Fatalf("sleeps = %v, want 4", sleeps)
	}
	for i, d := range sleeps {
		base := time.Second << i
		if d < base*3/4 || d > base*5/4 {
			t.Errorf("sleep %d = %v, want %v ± 25%%", i, d, base)
		}
	}
	if got := stats.Snapshot(); got.Requests != 5 || got.Retries != 4 {
		t.Errorf("stats = %v, want 5 requests and 4 retries", got)
	}
}

func TestPostIsNotRetriedAfter5xx(t *testing.T) {
	e := newEnv(t)
	e.srv.Intercept(failFirst(100, status(http.StatusBadGateway)))
	c, _ := e.client(t, nil)
	_, _, err := c.PullRequests.Create(t.Context(), "goauthentik", "authentik", &github.NewPullRequest{Title: github.String("x")})
	if err == nil || len(e.srv.Requests()) != 1 {
		t.Errorf("err = %v after %d requests; want one failed request", err, len(e.srv.Requests()))
	}
}

func TestCancelStopsWaiting(t *testing.T) {
	e := newEnv(t)
	e.srv.Intercept(failFirst(100, status(http.StatusBadGateway)))
	ctx, cancel := context.WithCancel(t.Context())
	c, _ := e.client(t, func(o *ghclient.Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	})
	_, _, err := c.Repositories.ListReleases(ctx, "goauthentik", "authentik", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := len(e.srv.Requests()); n != 1 {
		t.Errorf("%d requests after cancelling, want 1", n)
	}
}

func ExampleRateLimitError() {
	err := &ghclient.RateLimitError{Reset: time.Date(2026, 4, 7, 16, 0, 0, 0, time.UTC), Limit: 60, Wait: 42 * time.Minute}
	fmt.Println(err)
	// Output: GitHub primary rate limit (60 requests/hour) exceeded; retry after 2026-04-07T16:00:00Z (in 42m0s)
}
