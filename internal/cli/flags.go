package cli

import (
	"strings"

	"github.com/hashbot-nix/hashbot/internal/gitops"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// The checks below need no I/O: commands make them on their flags before
// their run function, so that a bad value is refused before anything runs.

// checkVersionFlag refuses a version flag's value that is not a version
// (the one grammar of internal/version), before it reaches anything.
func checkVersionFlag(flag, value string) error {
	if value == "" {
		return nil
	}
	if err := version.Check(flag, value); err != nil {
		return usageError(err)
	}
	return nil
}

// allowDowngradeUsage is the help of every --allow-downgrade flag.
const allowDowngradeUsage = "take a --version older than the pinned one, moving the pin back (refused without it)"

// checkCloneFlag refuses a --clone value that names no repository.
func checkCloneFlag(url string) error {
	if url == "" {
		return nil
	}
	_, err := cloneName(url)
	return err
}

// cloneName is the name of the repository a --clone URL points to: the
// clone's folder in the state dir.
func cloneName(url string) (string, error) {
	_, name, ok := gitops.OwnerNameFromURL(url)
	if !ok {
		return "", usageErrorf("--clone %q: not a repository URL", url)
	}
	return name, nil
}

// checkSourceFlags refuses --source values that are not NAME=REV, or
// name a source twice.
func checkSourceFlags(flags []string) error {
	seen := map[string]bool{}
	for _, f := range flags {
		name, _, ok := strings.Cut(f, "=")
		if !ok || seen[name] {
			return usageErrorf("--source %.80q: want NAME=REV, once per source", f)
		}
		seen[name] = true
	}
	return nil
}
