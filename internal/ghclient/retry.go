package ghclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/sethvargo/go-retry"

	"github.com/hashbot-nix/hashbot/internal/logfield"
)

const (
	// maxRateLimitWaits bounds how often one request sleeps for a limit.
	maxRateLimitWaits = 3
	// secondaryDefaultWait is GitHub's advice for a secondary limit that
	// comes without Retry-After: wait at least a minute. Repeated ones wait
	// exponentially longer (secondaryWait).
	secondaryDefaultWait = time.Minute
	// maxBackoff caps a single backoff step.
	maxBackoff = 30 * time.Second
)

// retryTransport repeats failed attempts and sleeps through rate limits. Each
// attempt reads the whole body under Options.Timeout, so a stalled body is a
// timeout like a stalled header.
type retryTransport struct {
	next  http.RoundTripper
	opts  Options
	stats *Stats
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	backoff := retry.WithMaxRetries(uint64(t.opts.MaxRetries),
		retry.WithCappedDuration(maxBackoff,
			retry.WithJitterPercent(25, retry.NewExponential(t.opts.RetryBase))))
	repeatable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	retryable := repeatable && idempotent(req.Method)
	rateWaits, secondaries := 0, 0
	for attempt := 0; ; attempt++ {
		r, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.once(r)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil {
			if rl := t.rateLimit(resp, secondaries+1); rl != nil {
				if rl.Secondary {
					secondaries++
				}
				if !repeatable || rl.Wait > t.opts.MaxRateLimitWait || rateWaits >= maxRateLimitWaits {
					return nil, rl
				}
				rateWaits++
				t.stats.waits.Add(1)
				zerolog.Ctx(req.Context()).Warn().Str(logfield.Path, req.URL.Path).Dur("wait", rl.Wait).Bool("secondary", rl.Secondary).
					Msg("GitHub rate limit hit; waiting for it to reset")
				if err := t.opts.Sleep(ctx, rl.Wait); err != nil {
					return nil, err
				}
				continue
			}
			if resp.StatusCode < 500 || !retryable {
				return resp, nil
			}
		} else if !retryable || !transient(err) {
			return nil, err
		}
		d, stop := backoff.Next()
		if stop {
			if err != nil {
				return nil, fmt.Errorf("giving up after %d attempts: %w", attempt+1, err)
			}
			return resp, nil
		}
		t.stats.retries.Add(1)
		ev := zerolog.Ctx(req.Context()).Debug().Str(logfield.Method, req.Method).Str(logfield.Path, req.URL.Path).Dur("backoff", d).Int("attempt", attempt+1)
		if err != nil {
			ev = ev.Err(err)
		} else {
			ev = ev.Int(logfield.Status, resp.StatusCode)
		}
		ev.Msg("retrying GitHub request")
		if err := t.opts.Sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

// once makes one attempt and buffers the body.
func (t *retryTransport) once(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.opts.Timeout)
	defer cancel()
	start := t.opts.Now()
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, t.attemptError(req, ctx, err)
	}
	t.stats.count(resp.StatusCode, req.Header.Get("Authorization") != "")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, t.attemptError(req, ctx, fmt.Errorf("reading the answer: %w", err))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	zerolog.Ctx(req.Context()).Debug().Str(logfield.Method, req.Method).Str(logfield.Path, req.URL.Path).Int(logfield.Status, resp.StatusCode).
		Int("bytes", len(body)).Dur(logfield.Took, t.opts.Now().Sub(start)).Msg("GitHub request")
	return resp, nil
}

func (t *retryTransport) attemptError(req *http.Request, ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && req.Context().Err() == nil {
		return fmt.Errorf("no complete answer within %s: %w", t.opts.Timeout, err)
	}
	return err
}

// rateLimit recognises GitHub's rate-limit answers and says how long to
// wait; n counts the secondary limits this request met so far, this one
// included if it is one.
func (t *retryTransport) rateLimit(resp *http.Response, n int) *RateLimitError {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return nil
	}
	h := resp.Header
	msg, docs := githubMessage(resp)
	now := t.opts.Now()
	limit, _ := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	secondary := func(hint time.Duration, hinted bool) *RateLimitError {
		wait := secondaryWait(n, hint, hinted)
		return &RateLimitError{Reset: now.Add(wait), Secondary: true, Message: msg, Wait: wait, Limit: limit}
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && secs >= 0 {
		return secondary(time.Duration(secs)*time.Second, true)
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if unix, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			reset := time.Unix(unix, 0)
			wait := max(reset.Sub(now)+time.Second, 0) // a second for clock skew
			if secondaryLimit(msg, docs) {
				return secondary(wait, true)
			}
			return &RateLimitError{Reset: reset, Limit: limit, Message: msg, Wait: wait}
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || secondaryLimit(msg, docs) {
		return secondary(0, false)
	}
	return nil
}

// secondaryWait is the wait after the n-th secondary limit (from 1) one
// request met. GitHub asks not to retry before Retry-After or
// X-RateLimit-Reset when the answer has them (hinted), else to wait at
// least a minute, and to wait exponentially longer while the limit
// persists: so the first waits the hint or a minute, and the n-th at least
// 2^(n-1) minutes, whatever the hint.
func secondaryWait(n int, hint time.Duration, hinted bool) time.Duration {
	if hinted && n <= 1 {
		return hint
	}
	floor := secondaryDefaultWait << min(max(n-1, 0), 10)
	return max(hint, floor)
}

// secondaryLimit recognises a secondary (formerly "abuse") limit without
// Retry-After by GitHub's message or documentation link, as go-github does.
func secondaryLimit(msg, docs string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "secondary rate limit") || strings.Contains(msg, "abuse detection") ||
		strings.HasSuffix(docs, "secondary-rate-limits") || strings.HasSuffix(docs, "#abuse-rate-limits")
}

// githubMessage reads the "message" and "documentation_url" of a buffered
// GitHub error body.
func githubMessage(resp *http.Response) (message, docs string) {
	body, err := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return "", ""
	}
	var e struct {
		Message string `json:"message"`
		Docs    string `json:"documentation_url"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	return e.Message, e.Docs
}

// idempotent says whether repeating method is safe when an attempt may have
// reached GitHub (RFC 9110 §9.2.2). POST and PATCH are not: a 502 can come
// after the change was made.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// transient says whether a failed attempt is worth repeating: a timeout, or
// a connection that could not be made or broke off. Failures that would only
// recur (an unknown host, a bad certificate, an invalid header) are not.
func transient(err error) bool {
	var dnsErr *net.DNSError
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	}
	return errors.As(err, &opErr) // dialling, or reading or writing the socket
}

// rewind returns the request for an attempt, with a fresh body after the first.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 0 || req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("%s %s: rewinding the request body: %w", req.Method, req.URL.Path, err)
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}
