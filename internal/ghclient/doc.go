// Package ghclient builds the go-github client hashbot talks to GitHub with.
//
// The client's transport does four things under go-github:
//
//   - conditional requests: every GET is cached on disk (body and headers,
//     keyed by a hash of the method, the URL and the Accept header, not by
//     the token, which in GitHub Actions is new for every job) and
//     revalidated: with the token the entry came to, by If-None-Match and
//     If-Modified-Since; with another one, by If-Modified-Since alone where
//     GitHub sent Last-Modified, since GitHub's ETags are specific to the
//     token. A 304 is handed to go-github as the cached 200 and GitHub does
//     not charge it to the rate limit; so a poll where nothing changed
//     costs nothing with one token, and with a fresh token only the answers
//     GitHub gives no Last-Modified (release lists, branches); an entry
//     whose body no longer matches its digest is ignored and fetched again;
//   - retries with exponential backoff and jitter (sethvargo/go-retry) for
//     5xx answers, timeouts and dropped or refused connections, for
//     idempotent methods only (never POST or PATCH);
//   - rate limits: a primary limit (403/429 with X-RateLimit-Remaining: 0)
//     waits until X-RateLimit-Reset when that is within Options.MaxRateLimitWait;
//     a secondary limit waits what Retry-After (or X-RateLimit-Reset) says,
//     else a minute, and exponentially longer (two minutes, then four) while
//     it persists, as GitHub asks; a wait beyond the bound fails the call
//     with a *RateLimitError that says when to retry. go-github's own
//     refusal to send while a recorded quota is used up is turned off, so
//     this bound is the only policy;
//   - counting: Stats says how many requests went out and how many of them
//     were charged.
//
// The token never appears in a log line, an error or a cache file: a cache
// entry holds a hash of the Authorization header it came to (to know whose
// ETag it has), never the header itself.
//
// The package imports no other hashbot package.
package ghclient
