package ghclient

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"
)

// RateLimitError says GitHub refused a request for a rate limit that would
// not reset within Options.MaxRateLimitWait. Retry at Reset or later.
type RateLimitError struct {
	// Reset is when GitHub accepts requests again.
	Reset time.Time
	// Secondary is true for a secondary (abuse) limit, false for the
	// primary hourly quota.
	Secondary bool
	// Limit is the primary quota per hour (0 when unknown).
	Limit int
	// Message is GitHub's message, if any.
	Message string
	// Wait is how long GitHub asked us to wait from the time of the answer.
	Wait time.Duration
}

func (e *RateLimitError) Error() string {
	kind := "primary rate limit"
	if e.Secondary {
		kind = "secondary rate limit"
	}
	if e.Limit > 0 {
		kind = fmt.Sprintf("%s (%d requests/hour)", kind, e.Limit)
	}
	msg := fmt.Sprintf("GitHub %s exceeded; retry after %s (in %s)",
		kind, e.Reset.UTC().Format(time.RFC3339), e.Wait.Round(time.Second))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// AsRateLimit reports whether err is a rate-limit failure, either ours or
// one go-github raised itself (it refuses to send while a known limit is
// exhausted), and returns it as a *RateLimitError.
func AsRateLimit(err error) (*RateLimitError, bool) {
	var ours *RateLimitError
	if errors.As(err, &ours) {
		return ours, true
	}
	var primary *github.RateLimitError
	if errors.As(err, &primary) {
		reset := primary.Rate.Reset.Time
		return &RateLimitError{Reset: reset, Limit: primary.Rate.Limit, Message: primary.Message,
			Wait: time.Until(reset)}, true
	}
	var secondary *github.AbuseRateLimitError
	if errors.As(err, &secondary) {
		wait := time.Minute
		if secondary.RetryAfter != nil {
			wait = *secondary.RetryAfter
		}
		return &RateLimitError{Reset: time.Now().Add(wait), Secondary: true,
			Message: secondary.Message, Wait: wait}, true
	}
	return nil, false
}
