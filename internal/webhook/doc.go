// Package webhook is `hashbot serve`: an HTTP server that receives GitHub
// webhook deliveries for the upstream repository and queues a bot run for
// each new upstream version.
//
// A delivery to POST /webhook is checked in this order: method (405), body
// size (413), X-Hub-Signature-256 HMAC-SHA256 over the exact body compared in
// constant time (401), then JSON (400). Only then is the payload looked at:
// `ping` answers 200; a `release` (published, released), a `create` of a tag
// or a `push` of a tag in the upstream repository whose tag carries the
// configured prefix answers 202 and queues a Job for the version after the
// prefix; anything else answers 202 "ignored", and so does a pre-release
// unless Options.IncludePrereleases is set. Deliveries are deduplicated by
// X-GitHub-Delivery. With Options.FixRepo, a `pull_request` (opened,
// synchronize, reopened) of that packaging repository, its number a strict
// positive integer, queues a Job fixing that pull request; a pull request
// of any other repository (the upstream's too) answers 202 "ignored".
//
// The queue runs one Job at a time; of the version Jobs waiting (distinct
// versions, at most four) the newest runs next. An equal version is
// coalesced into the Job running or waiting; an older one waits behind, and
// is dropped only once a run of a version at least as new has succeeded, so
// that a bogus higher version whose run fails never costs a lower one its
// run. Fixes wait behind the versions, in the order they came, one per pull
// request (a new push folds into the waiting fix, which reads the newest
// head), at most eight: past that a delivery is refused (503) for GitHub to
// redeliver. Otherwise it refuses work (503) only once shutdown has begun.
// GET /healthz
// reports the last run and the queue; GET /metrics serves plain-text
// counters.
//
// The package knows nothing about Nix, git or how a pull request is fixed:
// the work is done by a Runner given in Options. It never logs the secret or the signature,
// and it refuses to start without a secret (unlike go-github's
// ValidatePayload, which accepts unsigned payloads when the secret is empty).
package webhook
