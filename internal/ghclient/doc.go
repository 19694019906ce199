// Package ghclient builds the go-github client hashbot talks to GitHub with.
//
// The client's transport does four things under go-github:
//
//   - conditional requests: every GET is cached on disk (body and headers,
//     keyed by a hash of the URL, the Accept header and the caller's
//     identity) and revalidated with If-None-Match / If-Modified-Since, so a
//     poll where nothing changed costs only 304 answers, which GitHub does not
//     charge to the rate limit; a 304 is handed to go-github as the cached 200;
//     an entry whose body no longer matches its digest is ignored and
//     fetched again;
//   - retries with exponential backoff and jitter (sethvargo/go-retry) for
//     5xx answers, timeouts and dropped or refused connections, for
//     idempotent methods only (never POST or PATCH);
//   - rate limits: a primary limit (403/429 with X-RateLimit-Remaining: 0)
//     waits until X-RateLimit-Reset when that is within Options.MaxRateLimitWait,
//     a secondary limit honours Retry-After; otherwise the call fails with a
//     *RateLimitError that says when to retry. go-github's own refusal to
//     send while a recorded quota is used up is turned off, so this bound
//     is the only policy;
//   - counting: Stats says how many requests went out and how many of them
//     were charged.
//
// The token never appears in a log line, an error or a cache file: cache keys
// hold a hash of the Authorization header, never the header itself.
//
// The package imports no other hashbot package.
package ghclient
