package fod

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parseMaxLine is how much of one log line the parser looks at. Longer lines
// (a minified file dumped by a builder) are cut: the rest is skipped
// without being buffered. Every Nix message line the parser reads is far
// shorter.
const parseMaxLine = 64 << 10

// parseMaxExtra is how many unrecognised indented lines an open mismatch
// block tolerates (room for lines a future Nix adds) before it is closed.
const parseMaxExtra = 8

// parseMaxSeen bounds the set of results remembered to drop duplicates
// (Determinate Nix reports a mismatch twice: once structured, once as text).
const parseMaxSeen = 4096

// Parser is a streaming, line-by-line state machine over a Nix build log.
// It keeps at most one open block and a bounded set of results already
// reported, so its memory does not grow with the log. The zero value is
// not ready for use; call NewParser.
type Parser struct {
	opts    ParserOptions
	line    int
	blk     parseBlock
	seen    map[parseSeenKey]struct{}
	scratch []byte
	builds  map[uint64]string // internal-json activity id -> the .drv it builds
}

// ParserOptions tune a Parser.
type ParserOptions struct {
	// Format says which lines can hold Nix's messages; the zero value,
	// LogAny, reads text and internal-json lines alike (a log of unknown
	// origin, `hashbot parse`).
	Format LogFormat
	// BuildStarted, when set, is called with the .drv of each build an
	// internal-json log starts.
	BuildStarted func(drv string)
	// BuildOutput, when set, is called with each line an internal-json log
	// says a builder printed, and the .drv it belongs to. The parser never
	// reads these lines as Nix's messages.
	BuildOutput func(drv string, line []byte)
	// Message, when set, is called with the text of each message Nix itself
	// logged in an internal-json log (errors, warnings, progress notes).
	Message func(text string)
}

// parseBlockKind says which multi-line block is open.
type parseBlockKind int

const (
	parseBlockNone        parseBlockKind = iota
	parseBlockMismatch                   // hash mismatch in fixed-output derivation
	parseBlockDownload                   // hash mismatch in file downloaded from
	parseBlockCannotBuild                // Cannot build '<drv>'. (Nix ≥ 2.2x)
)

// parseBlock is the open multi-line block: its header and the hash lines
// read so far.
type parseBlock struct {
	kind   parseBlockKind
	res    Result
	extra  int
	hasGot bool
	hasSpc bool
}

// parseSeenKey identifies a result for dropping duplicates; Line is left
// out on purpose.
type parseSeenKey struct {
	kind                                 Kind
	path, url, specified, got, sys, host string
	features, machine                    string
	exitCode                             int
}

// LogFormat is the log format a Parser reads.
type LogFormat int

// The log formats.
const (
	// LogAny reads Nix's text messages and internal-json events.
	LogAny LogFormat = iota
	// LogText reads text only: an "@nix {…}" line in a text log is a
	// builder's output, never Nix's event.
	LogText
	// LogStructured reads internal-json events only (a Nix run with
	// --log-format internal-json): there a builder's output always arrives
	// as a build-log event, so any other line is noise.
	LogStructured
)

// NewParser returns a Parser at the start of a log, in any format.
func NewParser() *Parser { return NewParserWith(ParserOptions{}) }

// NewParserWith returns a Parser with options at the start of a log.
func NewParserWith(opts ParserOptions) *Parser {
	return &Parser{opts: opts, seen: make(map[parseSeenKey]struct{}), builds: make(map[uint64]string)}
}

// Feed reads the next log line, given without its trailing newline (a
// trailing carriage return is ignored), and calls emit for each result the
// line completes.
func (p *Parser) Feed(line []byte, emit func(Result)) {
	p.line++
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if p.opts.Format == LogStructured {
		if t := bytes.TrimLeft(line, " \t"); bytes.HasPrefix(t, parseNixJSONPrefix) {
			p.scanJSON(t[len(parseNixJSONPrefix):], p.line, emit)
		}
		return
	}
	if p.blk.kind == parseBlockNone && !p.maybeInteresting(line) {
		return
	}
	text := p.clean(line)
	if p.blk.kind != parseBlockNone {
		if p.continueBlock(text, emit) {
			return
		}
		p.closeBlock(emit)
		if !p.maybeInteresting(line) {
			return
		}
	}
	if t := bytes.TrimLeft(text, " \t"); p.opts.Format == LogAny && bytes.HasPrefix(t, parseNixJSONPrefix) {
		p.scanJSON(t[len(parseNixJSONPrefix):], p.line, emit)
		return
	}
	p.scanMessage(text, p.line, emit)
}

// Flush ends the input: an open block is reported, as KindIncomplete when
// its hash lines never came.
func (p *Parser) Flush(emit func(Result)) {
	p.closeBlock(emit)
}

// ParseLog reads a whole build log from r and calls emit for each result in
// log order. It uses constant memory whatever the log's size: over-long
// lines are cut (see the package docs) without being buffered whole. It
// stops at, and returns, the first error from emit or from reading r.
func ParseLog(r io.Reader, emit func(Result) error) error {
	br := bufio.NewReaderSize(r, parseMaxLine)
	p := NewParser()
	var emitErr error
	collect := func(res Result) {
		if emitErr == nil {
			emitErr = emit(res)
		}
	}
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Keep the head of an over-long line; skip the rest of it.
			p.Feed(line, collect)
			err = parseSkipLine(br)
		} else if len(line) > 0 {
			p.Feed(bytes.TrimSuffix(line, []byte{'\n'}), collect)
		}
		if emitErr != nil {
			return emitErr
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading build log: %w", err)
		}
	}
	p.Flush(collect)
	return emitErr
}

// parseSkipLine discards the rest of the current line.
func parseSkipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// emit reports r unless an identical result was already reported.
func (p *Parser) emit(r Result, emit func(Result)) {
	k := parseSeenKey{
		kind: r.Kind, path: r.Path, url: r.URL, specified: r.Specified, got: r.Got,
		sys: r.System, host: r.Host, features: strings.Join(r.Features, ","),
		machine: r.Machine, exitCode: r.ExitCode,
	}
	if _, dup := p.seen[k]; dup {
		return
	}
	if len(p.seen) >= parseMaxSeen {
		clear(p.seen)
	}
	p.seen[k] = struct{}{}
	emit(r)
}

// closeBlock reports the open block, if any, and closes it.
func (p *Parser) closeBlock(emit func(Result)) {
	b := p.blk
	p.blk = parseBlock{}
	switch b.kind {
	case parseBlockMismatch, parseBlockDownload:
		// A complete block was reported when its last hash line came.
		b.res.Kind = KindIncomplete
		p.emit(b.res, emit)
	case parseBlockCannotBuild:
		if b.res.Kind != "" {
			p.emit(b.res, emit)
		}
	}
}
