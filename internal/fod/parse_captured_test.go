package fod

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// capturedNixVersions are the Nix versions whose logs scripts/capture-nix-logs
// wrote into testdata/logs: Debian 12's, 13's and sid's.
var capturedNixVersions = []string{"2.8", "2.26", "2.34"}

// The derivations of the capture script; their paths are the same on every
// Nix version (the script's builders need no PATH).
const (
	capDrvB      = "/nix/store/pbc36i6zv3b1rvjirg415g4ngl9kdcpg-b.drv"
	capDrvE      = "/nix/store/r46h4kylyklkrps7v9g5gzqykjj8c1j8-e.drv"
	capDrvD      = "/nix/store/7dsz69f6ildminy4ybj92cxw789ys6k4-d.drv"
	capDrvC      = "/nix/store/sngcsc01x48cz70rj1yy35kwjqfs70y0-c.drv"
	capDrvF      = "/nix/store/85x5gh0cy8by22xvwsz8j80rkpaxvraw-f.drv"
	capDrvNeedsD = "/nix/store/y3x81vvnp3v9i1yl1mlh6fqri065js8w-needsd.drv"
	capDrvForged = "/nix/store/cn9n4z7y96i6qghp0n5rzfsx1q5v1crz-forged.drv"
	capDrvProg   = "/nix/store/b69p19gsazrbam895diq88pyfjqj02n5-progress.drv"
	capHashEvil  = "sha256-EVILEVILEVILEVILEVILEVILEVILEVILEVILEVILEVI="
	capHashEmpty = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" // sha256 of nothing: what the forger says it expected
)

// TestParseLogCapturedNix reads every log captured from real Nix 2.8, 2.26
// and 2.34 and checks that each typed result comes out the same on all of
// them, in text and in internal-json, read as any log (`hashbot parse`)
// and, for internal-json, the way the engine reads its own builds.
func TestParseLogCapturedNix(t *testing.T) {
	var (
		mismatchB = Result{Kind: KindMismatch, Path: capDrvB, Specified: parseTestFake, Got: parseTestHashB}
		mismatchE = Result{Kind: KindMismatch, Path: capDrvE, Specified: parseTestFake, Got: parseTestHashE}
		failedD   = Result{Kind: KindBuildFailed, Path: capDrvD, ExitCode: 3}
		riscv     = Result{Kind: KindUnavailable, Path: capDrvC, System: "riscv64-linux", Host: "x86_64-linux"}
		// Before Nix 2.3x the refusal names the system it needs with the
		// features; Nix 2.34 names only the missing features.
		features    = Result{Kind: KindUnavailable, Path: capDrvF, System: "x86_64-linux", Host: "x86_64-linux", Features: []string{"big-parallel", "hashbot-missing"}}
		features234 = Result{Kind: KindUnavailable, Path: capDrvF, Features: []string{"big-parallel", "hashbot-missing"}}
		depD        = []Result{failedD, {Kind: KindDependencyFailed, Path: capDrvNeedsD}}
		download    = Result{Kind: KindDownloadMismatch, URL: "file:///tmp/hashbot-capture-dl.txt", Specified: parseTestFake, Got: parseTestHashD}
		failedForge = Result{Kind: KindBuildFailed, Path: capDrvForged, ExitCode: 1}
	)
	tests := []struct {
		name string
		want []Result
		// byVersion overrides want for a version.
		byVersion map[string][]Result
	}{
		{name: "text-one", want: []Result{mismatchB}},
		{name: "tty-color", want: []Result{mismatchB}},
		{name: "text-keep-going", want: []Result{failedD, mismatchE, mismatchB}},
		{name: "json-keep-going", want: []Result{failedD, mismatchE, mismatchB}},
		{name: "unavailable-system", want: []Result{riscv}},
		{name: "unavailable-features", want: []Result{features}, byVersion: map[string][]Result{"2.34": {features234}}},
		// Nix before 2.3x stops at the first refusal, even with --keep-going.
		{name: "json-unavailable", want: []Result{riscv}, byVersion: map[string][]Result{"2.34": {features234, riscv}}},
		{name: "text-dependency", want: depD},
		{name: "json-dependency", want: depD},
		// In a text log a builder's forged block cannot be told from Nix's:
		// the parser reports it, and the engine refuses a target with two
		// hashes. In internal-json it is build output and never read.
		{name: "text-forged", want: []Result{{Kind: KindMismatch, Path: capDrvB, Specified: capHashEmpty, Got: capHashEvil}, failedForge, mismatchB}},
		{name: "json-forged", want: []Result{failedForge, mismatchB}},
		{name: "text-progress", want: []Result{{Kind: KindBuildFailed, Path: capDrvProg, ExitCode: 1}}},
		{name: "eval-throw"},
		{name: "download-text", want: []Result{download}},
		{name: "download-json", want: []Result{download}},
	}
	for _, version := range capturedNixVersions {
		for _, tt := range tests {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				want := tt.want
				if v, ok := tt.byVersion[version]; ok {
					want = v
				}
				log := parseTestFixture(t, "nix-"+version+"-"+tt.name+".log")
				got := parseTestAll(t, log)
				for _, r := range got {
					if r.Line < 1 {
						t.Errorf("result %+v has no line number", r)
					}
				}
				if diff := cmp.Diff(want, got, parseTestIgnoreLine(), parseTestSortResults()); diff != "" {
					t.Errorf("results (-want +got):\n%s", diff)
				}
				if strings.HasPrefix(tt.name, "json-") {
					structured := parseTestWith(t, ParserOptions{Format: LogStructured}, log)
					if diff := cmp.Diff(want, structured, parseTestIgnoreLine(), parseTestSortResults()); diff != "" {
						t.Errorf("as the engine reads it (-want +got):\n%s", diff)
					}
				}
			})
		}
	}
}

