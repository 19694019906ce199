package pulls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/config"
)

// Statuses a HashRow can carry (the engine's per-target statuses).
const (
	StatusChanged   = "changed"
	StatusUnchanged = "unchanged"
)

func writeTable(b *strings.Builder, rows []HashRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("### Hashes\n\n| FOD | system | old → new | status |\n| --- | --- | --- | --- |\n")
	counts := map[string]int{}
	var order []string
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cellCode(r.FOD), systemCell(r.System), hashCell(r), statusCell(r.Status))
		if counts[r.Status] == 0 {
			order = append(order, r.Status)
		}
		counts[r.Status]++
	}
	parts := make([]string, 0, len(order))
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], text(firstNonEmpty(s, "unknown"))))
	}
	fmt.Fprintf(b, "\n%s.\n\n", strings.Join(parts, ", "))
	writeNotes(b, rows)
}

func systemCell(s string) string {
	if s == "" {
		return config.AllSystems
	}
	return cellCode(s)
}

// hashCell shows "old → new" when the hash moved, and the one hash
// otherwise, so unchanged rows stay short.
func hashCell(r HashRow) string {
	none := "_none_"
	old, nw := cellCode(r.Old), cellCode(r.New)
	if old == "" {
		old = none
	}
	switch {
	case r.New == "" || r.New == r.Old:
		return old
	default:
		return old + " → " + nw
	}
}

func statusCell(s string) string {
	switch s {
	case StatusChanged, StatusUnchanged:
		return text(s)
	case "":
		return "_unknown_"
	default:
		return "**" + text(s) + "**"
	}
}

// writeNotes lists the rows that carry a note under the table; multi-line
// notes (build log tails) are folded.
func writeNotes(b *strings.Builder, rows []HashRow) {
	wrote := false
	for _, r := range rows {
		note := strings.TrimSpace(r.Note)
		if note == "" {
			continue
		}
		target := code(r.FOD)
		if r.System != "" {
			target += " on " + code(r.System)
		}
		if !strings.Contains(note, "\n") {
			fmt.Fprintf(b, "- %s (%s): %s\n", target, text(r.Status), text(note))
			wrote = true
			continue
		}
		fmt.Fprintf(b, "- %s (%s):\n\n  <details><summary>log</summary>\n\n%s\n  </details>\n\n", target, text(r.Status), indent(codeBlock("text", note), "  "))
		wrote = true
	}
	if wrote {
		b.WriteString("\n")
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func writeSummaries(b *strings.Builder, sums []Summary) {
	if len(sums) == 0 {
		return
	}
	b.WriteString("### Upstream lock-file changes\n\n")
	for _, s := range sums {
		head := code(s.File)
		if len(s.FODs) > 0 {
			fods := make([]string, len(s.FODs))
			for i, f := range s.FODs {
				fods[i] = code(f)
			}
			head += " (" + strings.Join(fods, ", ") + ")"
		}
		headline := oneLine(s.Headline)
		switch n := len(s.Lines); {
		case n == 0 && headline != "":
			fmt.Fprintf(b, "%s: %s\n\n", head, text(headline))
		case n == 0:
			fmt.Fprintf(b, "%s: no changes.\n\n", head)
		case n <= collapseAfter && headline != "":
			fmt.Fprintf(b, "%s: %s\n\n%s\n", head, text(headline), bullets(s.Lines))
		case n <= collapseAfter:
			fmt.Fprintf(b, "%s:\n\n%s\n", head, bullets(s.Lines))
		default:
			if headline == "" {
				headline = fmt.Sprintf("%d changes", n)
			}
			// Inside <summary> Markdown is not rendered: use HTML there.
			fmt.Fprintf(b, "<details>\n<summary>%s: %s</summary>\n\n%s\n</details>\n\n",
				htmlSummary(s), htmlEscaper.Replace(unmention(headline)), bullets(s.Lines))
		}
	}
}

func bullets(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("- " + text(l) + "\n")
	}
	return b.String()
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func htmlSummary(s Summary) string {
	out := "<code>" + htmlEscaper.Replace(oneLine(s.File)) + "</code>"
	if len(s.FODs) > 0 {
		fods := make([]string, len(s.FODs))
		for i, f := range s.FODs {
			fods[i] = "<code>" + htmlEscaper.Replace(oneLine(f)) + "</code>"
		}
		out += " (" + strings.Join(fods, ", ") + ")"
	}
	return out
}

func writeStale(b *strings.Builder, stale map[string][]string) {
	if len(stale) == 0 {
		return
	}
	b.WriteString("### Why these were rebuilt\n\n")
	names := make([]string, 0, len(stale))
	for n := range stale {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		reasons := make([]string, len(stale[n]))
		for i, r := range stale[n] {
			reasons[i] = text(r)
		}
		fmt.Fprintf(b, "- %s: %s\n", code(n), firstNonEmpty(strings.Join(reasons, "; "), "stale"))
	}
	b.WriteString("\n")
}

func writeEnvironment(b *strings.Builder, d BodyData) {
	b.WriteString("### How it was built\n\n")
	if d.NixVersion != "" {
		fmt.Fprintf(b, "- Nix %s\n", text(d.NixVersion))
	}
	if len(d.Builders) > 0 {
		bs := make([]string, len(d.Builders))
		for i, s := range d.Builders {
			bs[i] = text(s)
		}
		fmt.Fprintf(b, "- Builders: %s\n", strings.Join(bs, ", "))
	}
	if d.Verify != "" {
		fmt.Fprintf(b, "- Verified: %s\n", text(d.Verify))
	} else {
		b.WriteString("- Not verified: the new hashes were not rebuilt with `nix-build --check` (run `hashbot update --verify`).\n")
	}
	b.WriteString("\n")
}

func writeReproduce(b *strings.Builder, cmds []string) {
	if len(cmds) == 0 {
		return
	}
	b.WriteString("### Reproduce locally\n\n")
	b.WriteString(codeBlock("sh", strings.Join(cmds, "\n")))
	b.WriteString("\n")
}

// writeSources lists the sources the change moves, with their compare
// links and new hashes.
func writeSources(b *strings.Builder, rows []SourceRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("### Sources\n\n| source | old → new | hash |\n| --- | --- | --- |\n")
	for _, r := range rows {
		move := cellCode(shortRev(r.From)) + " → " + cellCode(shortRev(r.To))
		if r.From == "" {
			move = cellCode(shortRev(r.To))
		}
		if linkable(r.CompareURL) {
			move = strings.ReplaceAll(link(shortRev(r.From)+"..."+shortRev(r.To), r.CompareURL), "|", `\|`)
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", cellCode(r.Name+" ("+r.Repo+")"), move, cellCode(r.Hash))
	}
	b.WriteString("\n")
}

// shortRev abbreviates a commit id; tags pass unchanged.
func shortRev(rev string) string {
	if len(rev) == 40 && strings.Trim(rev, "0123456789abcdef") == "" {
		return rev[:12]
	}
	return rev
}
