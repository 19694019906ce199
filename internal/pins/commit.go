package pins

import "regexp"

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// IsCommit says whether s is a full git commit id as git and GitHub write
// it: 40 lowercase hex digits. Pins, flake.lock revisions and results
// files name commits only so.
func IsCommit(s string) bool { return commitRE.MatchString(s) }
