// Package ghfake is a server that answers like GitHub's REST API for the
// endpoints hashbot calls, for tests and offline demos:
//
//   - reads: a repository (default branch), releases (listed, paginated, by
//     tag), branches and file contents at a ref (JSON or the raw media type),
//     with token-specific ETags, Last-Modified where GitHub sends it, 304s
//     for If-None-Match and If-Modified-Since (conditional.go says which
//     endpoints and why), and rate-limit headers;
//   - a repository's security advisories (AddAdvisory), listed by state
//     with cursor pagination, as "List repository security advisories"
//     documents them;
//   - pull requests: list (state, head=owner:branch, base; a head without an
//     owner is ignored, as GitHub does), get, create (422 "A pull request
//     already exists for owner:branch." for a second open one), edit (title,
//     body, state, base), and the issue endpoints that add labels and
//     comments (added and listed); a maintainer closing (merged or not) and
//     reopening one (ClosePullRequest, ReopenPullRequest); update-branch
//     (202, or 422 for another expected_head_sha or a conflict), merging
//     the base into the head in the repository ServeGit backs
//     (BranchUpdates). Writes need an Authorization header (401 otherwise).
//
// Every request is logged (Requests, Writes) and the pull requests are kept
// for assertions (PullRequests, PullRequest). Intercept lets a test inject
// faults (a 502, a rate limit, a slow answer). New starts a server for a
// test; Start and StartAt start one anywhere else, with Close to stop it.
// AddDir serves a directory tree at a ref, so a release's files can come
// from disk. The ghfaked command serves it as a program. Nothing in
// hashbot's own binaries uses this package.
package ghfake
