package pulls

import (
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// BodyData is everything a pull request body shows.
type BodyData struct {
	// UpstreamRepo ("goauthentik/authentik") and UpstreamName ("authentik")
	// name the upstream project.
	UpstreamRepo, UpstreamName string
	// OldVersion and NewVersion are the pinned and the new version; equal
	// when only hashes moved.
	OldVersion, NewVersion string
	// Label is NewVersion with the sources the change moves as build
	// metadata ("2026.2.2+nixpkgs.1a2b3c4d5e6f"), as the branch names it;
	// the marker carries it so that superseding can compare two such
	// changes. "" means NewVersion.
	Label string
	// WebURL is the GitHub web host links are built on when GitHub's
	// answers gave none ("https://github.com", or a GitHub Enterprise
	// Server's); "" means https://github.com.
	WebURL string
	// OldTag and NewTag are the upstream tags, e.g. "version/2026.2.2".
	OldTag, NewTag string
	// ReleaseURL and CompareURL link the release and the compare view; when
	// empty they are built from UpstreamRepo and the tags on WebURL.
	ReleaseURL, CompareURL string
	// Rows are the per-target results, shown in the given order.
	Rows []HashRow
	// Summaries are the lock-file change summaries, in the given order.
	Summaries []Summary
	// Stale maps each rebuilt FOD to the reasons it was stale.
	Stale map[string][]string
	// NixVersion ("2.8.0") and Builders ("x86_64-linux (local)", …) describe
	// where the hashes were computed.
	NixVersion string
	Builders   []string
	// Verify is the --verify result as a sentence; "" when it was not run.
	Verify string
	// Reproduce are shell commands that recompute the hashes locally.
	Reproduce []string
	// Sources are the other pinned sources (nixpkgs) the change moves.
	Sources []SourceRow
	// Releases are the upstream releases after OldVersion up to
	// NewVersion, oldest first; Notes NewVersion's release notes as
	// upstream wrote them (rendered sanitised and bounded).
	Releases []ReleaseRow
	Notes    string
	// Advisories are the upstream security advisories the change fixes;
	// UnclaimedLocks the lock files of NewVersion no FOD reads.
	Advisories     []AdvisoryRow
	UnclaimedLocks []LockRow
	// Checks are the [check] attributes built with the new hashes.
	Checks []CheckRow
}

// SourceRow is a source whose pin the change moves.
type SourceRow struct {
	// Name is the source's name ("nixpkgs"); Repo its "owner/name".
	Name, Repo string
	// From and To are the old and new rev (a commit or a tag).
	From, To string
	// CompareURL shows the change; Hash is the new archive hash.
	CompareURL, Hash string
}

// HashRow is one (FOD, system) target's result.
type HashRow struct {
	// FOD is the FOD's name in hashbot.toml.
	FOD string
	// System is the target's platform; "" for a system-independent FOD.
	System string
	// Old and New are the SRI hashes before and after; "" when there is none
	// (not computed yet, or the build did not produce one).
	Old, New string
	// Status is changed, unchanged, failed, unavailable or unreproducible.
	Status string
	// Note explains a status (a log tail, how to get a builder); may span
	// lines.
	Note string
}

// Summary is one upstream file's change summary.
type Summary struct {
	// File is the path in the upstream repository, e.g. "uv.lock".
	File string
	// FODs are the FODs that depend on File.
	FODs []string
	// Headline sums the change up ("98 bumped, 8 added"); it stays in
	// view when Lines are folded away. Optional.
	Headline string
	// Lines are the rendered changes, e.g. "django 5.2.11 → 5.2.12".
	Lines []string
}

// collapseAfter is the number of summary lines shown before a summary is
// folded into a <details> element.
const collapseAfter = 8

// RenderBody renders the pull request body as GitHub-flavoured Markdown. It
// starts with a hidden marker comment (see ParseMarker). Every value is
// escaped: tags, package names and logs cannot break the Markdown.
func RenderBody(d BodyData) string {
	var b strings.Builder
	b.WriteString(renderMarker(Marker{UpstreamRepo: d.UpstreamRepo, Version: firstNonEmpty(d.Label, d.NewVersion)}) + "\n\n")
	writeCheckHeadline(&b, d)
	writeIntro(&b, d)
	writeAdvisories(&b, d.Advisories)
	writeUnclaimedLocks(&b, d)
	writeSources(&b, d.Sources)
	writeTable(&b, d.Rows)
	writeChecks(&b, d.Checks)
	writeSummaries(&b, d.Summaries)
	writeStale(&b, d.Stale)
	writeReleases(&b, d)
	writeEnvironment(&b, d)
	writeReproduce(&b, d.Reproduce)
	b.WriteString("---\n\n<sub>Opened by hashbot. It updates this pull request on its next run and closes it when a newer version supersedes it.</sub>\n")
	return b.String()
}

func writeIntro(b *strings.Builder, d BodyData) {
	repo := d.UpstreamRepo
	if repo == "" {
		repo = d.UpstreamName
	}
	repoLink := link(repo, "")
	if ghrepo.Valid(d.UpstreamRepo) {
		repoLink = link(d.UpstreamRepo, d.web()+"/"+pathEscape(d.UpstreamRepo))
	}
	moved := d.OldVersion != "" && d.NewVersion != "" && d.OldVersion != d.NewVersion
	switch {
	case moved:
		fmt.Fprintf(b, "Updates %s from **%s** to **%s** and the fixed-output derivation hashes that depend on it.\n\n",
			repoLink, text(d.OldVersion), text(d.NewVersion))
	case d.NewVersion != "":
		fmt.Fprintf(b, "Updates the fixed-output derivation hashes of %s **%s**.\n\n", repoLink, text(d.NewVersion))
	default:
		fmt.Fprintf(b, "Updates the fixed-output derivation hashes of %s.\n\n", repoLink)
	}
	rel := d.ReleaseURL
	if rel == "" {
		rel = releaseURL(d.web(), d.UpstreamRepo, d.NewTag)
	}
	cmpURL := d.CompareURL
	if cmpURL == "" && moved {
		cmpURL = compareURL(d.web(), d.UpstreamRepo, d.OldTag, d.NewTag)
	}
	if rel != "" {
		fmt.Fprintf(b, "- Release: %s\n", link(firstNonEmpty(d.NewTag, d.NewVersion, "release notes"), rel))
	}
	if cmpURL != "" {
		label := "compare"
		if d.OldTag != "" && d.NewTag != "" {
			label = d.OldTag + "..." + d.NewTag
		}
		fmt.Fprintf(b, "- Changes: %s\n", link(label, cmpURL))
	}
	if rel != "" || cmpURL != "" {
		b.WriteString("\n")
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// web is WebURL, https://github.com when unset, without a trailing slash.
func (d BodyData) web() string {
	if d.WebURL == "" {
		return "https://github.com"
	}
	return strings.TrimSuffix(d.WebURL, "/")
}
