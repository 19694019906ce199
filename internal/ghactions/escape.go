package ghactions

import "strings"

// EscapeData escapes s for use as the message of a workflow command, so that
// a newline in it cannot end the command and start another: '%', '\r' and
// '\n' become %25, %0D and %0A, which the runner decodes back.
func EscapeData(s string) string { return escape(s, false) }

// EscapeProperty escapes s for use as a property value of a workflow command
// (file=…, title=…): like EscapeData, and ':' and ',' as well (%3A, %2C),
// which would otherwise end the value.
func EscapeProperty(s string) string { return escape(s, true) }

// escape percent-encodes the characters the runner treats specially. '%' is
// itself encoded, so an escape is never decoded twice.
func escape(s string, property bool) string {
	if !strings.ContainsAny(s, "%\r\n:,") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b.WriteString("%25")
		case c == '\r':
			b.WriteString("%0D")
		case c == '\n':
			b.WriteString("%0A")
		case c == ':' && property:
			b.WriteString("%3A")
		case c == ',' && property:
			b.WriteString("%2C")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
