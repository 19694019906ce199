// Package pulls opens and maintains hashbot's pull requests on GitHub and
// renders their titles and bodies.
//
// A Manager publishes one pull request per branch: it finds the open pull
// request whose head is the branch and updates it, or creates one, adds the
// configured labels, and closes older hashbot pull requests for the same
// upstream with a "Superseded by #N." comment, so that a maintainer sees
// exactly one. The build check's verdict (VerdictOf) settles its state: a
// draft with the needs-work label when the check failed; ready, without
// the label, and with GitHub's auto-merge when configured, when it built
// everywhere (GraphQL mutations, which GitHub's REST API lacks).
// RenderTitle and RenderBody are pure functions that turn a run's results
// into the title and GitHub-flavoured Markdown body.
//
// The package talks to GitHub only through the *github.Client it is given:
// retries, conditional requests and rate limits belong to the client's
// transport (internal/ghclient), not here. It imports no engine (upstream,
// fod, webhook), never pushes git branches, and never logs a token.
package pulls
