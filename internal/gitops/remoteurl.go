package gitops

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// RemoteRepo returns the GitHub owner and name of the remote, parsed from
// its URL (https://github.com/o/r.git, git@github.com:o/r.git,
// ssh://git@host/o/r). It is how the pull request's repository is found
// when hashbot.toml does not name one.
func (r *Repo) RemoteRepo() (owner, name string, err error) {
	url, err := r.remoteURL()
	if err != nil {
		return "", "", err
	}
	owner, name, ok := OwnerNameFromURL(url)
	if !ok {
		return "", "", fmt.Errorf("remote %s (%s) does not name an owner/name repository; set [pull-request] repo in hashbot.toml",
			r.remote, censor(url, r.token))
	}
	return owner, name, nil
}

// OwnerNameFromURL extracts "owner" and "name" from a git remote URL; ok is
// false unless both are names GitHub allows (ghrepo), never "." or "..".
func OwnerNameFromURL(url string) (owner, name string, ok bool) {
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		return "", "", false
	}
	p := strings.Trim(strings.TrimSuffix(strings.TrimSuffix(ep.Path, "/"), ".git"), "/")
	parts := strings.Split(p, "/")
	if len(parts) < 2 || !ghrepo.ValidPart(parts[len(parts)-2]) || !ghrepo.ValidPart(parts[len(parts)-1]) {
		return "", "", false
	}
	return parts[len(parts)-2], parts[len(parts)-1], true
}
