// Package gitops is hashbot's git layer, built on go-git v5: it opens the
// packaging repository (or keeps a shallow, single-branch clone of it in the
// state directory), names and resets the bot's branch from a freshly fetched
// base branch, commits the pins file and nothing else, and pushes the branch
// with force-with-lease semantics. For a pull request it fetches the head
// (refs/pull/N/head, or the head branch) with its history, finds the merge
// base, and the bot's last commit on it.
//
// The package works on git objects and refs only. It never touches the
// user's working tree or index: a commit is built from the base commit's tree
// with only the pins blob replaced, so other edits in the working tree can
// neither block the bot nor slip into its commit. The one exception is a
// clone made by [Clone]; hashbot owns that directory and refreshes its
// working tree to the base branch.
//
// Tokens are used as HTTP basic credentials (x-access-token:<token>) for
// http and https remotes only, and are censored out of every error the
// package returns. gitops imports no other hashbot package.
package gitops
