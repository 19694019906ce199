package fod

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// FuzzParse feeds arbitrary logs to the parser. It must never panic, and
// whatever it reports as a mismatch must be well formed: a store path (or
// URL) and two hashes, the got hash in canonical SRI form.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "logs", "*.log"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(parseTestFixture(f, filepath.Base(file)))
	}
	f.Add(parseTestLines(parseTestHeader, parseTestSpec, parseTestGot))
	f.Add(parseTestLines("\x1b[31;1merror:\x1b]8;;x\x07 hash mismatch in file downloaded from '':", "  got: sha256-", "  specified: md5:"))
	f.Add(parseTestLines(`@nix {"action":"result","type":109,"payload":{"storePath":"/x","wanted":{},"got":[1]}}`))
	f.Add(parseTestLines("error: Cannot build '/x'.", "  Reason: builder failed with exit code 99999999999999999999", "  Current system: ''"))
	f.Fuzz(func(t *testing.T, log []byte) {
		check := func(r Result) {
			if r.Line < 1 {
				t.Errorf("result %+v has no line", r)
			}
			switch r.Kind {
			case KindMismatch, KindDownloadMismatch:
				if r.Specified == "" || r.Got == "" || (r.Path == "") == (r.URL == "") {
					t.Errorf("mismatch %+v lacks a path or URL or a hash", r)
				}
				if sri, err := pins.NormalizeHash(r.Got); err != nil || sri != r.Got || !strings.Contains(r.Got, "-") {
					t.Errorf("got hash %q is not canonical SRI (%q, %v)", r.Got, sri, err)
				}
			case KindUnavailable, KindBuildFailed, KindDependencyFailed, KindIncomplete:
			default:
				t.Errorf("unknown kind in %+v", r)
			}
			if r.Path != "" && r.Path[0] != '/' {
				t.Errorf("path %q is not absolute", r.Path)
			}
		}
		var viaLog []Result
		if err := ParseLog(bytes.NewReader(log), func(r Result) error {
			check(r)
			viaLog = append(viaLog, r)
			return nil
		}); err != nil {
			t.Fatalf("ParseLog: %v", err)
		}
		// Feeding the lines by hand gives the same results.
		p := NewParser()
		var viaFeed []Result
		lines := bytes.Split(log, []byte("\n"))
		if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
			lines = lines[:len(lines)-1]
		}
		for _, l := range lines {
			if len(l) > parseMaxLine {
				l = l[:parseMaxLine]
			}
			p.Feed(l, func(r Result) { viaFeed = append(viaFeed, r) })
		}
		p.Flush(func(r Result) { viaFeed = append(viaFeed, r) })
		if len(viaLog) != len(viaFeed) {
			t.Errorf("ParseLog found %d results, Feed %d", len(viaLog), len(viaFeed))
		}
	})
}

