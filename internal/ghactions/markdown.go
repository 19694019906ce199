package ghactions

import "strings"

// MarkdownTable renders a GitHub-flavoured Markdown table with header as its
// first row. Cells are escaped so that a '|' or a line break in a value
// cannot break the table; rows shorter than the header are padded.
func MarkdownTable(header []string, rows [][]string) string {
	var b strings.Builder
	writeRow := func(cells []string) {
		b.WriteString("|")
		for i := range header {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			b.WriteString(" ")
			b.WriteString(markdownCell(cell))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	writeRow(header)
	b.WriteString("|")
	for range header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, r := range rows {
		writeRow(r)
	}
	return b.String()
}

// markdownCell escapes s for a table cell: '|' would end the cell and a line
// break the row; '\' is escaped so that a value ending in one cannot
// swallow the cell separator.
func markdownCell(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '|':
			b.WriteString(`\|`)
		case '\n', '\r':
			b.WriteString("<br>")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
