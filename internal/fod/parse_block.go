package fod

import "bytes"

// The labels of the lines inside a Nix error block.
var (
	parseLabelSpecified = []byte("specified")
	parseLabelWanted    = []byte("wanted") // Nix 2.2–2.3
	parseLabelGot       = []byte("got")
	parseLabelReason    = []byte("Reason")
	parseLabelRequired  = []byte("Required system")
	parseLabelCurrent   = []byte("Current system")
	parseNotAvailable   = []byte("required system or feature not available")
)

// continueBlock reads text as the next line of the open block. It returns
// false when text cannot belong to the block (the caller then closes it).
func (p *Parser) continueBlock(text []byte, emit func(Result)) bool {
	t, indented := parseIndented(text)
	if !indented {
		return false
	}
	label, value, ok := bytes.Cut(t, []byte{':'})
	if p.blk.kind == parseBlockCannotBuild {
		if ok {
			p.cannotBuildLine(label, value, emit)
		}
		return true // log tails and output paths belong to the block
	}
	switch {
	case ok && (bytes.Equal(label, parseLabelSpecified) || bytes.Equal(label, parseLabelWanted)):
		h := string(parseFirstField(value))
		if sri, err := NormalizeHash(h); err == nil {
			h = sri
		}
		p.blk.res.Specified, p.blk.hasSpc = h, h != ""
	case ok && bytes.Equal(label, parseLabelGot):
		sri, err := NormalizeHash(string(parseFirstField(value)))
		if err != nil {
			return p.extraLine()
		}
		p.blk.res.Got, p.blk.hasGot = sri, true
	case ok && parseKnownBlockLabel(label):
		// likely URL, expected path, got path (Lix): not needed.
	default:
		return p.extraLine()
	}
	if p.blk.hasGot && p.blk.hasSpc {
		r := p.blk.res
		r.Kind = KindMismatch
		if p.blk.kind == parseBlockDownload {
			r.Kind = KindDownloadMismatch
		}
		p.blk = parseBlock{}
		p.emit(r, emit)
	}
	return true
}

// extraLine counts an unrecognised indented line in the open block and
// reports whether the block may stay open.
func (p *Parser) extraLine() bool {
	p.blk.extra++
	return p.blk.extra <= parseMaxExtra
}

// parseKnownBlockLabel reports labels Lix adds to a mismatch block.
func parseKnownBlockLabel(label []byte) bool {
	switch string(label) { // no allocation: the compiler matches in place
	case "likely URL", "expected path", "got path":
		return true
	}
	return false
}

// cannotBuildLine reads one "Label: value" line of a "Cannot build" block
// (Nix ≥ 2.2x) and reports the block once it is complete.
func (p *Parser) cannotBuildLine(label, value []byte, emit func(Result)) {
	r := &p.blk.res
	switch {
	case bytes.Equal(label, parseLabelReason):
		if bytes.Contains(value, parseNotAvailable) {
			r.Kind = KindUnavailable
		} else if m := parseReasonExitRe.FindSubmatch(value); m != nil {
			r.Kind = KindBuildFailed
			r.ExitCode = parseAtoi(m[1])
			res := *r
			p.blk = parseBlock{}
			p.emit(res, emit)
		}
	case bytes.Equal(label, parseLabelRequired):
		if m := parseSystemRe.FindSubmatch(value); m != nil {
			r.System, r.Features = string(m[1]), parseFeatures(m[2])
		}
	case bytes.Equal(label, parseLabelCurrent):
		if m := parseSystemRe.FindSubmatch(value); m != nil {
			r.Host = string(m[1])
		}
		if r.Kind == KindUnavailable {
			res := *r
			p.blk = parseBlock{}
			p.emit(res, emit)
		}
	}
}

// parseAtoi parses a small decimal integer, 0 when it does not fit.
func parseAtoi(b []byte) int {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' || n > 1<<20 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}
