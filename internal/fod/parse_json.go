package fod

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// Nix's internal-json log format (`--log-format internal-json`): one JSON
// object per line after "@nix ". Error messages are "msg" actions whose msg
// holds the whole multi-line block as Nix prints it in text; builder output
// is a separate "result" action (type 101), never read as a message.
// Determinate Nix adds a structured "result" of type 109 (resHashMismatch)
// for each mismatch. Activity and result types are Nix's ActivityType and
// ResultType (src/libutil/include/nix/util/logging.hh).
const (
	parseActBuild         = 105 // actBuild: fields [drvPath, machine, round, nrRounds]
	parseResBuildLogLine  = 101 // resBuildLogLine: fields [line]
	parseResHashMismatch  = 109 // resHashMismatch (Determinate Nix)
	parseMaxBuildsTracked = 4096
)

var (
	parseJSONMsgAction    = []byte(`"action":"msg"`)
	parseJSONResultAction = []byte(`"action":"result"`)
	parseJSONTypeMismatch = []byte(`"type":109`)
	parseJSONMsgNeedles   = [][]byte{parseHashMismatchIn, parseBuilderFor, parseRequiredToBld, parseCannotBuild,
		parseDependenciesOf}
)

// parseJSONLine is the part of an internal-json event the parser reads.
type parseJSONLine struct {
	Action  string            `json:"action"`
	ID      uint64            `json:"id"`
	Msg     string            `json:"msg"`
	RawMsg  *string           `json:"raw_msg"`
	Type    int               `json:"type"`
	Fields  []json.RawMessage `json:"fields"`
	Payload json.RawMessage   `json:"payload"`
}

// parseJSONMismatch is the payload of a resHashMismatch result.
type parseJSONMismatch struct {
	StorePath string          `json:"storePath"`
	Wanted    json.RawMessage `json:"wanted"`
	Got       json.RawMessage `json:"got"`
}

// scanJSON reads one internal-json event (the text after "@nix ").
func (p *Parser) scanJSON(obj []byte, lineNo int, emit func(Result)) {
	if !p.jsonWanted(obj) {
		return
	}
	var ev parseJSONLine
	if err := json.Unmarshal(obj, &ev); err != nil {
		return // a cut or foreign line: not evidence
	}
	switch {
	case ev.Action == "msg":
		// msg is the message as Nix prints it in text, continuation lines
		// indented; raw_msg lacks the indentation (and the "error:" prefix)
		// that tell a block's own lines from the next message.
		msg := ev.Msg
		if msg == "" && ev.RawMsg != nil {
			msg = *ev.RawMsg
		}
		if p.opts.Message != nil {
			p.opts.Message(msg)
		}
		p.scanJSONMessage(msg, lineNo, emit)
	case ev.Action == "result" && ev.Type == parseResHashMismatch:
		p.scanJSONMismatch(ev.Payload, lineNo, emit)
	case ev.Action == "result" && ev.Type == parseResBuildLogLine:
		if drv, ok := p.builds[ev.ID]; ok && p.opts.BuildOutput != nil && len(ev.Fields) > 0 {
			var line string
			if json.Unmarshal(ev.Fields[0], &line) == nil {
				p.opts.BuildOutput(drv, []byte(line))
			}
		}
	case ev.Action == "start" && ev.Type == parseActBuild:
		var drv string
		if len(ev.Fields) == 0 || json.Unmarshal(ev.Fields[0], &drv) != nil || !parseValidPath([]byte(drv)) {
			return
		}
		if len(p.builds) >= parseMaxBuildsTracked {
			clear(p.builds)
		}
		p.builds[ev.ID] = drv
		if p.opts.BuildStarted != nil {
			p.opts.BuildStarted(drv)
		}
	case ev.Action == "stop":
		delete(p.builds, ev.ID)
	}
}

// jsonWanted is the prefilter for internal-json lines: most are progress
// and build-output events the parser decodes only when a hook wants them.
func (p *Parser) jsonWanted(obj []byte) bool {
	if p.opts.BuildStarted != nil || p.opts.BuildOutput != nil || p.opts.Message != nil {
		return true
	}
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
		return pins.NormalizeHash(s)
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
	return pins.NormalizeHash(algo + ":" + digest)
}
