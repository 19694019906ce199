package pulls

import (
	"fmt"
	"slices"
	"strings"
)

// Statuses a CheckRow carries (the engine's check statuses).
const (
	CheckBuilt    = "built"
	CheckFailed   = "failed"
	CheckNotTried = "not tried"
)

// CheckRow is one [check] attribute built for one system.
type CheckRow struct {
	// Attr is the attribute as hashbot.toml names it; System its platform.
	Attr, System string
	// Status is built, failed or not tried.
	Status string
	// Failed names the derivation that failed ("authentik-worker").
	Failed string
	// Note explains a status other than built; LogTail is the failed
	// derivation's readable, redacted log tail.
	Note    string
	LogTail []string
}

// writeCheckHeadline writes the body's first line when there was a check:
// what failed, where, at which version, or where everything built. A
// failed check is said before anything else.
func writeCheckHeadline(b *strings.Builder, d BodyData) {
	rows := d.Checks
	if len(rows) == 0 {
		return
	}
	failed := filterChecks(rows, CheckFailed)
	if len(failed) > 0 {
		attrs := uniq(failed, func(r CheckRow) string { return code(r.Attr) })
		verb := "does not build"
		if len(attrs) > 1 {
			verb = "do not build"
		}
		fmt.Fprintf(b, "**The hashes are Nix's own, but %s %s on %s at %s", andList(attrs), verb,
			andList(uniq(failed, func(r CheckRow) string { return text(r.System) })), text(d.NewVersion))
		if drvs := uniq(failed, func(r CheckRow) string { return code(r.Failed) }); len(drvs) > 0 {
			fmt.Fprintf(b, ": %s failed (below).**\n\n", andList(drvs))
		} else {
			b.WriteString(" (below).**\n\n")
		}
		return
	}
	attrs := andList(uniq(rows, func(r CheckRow) string { return code(r.Attr) }))
	built := uniq(filterChecks(rows, CheckBuilt), func(r CheckRow) string { return text(r.System) })
	notTried := uniq(filterChecks(rows, CheckNotTried), func(r CheckRow) string { return text(r.System) })
	switch {
	case len(notTried) == 0:
		fmt.Fprintf(b, "The hashes are Nix's own, and %s built on %s.\n\n", attrs, andList(built))
	case len(built) == 0:
		fmt.Fprintf(b, "The hashes are Nix's own; %s was not tried on %s (below).\n\n", attrs, andList(notTried))
	default:
		fmt.Fprintf(b, "The hashes are Nix's own, and %s built on %s; not tried on %s (below).\n\n", attrs, andList(built), andList(notTried))
	}
}

// writeChecks writes the check's table, then each failure's reason with
// its log folded.
func writeChecks(b *strings.Builder, rows []CheckRow) {
	if len(rows) == 0 {
		return
	}
	b.WriteString("### Build check\n\n| attribute | system | result |\n| --- | --- | --- |\n")
	for _, r := range rows {
		result := statusCell(r.Status)
		if r.Status == CheckBuilt {
			result = text(r.Status)
		}
		if r.Failed != "" {
			result += ": " + cellCode(r.Failed)
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", cellCode(r.Attr), cellCode(r.System), result)
	}
	b.WriteString("\n")
	for _, r := range rows {
		if r.Note == "" && len(r.LogTail) == 0 {
			continue
		}
		fmt.Fprintf(b, "- %s on %s (%s): %s\n", code(r.Attr), code(r.System), text(r.Status), text(r.Note))
		if len(r.LogTail) > 0 {
			what := "log"
			if r.Failed != "" {
				what = r.Failed + " log"
			}
			fmt.Fprintf(b, "\n  <details><summary>%s</summary>\n\n%s\n  </details>\n\n",
				htmlEscaper.Replace(unmention(oneLine(what))), indent(codeBlock("text", strings.Join(r.LogTail, "\n")), "  "))
		}
	}
	b.WriteString("\n")
}

func filterChecks(rows []CheckRow, status string) []CheckRow {
	return slices.DeleteFunc(slices.Clone(rows), func(r CheckRow) bool { return r.Status != status })
}

// uniq maps rows with f and keeps the first of each non-empty value, in
// order.
func uniq(rows []CheckRow, f func(CheckRow) string) []string {
	var out []string
	for _, r := range rows {
		if v := f(r); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// andList joins "a", "a and b", "a, b and c".
func andList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
