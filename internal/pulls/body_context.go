package pulls

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The body's sections on what the move brings beyond the hashes: lock
// files upstream has that no FOD reads, the advisories it fixes, and the
// releases it spans with the candidate's notes. Every value is GitHub's
// answer, written by whoever can publish upstream: escaped like the rest.

// ReleaseRow is one upstream release the change moves across.
type ReleaseRow struct {
	// Tag ("version/2026.2.2"), Name (its title) and URL (its page).
	Tag, Name, URL string
	// Published is when it was published; zero when unknown.
	Published time.Time
}

// AdvisoryRow is an upstream security advisory the change fixes.
type AdvisoryRow struct {
	// ID is the GHSA id; CVE the CVE id ("" for none).
	ID, CVE  string
	Severity string
	Summary  string
	// URL is the advisory's page.
	URL string
}

// LockRow is an upstream lock file no FOD reads.
type LockRow struct {
	// Path is the file in the upstream repository.
	Path string
	// New is true when the pinned version had no such file.
	New bool
}

// Bounds that keep the body under GitHub's 65,536 characters whatever
// upstream writes.
const (
	// maxNotes bounds the release notes shown, in bytes.
	maxNotes = 8000
	// maxReleaseRows bounds the releases listed.
	maxReleaseRows = 30
	// maxSummary bounds an advisory's summary, in bytes.
	maxSummary = 300
	// maxLockRows and maxAdvisoryRows bound the unclaimed lock files and
	// the advisories listed.
	maxLockRows     = 20
	maxAdvisoryRows = 20
)

// writeUnclaimedLocks says which lock files of the new version no FOD
// reads: a dependency set the recipes may miss.
func writeUnclaimedLocks(b *strings.Builder, d BodyData) {
	if len(d.UnclaimedLocks) == 0 {
		return
	}
	b.WriteString("### Lock files no FOD reads\n\n")
	for i, l := range d.UnclaimedLocks {
		if i == maxLockRows {
			fmt.Fprintf(b, "- and %d more\n", len(d.UnclaimedLocks)-i)
			break
		}
		b.WriteString("- " + lockSentence(d.UpstreamName, d.NewVersion, l) + "\n")
	}
	b.WriteString("\nThe package may need a fetcher these hashes do not cover: name the file in a FOD's `inputs`, " +
		"or in `[check] ignore-locks` of hashbot.toml when nothing needs it.\n\n")
}

// lockSentence says that upstream's version has (or added) the lock file
// l and that no FOD reads it, as Markdown: "upstream 2026.5.6 added
// `Cargo.lock`; no FOD reads it".
func lockSentence(upstreamName, version string, l LockRow) string {
	verb := "has"
	if l.New {
		verb = "added"
	}
	return fmt.Sprintf("%s %s %s %s; no FOD reads it", text(firstNonEmpty(upstreamName, "upstream")), text(version), verb, code(l.Path))
}

// writeAdvisories lists the security advisories the change fixes.
func writeAdvisories(b *strings.Builder, rows []AdvisoryRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("### Security advisories fixed\n\n| advisory | CVE | severity | summary |\n| --- | --- | --- | --- |\n")
	for i, a := range rows {
		if i == maxAdvisoryRows {
			fmt.Fprintf(b, "\nand %d more.\n", len(rows)-i)
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", link(firstNonEmpty(a.ID, "advisory"), a.URL),
			text(firstNonEmpty(a.CVE, "–")), text(firstNonEmpty(a.Severity, "–")), text(truncate(a.Summary, maxSummary)))
	}
	b.WriteString("\n")
}

