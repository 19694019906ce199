// Package bot is hashbot's one run, end to end: check upstream, compute the
// stale hashes, commit the pins on a branch, push it and open or update the
// pull request. It is the only package that knows the whole pipeline; the
// engines it drives (upstream, fod, gitops, pulls) know nothing of each
// other, and nothing here knows about the command line or the webhook.
//
// A run never leaves a half-done change: the user's working tree is not
// written (the commit is built from the base branch with only the pins
// replaced), nothing is pushed unless every hash was computed, and no pull
// request is opened unless the push succeeded.
//
// Fix is the same pipeline for a dependency pull request (`hashbot fix`):
// its merge base and head instead of a release, the FODs whose own inputs
// changed between them, computed on the head, and one commit of hash
// literals pushed onto the pull request's branch with a lease on that head
// (a fork's gets a comment). Its computing and pushing halves can run in
// two processes, joined only by FixResults: the pushing half plans again
// and builds nothing of the pull request.
package bot