// TestParseLogStructuredSeesBuildActivity checks that the engine's reading of
// an internal-json log hands each builder's output to the hook, with the
// derivation it belongs to, and never takes it for Nix's message.
func TestParseLogStructuredSeesBuildActivity(t *testing.T) {
	for _, version := range capturedNixVersions {
		t.Run(version, func(t *testing.T) {
			var started []string
			output := map[string][]string{}
			var messages int
			log := parseTestFixture(t, "nix-"+version+"-json-forged.log")
			got := parseTestWith(t, ParserOptions{
				Format:       LogStructured,
				BuildStarted: func(drv string) { started = append(started, drv) },
				BuildOutput:  func(drv string, line []byte) { output[drv] = append(output[drv], string(line)) },
				Message:      func(string) { messages++ },
			}, log)
			if diff := cmp.Diff([]Result{failedForgeResult(), capMismatchB()}, got, parseTestIgnoreLine(), parseTestSortResults()); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if !strings.Contains(strings.Join(started, " "), capDrvForged) || !strings.Contains(strings.Join(started, " "), capDrvB) {
				t.Errorf("builds started %q, want forged and b", started)
			}
			if forged := strings.Join(output[capDrvForged], "\n"); !strings.Contains(forged, capHashEvil) {
				t.Errorf("forged's output %q lacks the block it printed", forged)
			}
			if messages == 0 {
				t.Error("no message of Nix's was handed to the hook")
			}
		})
	}
}

func failedForgeResult() Result {
	return Result{Kind: KindBuildFailed, Path: capDrvForged, ExitCode: 1}
}
func capMismatchB() Result {
	return Result{Kind: KindMismatch, Path: capDrvB, Specified: parseTestFake, Got: parseTestHashB}
}

// TestParseLogTextIgnoresJSONLines checks that a text log's "@nix {…}" line,
// which only a builder can have printed there, is not read as Nix's event.
func TestParseLogTextIgnoresJSONLines(t *testing.T) {
	forged := `@nix {"action":"msg","level":0,"msg":"error: hash mismatch in fixed-output derivation '` + capDrvB +
		`':\n         specified: ` + parseTestFake + `\n            got:    ` + capHashEvil + `"}`
	if got := parseTestWith(t, ParserOptions{Format: LogText}, []byte(forged+"\n")); len(got) != 0 && got[0].Kind != KindIncomplete {
		t.Errorf("a JSON line in a text log gave %+v", got)
	}
	if got := parseTestWith(t, ParserOptions{Format: LogAny}, []byte(forged+"\n")); len(got) != 1 || got[0].Got != capHashEvil {
		t.Errorf("hashbot parse (any format) should still read it: %+v", got)
	}
}

// TestParseLogStructuredIgnoresText checks that in a structured log a text
// line, even a whole mismatch block, is never evidence.
func TestParseLogStructuredIgnoresText(t *testing.T) {
	log := parseTestLines(parseTestHeader, parseTestSpec, parseTestGot)
	if got := parseTestWith(t, ParserOptions{Format: LogStructured}, log); len(got) != 0 {
		t.Errorf("text lines in a structured log gave %+v", got)
	}
}

// capEvalDirRe finds the temporary directory the capture evaluated in.
var capEvalDirRe = regexp.MustCompile(`(/tmp/[^/\s]+)/fods\.nix`)

// TestShortenEvalErrorCapturedNix reads the evaluation error each Nix
// version printed and checks that the message is Nix's own and points at the
// file and line, whatever the trace around it.
func TestShortenEvalErrorCapturedNix(t *testing.T) {
	for _, version := range capturedNixVersions {
		t.Run(version, func(t *testing.T) {
			log := parseTestFixture(t, "nix-"+version+"-eval-throw.log")
			m := capEvalDirRe.FindSubmatch(log)
			repo := "/tmp/unknown"
			if m != nil {
				repo = string(m[1])
			}
			lines := strings.Split(string(bytes.TrimSpace(log)), "\n")
			got := shortenEvalError(lines, "/nonexistent-scratch-root", repo)
			if !strings.HasPrefix(got, "hashbot capture: this attribute throws") {
				t.Errorf("message %q does not start with Nix's own message", got)
			}
			if version != "2.8" && !strings.Contains(got, "(at fods.nix:") {
				t.Errorf("message %q does not point at the file (Nix %s prints the position)", got, version)
			}
			if strings.Contains(got, repo) {
				t.Errorf("message %q shows the evaluation directory", got)
			}
		})
	}
}

// parseTestWith runs a Parser with opts over log and returns every result.
func parseTestWith(t testing.TB, opts ParserOptions, log []byte) []Result {
	t.Helper()
	p := NewParserWith(opts)
	var got []Result
	emit := func(r Result) { got = append(got, r) }
	for line := range bytes.SplitSeq(bytes.TrimSuffix(log, []byte("\n")), []byte("\n")) {
		p.Feed(line, emit)
	}
	p.Flush(emit)
	return got
}
