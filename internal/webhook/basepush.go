package webhook

import (
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// classifyBasePush decides whether a delivery is a push to a branch of the
// packaging repository (Options.FixRepo), which is this function's to
// answer (ok); any other delivery is classify's. A push that moves the
// base branch (Options.FixBase, else the default branch the delivery
// names) queues a refresh of the open pull requests hashbot fixed: one of
// them may have merged first (the merged-first case). The refresh reads
// which pull requests are open, and their heads, from GitHub, not from
// the payload.
func (s *Server) classifyBasePush(event string, p payload) (m match, ok bool) {
	if event != "push" || s.opts.FixRepo == "" || p.Repository == nil ||
		!strings.EqualFold(p.Repository.FullName, s.opts.FixRepo) || !strings.HasPrefix(p.Ref, "refs/heads/") {
		return match{}, false
	}
	base := s.opts.FixBase
	if base == "" {
		base = p.Repository.DefaultBranch
	}
	switch {
	case base == "" || !ghrepo.ValidRef(base):
		return match{Ignored: "push delivery names no default branch, and no base branch is configured"}, true
	case p.Ref != "refs/heads/"+base:
		return match{Ignored: fmt.Sprintf("push is not to the base branch %.100q", base)}, true
	case p.Deleted:
		return match{Ignored: "push deletes the base branch"}, true
	}
	return match{BaseMoved: true}, true
}
