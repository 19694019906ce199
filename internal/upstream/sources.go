package upstream

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/version"
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
	// FlakeInput is the flake input the source is, whose locked revision
	// in flake.lock is its pin (and URL is empty); "" for a pin in the
	// pins.
	FlakeInput string
}

// checkSources finds where each source is upstream and records those whose
// pin must change, with the reason, in res.Sources and in the staleness of
// every FOD they feed.
func (c *Checker) checkSources(ctx context.Context, cfg *config.Config, p *pins.Pins, opts CheckOptions, res *Result) error {
	for name := range opts.Sources {
		if _, ok := cfg.Sources[name]; !ok {
			return fmt.Errorf("source %q: no [source.%s] in %s", name, name, config.FileName)
		}
	}
	for _, name := range cfg.SourceNames() {
		src := cfg.Sources[name]
		owner, repo, _ := strings.Cut(src.Repo, "/")
		move := SourceMove{Name: name, Repo: src.Repo}
		if rev, ok := opts.Sources[name]; ok {
			pin, err := c.SourcePin(cfg, name, rev)
			if err != nil {
				return err
			}
			move.To, move.Version = pin.Rev, pin.Version
		} else if src.Branch != "" {
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
		var pinned pins.Source
		if src.FlakeInput != "" {
			move.FlakeInput = src.FlakeInput
			rev, err := LockedRev(cfg, src)
			if err != nil {
				return err
			}
			pinned = pins.Source{Rev: rev}
		} else {
			move.URL = archiveURL(ghclient.WebURL(c.gh), src, move.To)
			if res.SourcePins == nil {
				res.SourcePins = map[string]pins.Source{}
			}
			res.SourcePins[name] = pins.Source{Rev: move.To, Version: move.Version, URL: move.URL}
			pinned, _ = p.Source(name)
		}
		move.From = pinned.Rev
		switch {
		case pinned.Rev != move.To:
			move.Reason = fmt.Sprintf("%s moved %s -> %s", name, orNone(short(pinned.Rev)), short(move.To))
		case src.FlakeInput != "":
			continue // flake.lock holds its hash too
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
			if src.Feeds(cfg.FODs[fod]) {
				res.Stale[fod] = append(res.Stale[fod], move.Reason)
			}
		}
	}
	return nil
}

// SourcePin is the pin of the source name at rev (a commit in branch mode,
// a tag in release mode), without its hash: the rev, the release's version
// and the archive's URL. A rev of the wrong form is an error naming it.
func (c *Checker) SourcePin(cfg *config.Config, name, rev string) (pins.Source, error) {
	src, ok := cfg.Sources[name]
	if !ok {
		return pins.Source{}, fmt.Errorf("source %q: no [source.%s] in %s", name, name, config.FileName)
	}
	pin := pins.Source{Rev: rev}
	if src.Branch != "" {
		if !pins.IsCommit(rev) {
			return pins.Source{}, fmt.Errorf("source %s follows branch %s: rev %.50q is not a full commit id (40 hex digits)", name, src.Branch, rev)
		}
	} else {
		v, ok := strings.CutPrefix(rev, src.TagPrefix)
		if _, parsed := version.Parse(v); !ok || !parsed {
			return pins.Source{}, fmt.Errorf("source %s follows releases: rev %.50q is not a tag %q followed by a version", name, rev, src.TagPrefix)
		}
		pin.Version = v
	}
	pin.URL = archiveURL(ghclient.WebURL(c.gh), src, rev)
	return pin, nil
}

// archiveURL is where the archive of src at rev is: its url template, or
// GitHub's own archive under web (https://github.com).
func archiveURL(web string, src config.Source, rev string) string {
	if src.URL == "" {
		return fmt.Sprintf("%s/%s/archive/%s.tar.gz", web, escapePath(src.Repo), url.PathEscape(rev))
	}
	return strings.NewReplacer("{rev}", url.PathEscape(rev), "{repo}", escapePath(src.Repo)).Replace(src.URL)
}
