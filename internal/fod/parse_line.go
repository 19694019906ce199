package fod

import "bytes"

// Line-level helpers of the parser: the cheap prefilter, ANSI stripping and
// the prefixes CI systems put in front of log lines.

var (
	parseNixJSONPrefix = []byte("@nix ")
	parseLogTailMark   = []byte("> ")
)

// maybeInteresting is the prefilter every text line goes through while no
// block is open: every header the parser knows quotes a store path or URL
// in single quotes, and internal-json lines start with "@nix ".
func (p *Parser) maybeInteresting(line []byte) bool {
	return bytes.IndexByte(line, '\'') >= 0 || (p.opts.Format == LogAny && parseIsNixJSON(line))
}

// parseIsNixJSON reports whether line is an internal-json log line.
func parseIsNixJSON(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(parseStripTimestamp(line), " \t"), parseNixJSONPrefix)
}

// clean returns line as a terminal would show it: ANSI escape sequences
// removed, only the text after the last carriage return (a progress bar
// overwritten), and no leading CI timestamp. The result may alias p.scratch.
func (p *Parser) clean(line []byte) []byte {
	if bytes.IndexByte(line, 0x1b) >= 0 {
		p.scratch = parseStripANSI(p.scratch[:0], line)
		line = p.scratch
	}
	for {
		i := bytes.LastIndexByte(line, '\r')
		if i < 0 {
			break
		}
		if i == len(line)-1 {
			line = line[:i]
			continue
		}
		line = line[i+1:]
		break
	}
	return parseStripTimestamp(line)
}

// parseStripANSI appends s without its ANSI escape sequences (CSI colour
// codes, OSC hyperlinks, two-byte escapes) to dst.
func parseStripANSI(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != 0x1b {
			dst = append(dst, c)
			i++
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch s[i] {
		case '[': // CSI: parameters, intermediates, one final byte
			i++
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
			i++
		case ']': // OSC: up to BEL or ESC \
			i++
			for i < len(s) {
				if s[i] == 0x07 {
					i++
					break
				}
				if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
					i += 2
					break
				}
				i++
			}
		default:
			i++
		}
	}
	return dst
}

// parseStripTimestamp removes a leading RFC 3339 UTC timestamp and the space
// after it, as GitHub Actions puts in front of each line of a raw log
// ("2024-05-01T12:00:00.1234567Z ").
func parseStripTimestamp(line []byte) []byte {
	if len(line) < 21 || line[4] != '-' || line[7] != '-' || line[10] != 'T' || line[13] != ':' {
		return line
	}
	for i := 0; i < 4; i++ {
		if line[i] < '0' || line[i] > '9' {
			return line
		}
	}
	end := bytes.IndexByte(line[:min(len(line), 40)], ' ')
	if end < 0 || line[end-1] != 'Z' {
		return line
	}
	return line[end+1:]
}

// parseInLogTail reports whether the text in front of a header is a log-tail
// or per-build prefix ("       > ", "hello> "): then the header is a
// builder's own output (a nested Nix), not this Nix's error.
func parseInLogTail(prefix []byte) bool {
	return bytes.Contains(prefix, parseLogTailMark)
}

// parseIndented returns line without its leading blanks and whether it had
// any: the continuation lines of a Nix error are indented.
func parseIndented(line []byte) ([]byte, bool) {
	t := bytes.TrimLeft(line, " \t")
	return t, len(t) < len(line) && len(t) > 0
}

// parseFirstField returns the first blank-separated word of s.
func parseFirstField(s []byte) []byte {
	s = bytes.TrimLeft(s, " \t")
	if i := bytes.IndexAny(s, " \t"); i >= 0 {
		s = s[:i]
	}
	return s
}

// parseValidPath reports whether s can be a store path taken from a header:
// absolute and free of control characters.
func parseValidPath(s []byte) bool {
	return len(s) > 0 && s[0] == '/' && parseValidURL(s)
}

// parseValidURL reports whether s can be a URL taken from a header: not
// empty and free of control characters.
func parseValidURL(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
