package fod

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

const (
	parseTestDrv    = "/nix/store/0v6r2z9l7p1q8w3x5y4c2e0g9i8k7l6n-x.drv"
	parseTestHeader = "error: hash mismatch in fixed-output derivation '" + parseTestDrv + "':"
	parseTestSpec   = "         specified: " + parseTestFake
	parseTestGot    = "            got:    " + parseTestHashB
)

// parseTestLines joins lines with newlines.
func parseTestLines(lines ...string) []byte {
	return []byte(strings.Join(lines, "\n") + "\n")
}

func TestParseLogAdversarial(t *testing.T) {
	mismatch := func(line int) Result {
		return Result{Kind: KindMismatch, Path: parseTestDrv, Specified: parseTestFake, Got: parseTestHashB, Line: line}
	}
	long := strings.Repeat("x", 2<<20)
	tests := []struct {
		name string
		log  []byte
		want []Result
	}{
		{"plain block", parseTestLines(parseTestHeader, parseTestSpec, parseTestGot), []Result{mismatch(1)}},
		{"got line without a header", parseTestLines("got: "+parseTestHashB, "  specified: "+parseTestFake, "  got:    "+parseTestHashB), nil},
		{"header at end of file", parseTestLines("noise", parseTestHeader), []Result{{Kind: KindIncomplete, Path: parseTestDrv, Line: 2}}},
		{"header without trailing newline", []byte(parseTestHeader + "\n" + parseTestSpec + "\n" + parseTestGot), []Result{mismatch(1)}},
		{"unindented got after header is noise", parseTestLines(parseTestHeader, "got: "+parseTestHashB, parseTestSpec, parseTestGot),
			[]Result{{Kind: KindIncomplete, Path: parseTestDrv, Line: 1}}},
		{"got that is not a hash", parseTestLines(parseTestHeader, parseTestSpec, "            got:    fake"),
			[]Result{{Kind: KindIncomplete, Path: parseTestDrv, Specified: parseTestFake, Line: 1}}},
		{"got before specified", parseTestLines(parseTestHeader, parseTestGot, parseTestSpec), []Result{mismatch(1)}},
		{"base16 and base64 hashes", parseTestLines(parseTestHeader,
			"  specified: sha256:0000000000000000000000000000000000000000000000000000",
			"  got:    sha256:34cc7ecb0d83d8bb170df53adf1b04d0a5e914dcd374eed5c284dec1b59be7df"), []Result{mismatch(1)}},
		{"a future extra line inside the block", parseTestLines(parseTestHeader, "    source: https://example.org/x.tar.gz", parseTestSpec, parseTestGot), []Result{mismatch(1)}},
		{"too many unknown lines close the block", parseTestLines(parseTestHeader,
			"  a: 1", "  b: 2", "  c: 3", "  d: 4", "  e: 5", "  f: 6", "  g: 7", "  h: 8", "  i: 9", parseTestSpec, parseTestGot),
			[]Result{{Kind: KindIncomplete, Path: parseTestDrv, Line: 1}}},
		{"2 MB line before a block", parseTestLines(long+" got: "+parseTestHashE, parseTestHeader, parseTestSpec, parseTestGot), []Result{mismatch(2)}},
		{"2 MB line inside a block", parseTestLines(parseTestHeader, parseTestSpec, long, parseTestGot),
			[]Result{{Kind: KindIncomplete, Path: parseTestDrv, Specified: parseTestFake, Line: 1}}},
		{"2 MB line that starts with a header", parseTestLines(parseTestHeader+long, parseTestSpec, parseTestGot), []Result{mismatch(1)}},
		{"CR line endings inside a line (progress bar)", parseTestLines("[1/2 built] \r\x1b[K"+parseTestHeader, parseTestSpec+"\r", parseTestGot), []Result{mismatch(1)}},
		{"systemd priority prefix", parseTestLines("<3>"+parseTestHeader, parseTestSpec, parseTestGot), []Result{mismatch(1)}},
		{"GitHub Actions timestamps", parseTestLines(
			"2024-05-01T12:00:00.1234567Z "+parseTestHeader,
			"2024-05-01T12:00:00.1234568Z "+parseTestSpec,
			"2024-05-01T12:00:00.1234569Z "+parseTestGot), []Result{mismatch(1)}},
		{"OSC 8 hyperlink around the path", parseTestLines(
			"error: hash mismatch in fixed-output derivation '\x1b]8;;file://"+parseTestDrv+"\x1b\\"+parseTestDrv+"\x1b]8;;\x07':",
			parseTestSpec, parseTestGot), []Result{mismatch(1)}},
		{"the same mismatch twice is reported once", parseTestLines(parseTestHeader, parseTestSpec, parseTestGot, parseTestHeader, parseTestSpec, parseTestGot), []Result{mismatch(1)}},
		{"relative path in header is not a store path", parseTestLines("error: hash mismatch in fixed-output derivation 'foo.drv':", parseTestSpec, parseTestGot), nil},
		{"structured mismatch with object hashes", parseTestLines(`@nix {"action":"result","id":1,"type":109,"payload":{"storePath":"` + parseTestDrv +
			`","wanted":{"algorithm":"sha256","format":"base64","hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"got":{"algo":"sha256","base16":"34cc7ecb0d83d8bb170df53adf1b04d0a5e914dcd374eed5c284dec1b59be7df"}}}`),
			[]Result{mismatch(1)}},
		{"structured mismatch with a bad got", parseTestLines(`@nix {"action":"result","id":1,"type":109,"payload":{"storePath":"` + parseTestDrv + `","wanted":"` + parseTestFake + `","got":"nope"}}`),
			[]Result{{Kind: KindIncomplete, Path: parseTestDrv, Specified: parseTestFake, Line: 1}}},
		{"internal-json build output is never read", parseTestLines(
			`@nix {"action":"result","fields":["error: hash mismatch in fixed-output derivation '`+parseTestDrv+`':"],"id":1,"type":101}`,
			`@nix {"action":"result","fields":["`+parseTestGot+`"],"id":1,"type":101}`), nil},
		{"broken JSON", parseTestLines(`@nix {"action":"msg","msg":"hash mismatch in fixed-output derivation '` + parseTestDrv + `':\n  specified`), nil},
		{"msg without raw_msg (Nix 2.3)", parseTestLines(`@nix {"action":"msg","level":0,"msg":"hash mismatch in fixed-output derivation '` + parseTestDrv + `':\n  wanted: ` + parseTestFake + `\n  got:    ` + parseTestHashB + `"}`), []Result{mismatch(1)}},
		{"json msg cut after the header", parseTestLines(`@nix {"action":"msg","level":0,"msg":"hash mismatch in fixed-output derivation '`+parseTestDrv+`':"}`, parseTestSpec, parseTestGot),
			[]Result{{Kind: KindIncomplete, Path: parseTestDrv, Line: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseTestAll(t, tt.log)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLogKeepGoingManyMismatches(t *testing.T) {
	var log bytes.Buffer
	var want []Result
	line := 0
	add := func(s string) { line++; log.WriteString(s + "\n") }
	for i := range 200 {
		drv := fmt.Sprintf("/nix/store/%032d-fod-%d.drv", i, i)
		add(fmt.Sprintf("building '%s'...", drv))
		add("npm http fetch GET 200 https://registry.npmjs.org/got 3ms")
		add("  got: 11.8.6")
		if i%3 == 0 {
			add(fmt.Sprintf("error: builder for '%s' failed with exit code 1", drv))
			want = append(want, Result{Kind: KindBuildFailed, Path: drv, ExitCode: 1, Line: line})
			continue
		}
		add(fmt.Sprintf("error: hash mismatch in fixed-output derivation '%s':", drv))
		want = append(want, Result{Kind: KindMismatch, Path: drv, Specified: parseTestFake, Got: parseTestHashE, Line: line})
		add(parseTestSpec)
		add("            got:    " + parseTestHashE)
	}
	if diff := cmp.Diff(want, parseTestAll(t, log.Bytes())); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestParserFeedAndFlush(t *testing.T) {
	p := NewParser()
	var got []Result
	emit := func(r Result) { got = append(got, r) }
	p.Feed([]byte(parseTestHeader+"\r"), emit)
	p.Feed([]byte(parseTestSpec+"\r"), emit)
	if len(got) != 0 {
		t.Fatalf("results before the block is complete: %v", got)
	}
	p.Flush(emit)
	want := []Result{{Kind: KindIncomplete, Path: parseTestDrv, Specified: parseTestFake, Line: 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	got = nil
	p.Flush(emit)
	if len(got) != 0 {
		t.Errorf("a second Flush reported %v", got)
	}
}

func TestParseLogStopsOnEmitError(t *testing.T) {
	stop := errors.New("stop")
	log := parseTestFixture(t, "nix-2.8-text-keep-going.log")
	calls := 0
	err := ParseLog(bytes.NewReader(log), func(Result) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("ParseLog = %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func TestParseLogReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader(parseTestLines(parseTestHeader, parseTestSpec, parseTestGot)), iotest.ErrReader(boom))
	var got []Result
	err := ParseLog(r, func(res Result) error { got = append(got, res); return nil })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "reading build log") {
		t.Errorf("ParseLog error = %v, want it to wrap %v and say what it was doing", err, boom)
	}
	if len(got) != 1 {
		t.Errorf("results before the error = %v, want the one mismatch", got)
	}
}
