package fod

import (
	"bytes"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// The labels of the lines inside a Nix error block.
var (
	parseLabelSpecified = []byte("specified")
	parseLabelWanted    = []byte("wanted") // Nix 2.2–2.3
	parseLabelGot       = []byte("got")
	parseLabelReason    = []byte("Reason")
	parseLabelRequired  = []byte("Required system")
	parseLabelCurrent   = []byte("Current system")
	parseLabelReqFeat   = []byte("Required features")
	parseLabelAvailFeat = []byte("Available features")
	// The Reasons of a "Cannot build" block that mean no builder here can
	// build it: Nix 2.2x's, then Nix ≥ 2.3x's two.
	parseUnavailableReasons = [][]byte{
		[]byte("required system or feature not available"),
		[]byte("platform mismatch"),
		[]byte("missing system features"),
	}
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
		if sri, err := pins.NormalizeHash(h); err == nil {
			h = sri
		}
		p.blk.res.Specified, p.blk.hasSpc = h, h != ""
	case ok && bytes.Equal(label, parseLabelGot):
		sri, err := pins.NormalizeHash(string(parseFirstField(value)))
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
	done := func() {
		res := *r
		p.blk = parseBlock{}
		p.emit(res, emit)
	}
	switch {
	case bytes.Equal(label, parseLabelReason):
		if parseIsUnavailableReason(value) {
			r.Kind = KindUnavailable
		} else if m := parseReasonExitRe.FindSubmatch(value); m != nil {
			r.Kind = KindBuildFailed
			r.ExitCode = parseAtoi(m[1])
			done()
		} else if parseReasonDepRe.Match(value) {
			r.Kind = KindDependencyFailed
			done()
		}
	case bytes.Equal(label, parseLabelRequired):
		if m := parseSystemRe.FindSubmatch(value); m != nil {
			r.System = string(m[1])
			if f := parseFeatures(m[2]); f != nil {
				r.Features = f
			}
		}
	case bytes.Equal(label, parseLabelReqFeat):
		if m := parseFeatureSetRe.FindSubmatch(value); m != nil {
			r.Features = parseFeatures(m[1])
		}
	case bytes.Equal(label, parseLabelCurrent):
		if m := parseSystemRe.FindSubmatch(value); m != nil {
			r.Host = string(m[1])
		}
		if r.Kind == KindUnavailable {
			done()
		}
	case bytes.Equal(label, parseLabelAvailFeat):
		if r.Kind == KindUnavailable {
			done()
		}
	}
}

// parseIsUnavailableReason says whether a "Cannot build" Reason means no
// builder here can build the derivation.
func parseIsUnavailableReason(value []byte) bool {
	for _, r := range parseUnavailableReasons {
		if bytes.Contains(value, r) {
			return true
		}
	}
	return false
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