// writeReleases lists the releases the change spans and folds the new
// version's notes, sanitised and bounded, into a <details> element.
func writeReleases(b *strings.Builder, d BodyData) {
	if len(d.Releases) == 0 && strings.TrimSpace(d.Notes) == "" {
		return
	}
	b.WriteString("### Upstream releases\n\n")
	rows := d.Releases
	if len(rows) > maxReleaseRows {
		fmt.Fprintf(b, "%d releases; the newest %d:\n\n", len(rows), maxReleaseRows)
		rows = rows[len(rows)-maxReleaseRows:]
	}
	for _, r := range rows {
		line := "- " + link(firstNonEmpty(r.Tag, r.Name, "release"), r.URL)
		if r.Name != "" && !strings.HasSuffix(r.Tag, r.Name) { // a title other than the version
			line += " " + text(truncate(r.Name, 200))
		}
		if !r.Published.IsZero() {
			line += " (" + r.Published.UTC().Format(time.DateOnly) + ")"
		}
		b.WriteString(line + "\n")
	}
	if len(rows) > 0 {
		b.WriteString("\n")
	}
	if strings.TrimSpace(d.Notes) == "" {
		return
	}
	rel := firstNonEmpty(d.ReleaseURL, releaseURL(d.web(), d.UpstreamRepo, d.NewTag))
	fmt.Fprintf(b, "<details>\n<summary>Release notes of %s</summary>\n\n", htmlText(firstNonEmpty(d.NewTag, d.NewVersion)))
	b.WriteString(sanitizeNotes(d.Notes, rel))
	b.WriteString("\n</details>\n\n")
}

// sanitizeNotes renders upstream's release notes harmless in the body:
// no raw HTML (every '<' and '>' outside code becomes an entity, so no tag
// opens, and a "</details>" cannot close the section), no notification
// (@mentions broken) and no cross-reference (#123 and GH-123 broken,
// github.com links sent through redirect.github.com, which GitHub does not
// count as a mention), a code fence left open closed, and at most maxNotes
// bytes, cut at a line, with a link to the rest.
func sanitizeNotes(notes, moreURL string) string {
	notes = strings.ReplaceAll(strings.ReplaceAll(notes, "\r\n", "\n"), "\r", "\n")
	cut := len(notes) > maxNotes
	if cut {
		notes = truncateBytes(notes, maxNotes)
		if i := strings.LastIndexByte(notes, '\n'); i > maxNotes/2 {
			notes = notes[:i]
		}
	}
	var b strings.Builder
	fence := ""
	for line := range strings.SplitSeq(notes, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case fence != "" && strings.HasPrefix(trimmed, fence):
			fence = ""
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence = trimmed[:3]
		case fence == "":
			line = neutralize(line)
		}
		b.WriteString(line + "\n")
	}
	if fence != "" {
		b.WriteString(fence + "\n")
	}
	if cut {
		more := "the rest on the release page"
		if linkable(moreURL) {
			more = link("the rest on the release page", moreURL)
		}
		fmt.Fprintf(&b, "\n_The notes are cut here: %s._\n", more)
	}
	return b.String()
}

// neutralize makes one line of Markdown outside code harmless: see
// sanitizeNotes.
func neutralize(line string) string {
	line = strings.NewReplacer("<", "&lt;", ">", "&gt;", "https://github.com/", "https://redirect.github.com/",
		"http://github.com/", "https://redirect.github.com/").Replace(line)
	line = unmention(line)
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		b.WriteByte(c)
		next := i+1 < len(line) && '0' <= line[i+1] && line[i+1] <= '9'
		switch {
		case c == '#' && next && (i == 0 || line[i-1] != '/'):
			b.WriteString(mentionBreak)
		case (c == '-') && next && i >= 2 && strings.EqualFold(line[i-2:i], "gh"):
			b.WriteString(mentionBreak)
		}
	}
	return b.String()
}

// htmlText escapes s for the text of an HTML element on one line.
func htmlText(s string) string {
	return unmention(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(oneLine(s)))
}

// truncate bounds s to n bytes on one line, ending in "…" when cut.
func truncate(s string, n int) string {
	s = oneLine(s)
	if len(s) <= n {
		return s
	}
	return truncateBytes(s, n) + "…"
}

// truncateBytes cuts s to at most n bytes without splitting a character.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
