package pulls

import (
	"net/url"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// Helpers that keep untrusted text (tags, package names, build logs) from
// breaking the Markdown around it.

// oneLine collapses all whitespace runs, newlines included, into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mentionBreak follows every '@' of untrusted text in the body: a
// zero-width space, invisible rendered and raw, after which GitHub sees no
// mention, so that an npm "@scope/name" or a log's "@user" notifies no one
// (Renovate does the same). Code spans and blocks need none: GitHub links
// no mention in code.
const mentionBreak = "\u200b"

// unmention puts mentionBreak after every '@' of s.
func unmention(s string) string {
	return strings.ReplaceAll(s, "@", "@"+mentionBreak)
}

// text renders s as literal inline Markdown on one line: it
// backslash-escapes the characters that would start emphasis, links, code,
// HTML or a table cell boundary in GitHub-flavoured Markdown, and breaks
// every @mention (unmention). An underscore inside a word ("x86_64")
// cannot start emphasis and is left as it is, so the raw body stays
// readable in a terminal.
func text(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		switch c {
		case '\\', '`', '*', '[', ']', '<', '>', '|', '~':
			b.WriteByte('\\')
		case '_':
			if i == 0 || i == len(s)-1 || !isWordByte(s[i-1]) || !isWordByte(s[i+1]) {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return unmention(b.String())
}

func isWordByte(c byte) bool {
	return c >= 0x80 || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// code renders s as an inline code span on one line, with a fence longer
// than any backtick run in s.
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// cellCode is code for a table cell: GitHub splits cells at every
// unescaped pipe, even inside a code span.
func cellCode(s string) string {
	return code(strings.ReplaceAll(s, "|", `\|`))
}

// codeBlock renders s as a fenced block of the given info string, with a
// fence no line of s can close.
func codeBlock(info, s string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + info + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := range len(s) {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// pathEscape escapes each slash-separated segment of p for a URL path and
// keeps the slashes: GitHub's release and compare pages take tags such as
// "version/2026.2.2" with a literal slash.
func pathEscape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// releaseURL and compareURL build links on the web host from a repository
// and tags; "" when the inputs cannot make a sensible link.
func releaseURL(web, repo, tag string) string {
	if !ghrepo.Valid(repo) || tag == "" {
		return ""
	}
	return web + "/" + pathEscape(repo) + "/releases/tag/" + pathEscape(tag)
}

func compareURL(web, repo, oldTag, newTag string) string {
	if !ghrepo.Valid(repo) || oldTag == "" || newTag == "" || oldTag == newTag {
		return ""
	}
	return web + "/" + pathEscape(repo) + "/compare/" + pathEscape(oldTag) + "..." + pathEscape(newTag)
}

// link renders a Markdown link whose label is escaped text; the bare label
// when there is no URL or it is not one a link can hold (URLs come from
// GitHub's answers: an html_url with a newline or a javascript: scheme
// must not break, or run in, the body).
func link(label, u string) string {
	if !linkable(u) {
		return text(label)
	}
	return "[" + text(label) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u) + ")"
}

// linkable says whether u is an absolute http(s) URL without blanks or
// control characters.
func linkable(u string) bool {
	if u == "" || strings.IndexFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return false
	}
	parsed, err := url.Parse(u)
	return err == nil && (parsed.Scheme == "https" || parsed.Scheme == "http") && parsed.Host != ""
}
