package ghclient

import (
	"fmt"
	"sync/atomic"
)

// Stats counts what a client sent. It is safe for concurrent use.
type Stats struct {
	requests    atomic.Int64
	notModified atomic.Int64
	charged     atomic.Int64
	retries     atomic.Int64
	waits       atomic.Int64
}

// Counts is a snapshot of Stats.
type Counts struct {
	Requests       int64 `json:"requests"`         // requests that reached GitHub (each attempt counts)
	NotModified    int64 `json:"not_modified"`     // 304 answers, served from the cache
	Charged        int64 `json:"charged"`          // answers that count against the rate limit: all but authenticated 304s
	Retries        int64 `json:"retries"`          // attempts repeated after a 5xx, timeout or dropped connection
	RateLimitWaits int64 `json:"rate_limit_waits"` // sleeps for a rate limit to reset
}

// Snapshot returns the counts so far.
func (s *Stats) Snapshot() Counts {
	return Counts{
		Requests:       s.requests.Load(),
		NotModified:    s.notModified.Load(),
		Charged:        s.charged.Load(),
		Retries:        s.retries.Load(),
		RateLimitWaits: s.waits.Load(),
	}
}

// String renders the counts for a log line.
func (c Counts) String() string {
	return fmt.Sprintf("%d requests (%d not modified, %d charged), %d retries, %d rate-limit waits",
		c.Requests, c.NotModified, c.Charged, c.Retries, c.RateLimitWaits)
}

// count records one answer. GitHub does not charge a 304 to the primary rate
// limit when the request was authenticated; unauthenticated 304s are charged.
func (s *Stats) count(status int, authenticated bool) {
	s.requests.Add(1)
	if status == 304 {
		s.notModified.Add(1)
		if authenticated {
			return
		}
	}
	s.charged.Add(1)
}
