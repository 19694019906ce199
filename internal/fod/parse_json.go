package fod

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Nix's internal-json log format (`--log-format internal-json`): one JSON
// object per line after "@nix ". Error messages are "msg" actions whose
// (raw_)msg holds the whole multi-line block; builder output is a separate
// "result" action (type 101) and is never read here. Determinate Nix adds
// a structured "result" of type 109 (resHashMismatch) for each mismatch.

// parseResHashMismatch is Nix's ResultType resHashMismatch
// (src/libutil/include/nix/util/logging.hh).
const parseResHashMismatch = 109

var (
	parseJSONMsgAction    = []byte(`"action":"msg"`)
	parseJSONResultAction = []byte(`"action":"result"`)
	parseJSONTypeMismatch = []byte(`"type":109`)
	parseJSONMsgNeedles   = [][]byte{parseHashMismatchIn, parseBuilderFor, parseRequiredToBld, parseCannotBuild}
)

// parseJSONLine is the part of an internal-json event the parser reads.
type parseJSONLine struct {
	Action  string          `json:"action"`
	Msg     string          `json:"msg"`
	RawMsg  *string         `json:"raw_msg"`
	Type    int             `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// parseJSONMismatch is the payload of a resHashMismatch result.
type parseJSONMismatch struct {
	StorePath string          `json:"storePath"`
	Wanted    json.RawMessage `json:"wanted"`
	Got       json.RawMessage `json:"got"`
}

// scanJSON reads one internal-json event (the text after "@nix ").
func (p *Parser) scanJSON(obj []byte, lineNo int, emit func(Result)) {
	if !parseJSONWanted(obj) {
		return
	}
	var ev parseJSONLine
	if err := json.Unmarshal(obj, &ev); err != nil {
		return // a cut or foreign line: not evidence
	}
	switch {
	case ev.Action == "msg":
		msg := ev.Msg
		if ev.RawMsg != nil {
			msg = *ev.RawMsg
		}
		p.scanJSONMessage(msg, lineNo, emit)
	case ev.Action == "result" && ev.Type == parseResHashMismatch:
		p.scanJSONMismatch(ev.Payload, lineNo, emit)
	}
}

// parseJSONWanted is the prefilter for internal-json lines: most are
// progress and build-output events the parser never decodes.
func parseJSONWanted(obj []byte) bool {
	if bytes.Contains(obj, parseJSONMsgAction) {
		for _, n := range parseJSONMsgNeedles {
			if bytes.Contains(obj, n) {
				return true
			}
		}
		return false
	}
	return bytes.Contains(obj, parseJSONResultAction) && bytes.Contains(obj, parseJSONTypeMismatch)
}

// scanJSONMessage reads a whole multi-line Nix message as if its lines had
// been logged as text, then closes any block it left open.
func (p *Parser) scanJSONMessage(msg string, lineNo int, emit func(Result)) {
	for sub := range strings.SplitSeq(msg, "\n") {
		text := p.clean(bytes.TrimSuffix([]byte(sub), []byte{'\r'}))
		if p.blk.kind != parseBlockNone {
			if p.continueBlock(text, emit) {
				continue
			}
			p.closeBlock(emit)
		}
		p.scanMessage(text, lineNo, emit)
	}
	p.closeBlock(emit)
}

// scanJSONMismatch reads Determinate Nix's structured resHashMismatch
// payload: {"storePath": …, "wanted": <hash>, "got": <hash>}.
func (p *Parser) scanJSONMismatch(payload json.RawMessage, lineNo int, emit func(Result)) {
	var m parseJSONMismatch
	if err := json.Unmarshal(payload, &m); err != nil || !parseValidPath([]byte(m.StorePath)) {
		return
	}
	r := Result{Kind: KindMismatch, Path: m.StorePath, Line: lineNo}
	spec, specErr := parseJSONHash(m.Wanted)
	got, gotErr := parseJSONHash(m.Got)
	r.Specified, r.Got = spec, got
	if specErr != nil || gotErr != nil {
		r.Kind = KindIncomplete
		if gotErr != nil {
			r.Got = ""
		}
	}
	p.emit(r, emit)
}

// parseJSONHash decodes a hash as Nix writes it in JSON: a string in any
// form NormalizeHash reads, or an object {"algorithm"|"algo", "hash"|"base16"}.
func parseJSONHash(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return NormalizeHash(s)
	}
	var obj struct {
		Algorithm string `json:"algorithm"`
		Algo      string `json:"algo"`
		Hash      string `json:"hash"`
		Base16    string `json:"base16"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", err
	}
	algo, digest := obj.Algorithm, obj.Hash
	if algo == "" {
		algo = obj.Algo
	}
	if digest == "" {
		digest = obj.Base16
	}
	return NormalizeHash(algo + ":" + digest)
}
