package fod

import (
	"bytes"
	"regexp"
	"strconv"
)

// The text of Nix's own messages that open a block or stand alone. Each is
// checked with bytes.Index before any regular expression runs.
var (
	parseHashMismatchIn = []byte("hash mismatch in ")
	parseFODHeader      = []byte("fixed-output derivation '")
	parseDownloadHeader = []byte("file downloaded from '")
	parseHeaderEnd      = []byte("':")
	parseBuilderFor     = []byte("builder for '")
	parseRequiredToBld  = []byte("is required to build '")
	parseCannotBuild    = []byte("Cannot build '")
	// Nix < 2.3x: "N dependencies of derivation '<drv>' failed to build";
	// Nix ≥ 2.3x says it in a Cannot build block ("Reason: 1 dependency
	// failed.").
	parseDependenciesOf = []byte("dependencies of derivation '")

	// Nix ≥ 2.4: build of '<drv>' on '<machine>' failed: <inner error>.
	// Newer Nix drops "on '<machine>'" for some builders.
	parseWrapperRe = regexp.MustCompile(`build of '[^']*'(?: on '([^']*)')? failed: `)
	// builder for '<drv>' failed with exit code N / failed due to signal N.
	parseBuilderRe = regexp.MustCompile(`builder for '([^']+)' failed(?: with exit code (-?\d+)| due to signal (\d+))?`)
	// a '<system>' with features {<f>} is required to build '<drv>', but I am
	// a '<host>' with features {<f>}.
	parseRequiredRe = regexp.MustCompile(`a '([^']*)' with features \{([^}]*)\} is required to build '([^']+)', but I am a '([^']*)'`)
	// '<system>', with features {<f>} before Nix 2.3x (the Required and
	// Current system lines of a Cannot build block).
	parseSystemRe = regexp.MustCompile(`'([^']*)'(?: with features \{([^}]*)\})?`)
	// {<f>, <g>} (a Cannot build block's Required features line).
	parseFeatureSetRe = regexp.MustCompile(`\{([^}]*)\}`)
	// builder failed with exit code N (a Cannot build block's Reason line).
	parseReasonExitRe = regexp.MustCompile(`builder failed with exit code (-?\d+)`)
	// N dependency failed / N dependencies failed (ditto).
	parseReasonDepRe = regexp.MustCompile(`\d+ dependenc(?:y|ies) failed`)
	// N dependencies of derivation '<drv>' failed to build.
	parseDepsFailedRe = regexp.MustCompile(`dependencies of derivation '([^']+)' failed to build`)
)

// scanMessage looks for a block header or a one-line result in text, a
// cleaned line of Nix output, and opens the block or reports the result.
func (p *Parser) scanMessage(text []byte, lineNo int, emit func(Result)) {
	if i := bytes.Index(text, parseHashMismatchIn); i >= 0 {
		p.scanMismatchHeader(text[:i], text[i+len(parseHashMismatchIn):], lineNo)
		return
	}
	if i := bytes.Index(text, parseBuilderFor); i >= 0 && !parseInLogTail(text[:i]) {
		m := parseBuilderRe.FindSubmatch(text[i:])
		if m == nil || !parseValidPath(m[1]) {
			return
		}
		r := Result{Kind: KindBuildFailed, Path: string(m[1]), Machine: parseMachine(text[:i]), Line: lineNo}
		if len(m[2]) > 0 {
			r.ExitCode, _ = strconv.Atoi(string(m[2]))
		}
		p.emit(r, emit)
		return
	}
	if i := bytes.Index(text, parseRequiredToBld); i >= 0 && !parseInLogTail(text[:i]) {
		m := parseRequiredRe.FindSubmatch(text)
		if m == nil || !parseValidPath(m[3]) {
			return
		}
		p.emit(Result{
			Kind: KindUnavailable, Path: string(m[3]), System: string(m[1]),
			Features: parseFeatures(m[2]), Host: string(m[4]),
			Machine: parseMachine(text[:i]), Line: lineNo,
		}, emit)
		return
	}
	if i := bytes.Index(text, parseDependenciesOf); i >= 0 && !parseInLogTail(text[:i]) {
		if m := parseDepsFailedRe.FindSubmatch(text[i:]); m != nil && parseValidPath(m[1]) {
			p.emit(Result{Kind: KindDependencyFailed, Path: string(m[1]), Machine: parseMachine(text[:i]), Line: lineNo}, emit)
		}
		return
	}
	if i := bytes.Index(text, parseCannotBuild); i >= 0 && !parseInLogTail(text[:i]) {
		rest := text[i+len(parseCannotBuild):]
		end := bytes.IndexByte(rest, '\'')
		if end < 0 || !parseValidPath(rest[:end]) {
			return
		}
		p.blk = parseBlock{kind: parseBlockCannotBuild, res: Result{
			Path: string(rest[:end]), Machine: parseMachine(text[:i]), Line: lineNo,
		}}
	}
}

// scanMismatchHeader opens a mismatch block from the text before and after
// "hash mismatch in ".
func (p *Parser) scanMismatchHeader(prefix, rest []byte, lineNo int) {
	if parseInLogTail(prefix) {
		return
	}
	var kind parseBlockKind
	switch {
	case bytes.HasPrefix(rest, parseFODHeader):
		kind, rest = parseBlockMismatch, rest[len(parseFODHeader):]
	case bytes.HasPrefix(rest, parseDownloadHeader):
		kind, rest = parseBlockDownload, rest[len(parseDownloadHeader):]
	default:
		return // e.g. "hash mismatch importing path": not a FOD
	}
	end := bytes.Index(rest, parseHeaderEnd)
	if end < 0 {
		end = bytes.LastIndexByte(rest, '\'')
	}
	if end < 0 {
		return
	}
	valid := parseValidPath
	if kind == parseBlockDownload {
		valid = parseValidURL
	}
	if !valid(rest[:end]) {
		return
	}
	r := Result{Machine: parseMachine(prefix), Line: lineNo}
	if kind == parseBlockMismatch {
		r.Path = string(rest[:end])
	} else {
		r.URL = string(rest[:end])
	}
	p.blk = parseBlock{kind: kind, res: r}
}

// parseMachine returns the remote builder named by a "build of … on …
// failed:" wrapper in prefix, or "".
func parseMachine(prefix []byte) string {
	if len(prefix) == 0 {
		return ""
	}
	m := parseWrapperRe.FindSubmatch(prefix)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// parseFeatures splits Nix's "a, b, c" feature list.
func parseFeatures(s []byte) []string {
	var out []string
	for f := range bytes.SplitSeq(s, []byte(",")) {
		if f = bytes.TrimSpace(f); len(f) > 0 {
			out = append(out, string(f))
		}
	}
	return out
}
