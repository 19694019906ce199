package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/logfield"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/version"
)

// Release is an upstream release: the candidate, or one between the
// pinned version and it.
type Release struct {
	Tag        string
	Version    string // Tag without the prefix
	Prerelease bool
	HTMLURL    string
	// Name is the release's title and Published when it was published,
	// as GitHub says (zero when it does not).
	Name      string
	Published time.Time
	// Notes is the release's body, Markdown as upstream wrote it:
	// untrusted text, kept for the candidate only.
	Notes string
}

func releaseOf(rel *github.RepositoryRelease, v version.Version) Release {
	return Release{Tag: rel.GetTagName(), Version: v.Raw, Prerelease: rel.GetPrerelease() || v.Prerelease(),
		HTMLURL: rel.GetHTMLURL(), Name: rel.GetName(), Published: rel.GetPublishedAt().Time, Notes: rel.GetBody()}
}

// NoReleaseError says that no release of the repository qualifies.
type NoReleaseError struct {
	Repo, TagPrefix string
	// Seen counts all releases listed; Skipped counts them by reason.
	Seen    int
	Skipped map[string]int
	// Examples are a few tags seen, to spot a wrong tag-prefix.
	Examples []string
}

func (e *NoReleaseError) Error() string {
	if e.Seen == 0 {
		return fmt.Sprintf("%s has no releases", e.Repo)
	}
	var reasons []string
	for r, n := range e.Skipped {
		reasons = append(reasons, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(reasons)
	return fmt.Sprintf("no release of %s qualifies with tag-prefix %q: of %d releases, %s (tags seen: %s)",
		e.Repo, e.TagPrefix, e.Seen, strings.Join(reasons, ", "), strings.Join(e.Examples, ", "))
}

// Skip reasons, as counted in NoReleaseError.Skipped.
const (
	skipDraft      = "drafts"
	skipPrerelease = "prereleases"
	skipPrefix     = "without the tag prefix"
	skipNotVersion = "not versions after the prefix"
)

// maxReleasePages bounds the pages of releases read (100 each): a
// repository with more, or a server whose pages never end, is an error.
const maxReleasePages = 50

// newestRelease lists every page of releases and returns the one with the
// highest version among those that qualify.
func (c *Checker) newestRelease(ctx context.Context, owner, name, prefix string, withPre bool) (*Release, error) {
	scan, err := c.scanReleases(ctx, owner, name, prefix, withPre, version.Version{})
	if err != nil {
		return nil, err
	}
	return scan.newest, nil
}

// releaseScan is what one listing of the releases found.
type releaseScan struct {
	// newest is the release with the highest version that qualifies.
	newest  *Release
	newestV version.Version
	// after are the qualifying releases newer than the version the scan
	// was given, without their notes.
	after []Release
}

// scanReleases lists every page of releases once: the newest that
// qualifies, and those newer than pinned (none for a zero pinned).
func (c *Checker) scanReleases(ctx context.Context, owner, name, prefix string, withPre bool, pinned version.Version) (*releaseScan, error) {
	noRel := &NoReleaseError{Repo: owner + "/" + name, TagPrefix: prefix, Skipped: map[string]int{}}
	scan := &releaseScan{}
	opts := &github.ListOptions{PerPage: 100}
	for pages := 1; ; pages++ {
		page, resp, err := c.gh.Repositories.ListReleases(ctx, owner, name, opts)
		if err != nil {
			return nil, fmt.Errorf("listing releases of %s/%s: %w", owner, name, err)
		}
		for _, rel := range page {
			noRel.Seen++
			tag := rel.GetTagName()
			if len(noRel.Examples) < 5 {
				noRel.Examples = append(noRel.Examples, tag)
			}
			reason, v := qualify(rel, prefix, withPre)
			if reason != "" {
				noRel.Skipped[reason]++
				zerolog.Ctx(ctx).Debug().Str(logfield.Tag, tag).Str("skipped", reason).Msg("release skipped")
				continue
			}
			if pinned.Raw != "" && v.Compare(pinned) > 0 {
				r := releaseOf(rel, v)
				r.Notes = ""
				scan.after = append(scan.after, r)
			}
			if scan.newest == nil || v.Compare(scan.newestV) > 0 {
				r := releaseOf(rel, v)
				scan.newest, scan.newestV = &r, v
			}
		}
		if resp.NextPage == 0 {
			break
		}
		if pages >= maxReleasePages || resp.NextPage <= max(opts.Page, 1) {
			return nil, fmt.Errorf("listing releases of %s/%s: GitHub's pages do not end (page %d links to page %d after %d pages of up to 100); "+
				"pin a version with --version", owner, name, max(opts.Page, 1), resp.NextPage, pages)
		}
		opts.Page = resp.NextPage
	}
	if scan.newest == nil {
		return nil, noRel
	}
	return scan, nil
}

// between lists the releases of after up to and including the version
// to, oldest first.
func between(after []Release, to string) []Release {
	var out []Release
	for _, r := range after {
		if c, ok := version.Compare(r.Version, to); ok && c <= 0 {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Release) int { c, _ := version.Compare(a.Version, b.Version); return c })
	return out
}

// qualify says why rel is skipped ("" when it is not) and parses its version.
func qualify(rel *github.RepositoryRelease, prefix string, withPre bool) (string, version.Version) {
	tag := rel.GetTagName()
	if rel.GetDraft() {
		return skipDraft, version.Version{}
	}
	if !strings.HasPrefix(tag, prefix) {
		return skipPrefix, version.Version{}
	}
	v, ok := version.Parse(strings.TrimPrefix(tag, prefix))
	if !ok {
		return skipNotVersion, version.Version{}
	}
	if (rel.GetPrerelease() || v.Prerelease()) && !withPre {
		return skipPrerelease, version.Version{}
	}
	return "", v
}

// releaseByTag returns the release for tag, or one with only the tag known
// when the tag has no release (a tag may be pinned without one).
func (c *Checker) releaseByTag(ctx context.Context, owner, name, prefix, ver string) (*Release, error) {
	if err := version.Check("version", ver); err != nil {
		return nil, err
	}
	tag := prefix + ver
	out := &Release{Tag: tag, Version: ver}
	// go-github puts the tag into the path as it is: escape each segment.
	rel, _, err := c.gh.Repositories.GetReleaseByTag(ctx, owner, name, escapePath(tag))
	var er *github.ErrorResponse
	switch {
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound:
		zerolog.Ctx(ctx).Debug().Str(logfield.Tag, tag).Msg("no release for the requested tag; using the tag alone")
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("reading release %s of %s/%s: %w", tag, owner, name, err)
	}
	out.HTMLURL, out.Prerelease = rel.GetHTMLURL(), rel.GetPrerelease()
	out.Name, out.Published, out.Notes = rel.GetName(), rel.GetPublishedAt().Time, rel.GetBody()
	return out, nil
}

// branchHead returns the commit a branch points at.
func (c *Checker) branchHead(ctx context.Context, owner, name, branch string) (string, error) {
	b, _, err := c.gh.Repositories.GetBranch(ctx, owner, name, branch, 1)
	if err != nil {
		return "", fmt.Errorf("reading branch %s of %s/%s: %w", branch, owner, name, err)
	}
	sha := b.GetCommit().GetSHA()
	if !pins.IsCommit(sha) {
		return "", fmt.Errorf("reading branch %s of %s/%s: GitHub returned %.50q, not a commit", branch, owner, name, sha)
	}
	return sha, nil
}
