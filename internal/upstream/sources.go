package upstream

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// SourceMove is a source ([source.<name>]) whose pin must change: it moved
// upstream, its archive URL changed, or it has no hash yet.
type SourceMove struct {
	// Name is the source's name in hashbot.toml and the pins.
	Name string
	// Repo is its GitHub repository.
	Repo string
	// From and To are the pinned and the candidate rev (a commit in branch
	// mode, a tag in release mode); Version is the candidate release's
	// version in release mode.
	From, To, Version string
	// URL is the archive at To; the bot asks Nix for its hash.
	URL string
	// CompareURL shows the change From...To ("" when From is unknown).
	CompareURL string
	// Reason says why the pin changes, as the FODs it feeds list it.
	Reason string
}

// checkSources finds where each source is upstream and records those whose
// pin must change, with the reason, in res.Sources and in the staleness of
// every FOD they feed.
func (c *Checker) checkSources(ctx context.Context, cfg *config.Config, p *pins.Pins, res *Result) error {
	for _, name := range cfg.SourceNames() {
		src := cfg.Sources[name]
		owner, repo, _ := strings.Cut(src.Repo, "/")
		move := SourceMove{Name: name, Repo: src.Repo}
		if src.Branch != "" {
			sha, err := c.branchHead(ctx, owner, repo, src.Branch)
			if err != nil {
				return fmt.Errorf("source %s: %w", name, err)
			}
			move.To = sha
		} else {
			rel, err := c.newestRelease(ctx, owner, repo, src.TagPrefix, src.IncludePrereleases)
			if err != nil {
				return fmt.Errorf("source %s: %w", name, err)
			}
			move.To, move.Version = rel.Tag, rel.Version
		}
		move.URL = archiveURL(ghclient.WebURL(c.gh), src, move.To)
		pinned, _ := p.Source(name)
		move.From = pinned.Rev
		switch {
		case pinned.Rev != move.To:
			move.Reason = fmt.Sprintf("%s moved %s -> %s", name, orNone(short(pinned.Rev)), short(move.To))
		case pinned.URL != move.URL:
			move.Reason = fmt.Sprintf("%s's archive is at %s now", name, move.URL)
		case pins.CheckHash("sources."+name+".hash", pinned.Hash) != nil:
			move.Reason = name + " has no hash yet"
		default:
			continue
		}
		if move.From != "" && move.From != move.To {
			move.CompareURL = fmt.Sprintf("%s/%s/compare/%s...%s", ghclient.WebURL(c.gh), src.Repo, move.From, move.To)
		}
		res.Sources = append(res.Sources, move)
		for _, fod := range cfg.FODNames() {
			if src.Feeds(fod) {
				res.Stale[fod] = append(res.Stale[fod], move.Reason)
			}
		}
	}
	return nil
}

// archiveURL is where the archive of src at rev is: its url template, or
// GitHub's own archive under web (https://github.com).
func archiveURL(web string, src config.Source, rev string) string {
	if src.URL == "" {
		return fmt.Sprintf("%s/%s/archive/%s.tar.gz", web, escapePath(src.Repo), url.PathEscape(rev))
	}
	return strings.NewReplacer("{rev}", url.PathEscape(rev), "{repo}", escapePath(src.Repo)).Replace(src.URL)
}