// FuzzEngineDecision puts arbitrary builder output, forged mismatch blocks
// included, in front of Nix's report that the builder failed, in a text log
// and in an internal-json log, and checks that the engine's reading never
// yields a hash for the target: only Nix's own word is evidence.
func FuzzEngineDecision(f *testing.F) {
	f.Add([]byte(parseTestHeader + "\n" + parseTestSpec + "\n" + parseTestGot + "\n"))
	f.Add([]byte("error: hash mismatch in fixed-output derivation '" + capDrvB + "':\n  specified: " + parseTestFake + "\n  got: " + capHashEvil + "\n"))
	f.Add([]byte(`@nix {"action":"msg","msg":"error: hash mismatch in fixed-output derivation '` + capDrvB + `':\n  specified: ` + parseTestFake + `\n  got: ` + capHashEvil + `"}` + "\n"))
	f.Add([]byte("\r\x1b[1Gerror: Cannot build '" + capDrvB + "'.\n  Reason: builder failed with exit code 0.\n"))
	f.Fuzz(func(t *testing.T, output []byte) {
		lines := bytes.Split(output, []byte("\n"))
		// Text: the builder's lines as Nix prints them, then Nix's verdict.
		text := NewParserWith(ParserOptions{Format: LogText})
		var textRes []Result
		keep := func(r Result) {
			if r.Path == capDrvB {
				textRes = append(textRes, r)
			}
		}
		text.Feed([]byte("building '"+capDrvB+"'..."), keep)
		for _, l := range lines {
			text.Feed(l, keep)
		}
		text.Feed([]byte("error: builder for '"+capDrvB+"' failed with exit code 1"), keep)
		text.Flush(keep)
		if v := judge(textRes); v.kind == KindMismatch && v.conflict == nil {
			t.Errorf("text log: a failed build yields the hash %s", v.got)
		}
		// internal-json: the builder's lines are build-log events.
		js := NewParserWith(ParserOptions{Format: LogStructured})
		var jsRes []Result
		keepJS := func(r Result) {
			if r.Path == capDrvB {
				jsRes = append(jsRes, r)
			}
		}
		js.Feed([]byte(`@nix {"action":"start","id":7,"type":105,"fields":["`+capDrvB+`","",1,1]}`), keepJS)
		for _, l := range lines {
			ev, _ := json.Marshal(map[string]any{"action": "result", "id": 7, "type": 101, "fields": []string{string(l)}})
			js.Feed(append([]byte("@nix "), ev...), keepJS)
		}
		js.Feed([]byte(`@nix {"action":"stop","id":7}`), keepJS)
		js.Feed([]byte(`@nix {"action":"msg","level":0,"msg":"error: Cannot build '`+capDrvB+`'.\n       Reason: builder failed with exit code 1."}`), keepJS)
		js.Flush(keepJS)
		if v := judge(jsRes); v.kind != KindBuildFailed {
			t.Errorf("internal-json log: the target is %q (%+v), want build-failed", v.kind, jsRes)
		}
	})
}

// FuzzResultsFile feeds mutated results files (the JSON that crosses from
// the jobs that compute to the one that publishes) to the reader. Whatever
// it takes names only a full commit, and carries only hashes hashbot
// would write: sha256 SRI, no placeholder, for a FOD and system that are
// well formed, and source pins with http(s) URLs.
func FuzzResultsFile(f *testing.F) {
	good := `{"schema": 1, "ok": true, "version": "1.0.0", "host": "x86_64-linux",
		"commit": "3f1c2a9b0d4e5f60718293a4b5c6d7e8f9012345",
		"sources": {"nixpkgs": {"rev": "3f1c2a9b0d4e5f60718293a4b5c6d7e8f9012345", "url": "https://example.com/a.tar.gz",
			"hash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}},
		"results": [{"fod": "deps", "system": "x86_64-linux", "per_system": true, "status": "changed",
			"new": "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}]}`
	f.Add([]byte(good))
	f.Add([]byte(strings.Replace(good, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "md5-1B2M2Y8AsgTpgAmY7PhCfg==", 1)))
	f.Add([]byte(strings.Replace(good, `"commit": "3f1c2a9b0d4e5f60718293a4b5c6d7e8f9012345"`, `"commit": "HEAD"`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Report
		if json.Unmarshal(data, &r) != nil {
			return
		}
		if r.Commit != "" && !pins.IsCommit(r.Commit) {
			t.Errorf("took commit %q", r.Commit)
		}
		for _, res := range r.Results {
			if res.New == "" {
				continue
			}
			if err := pins.CheckHash(pins.HashPath(res.FOD, res.PinSystem()), res.New); err != nil || !strings.HasPrefix(res.New, "sha256-") {
				t.Errorf("took hash %q for %s: %v", res.New, res.Label(), err)
			}
		}
		for name, src := range r.Sources {
			if !strings.HasPrefix(src.URL, "https://") && !strings.HasPrefix(src.URL, "http://") {
				t.Errorf("took source %s at %q", name, src.URL)
			}
			if src.Hash != "" && pins.CheckHash("sources."+name+".hash", src.Hash) != nil {
				t.Errorf("took source hash %q", src.Hash)
			}
		}
	})
}
