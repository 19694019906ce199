package fod

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/pins"
)

// pkgsPin is a source pin as `update --source` records it in a report.
var pkgsPin = pins.Source{Rev: "5f4a1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49",
	URL:  "https://github.com/NixOS/nixpkgs/archive/5f4a1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49.tar.gz",
	Hash: "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}

func TestReportApplySetsOnlySuccessfulHashes(t *testing.T) {
	p := testPins(t, testPinsDoc)
	rep := &Report{Results: []TargetResult{
		{FOD: "src", System: "x86_64-linux", Old: "sha256-old", New: "sha256-new", Status: StatusChanged},
		{FOD: "deps", System: "x86_64-linux", PerSystem: true, New: "sha256-x", Status: StatusChanged},
		{FOD: "deps", System: "aarch64-linux", PerSystem: true, Status: StatusUnavailable},
	}}
	if n := rep.Apply(p); n != 2 {
		t.Errorf("Apply = %d, want 2", n)
	}
	if h, _ := p.Hash("src", ""); h != "sha256-new" {
		t.Errorf("src = %q", h)
	}
	if _, ok := p.Hash("deps", "aarch64-linux"); ok {
		t.Error("an unavailable target's hash was set")
	}
	if rep.OK() {
		t.Error("OK() with an unavailable target")
	}
	if got := rep.Summary(); got != "2 changed, 1 unavailable" {
		t.Errorf("Summary = %q", got)
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	rep := &Report{Version: "1.0", Host: "x86_64-linux", NixVersion: "2.8.0", Layers: 2, Duration: 1500 * time.Millisecond,
		Sources: map[string]pins.Source{"nixpkgs": pkgsPin}, Commit: commitA,
		Results: []TargetResult{{FOD: "src", System: "x86_64-linux", New: "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=",
			Status: StatusChanged, Drv: "/nix/store/x.drv"}}}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"schema":1`, `"ok":true`, `"commit":"` + commitA + `"`, `"duration_seconds":1.5`, `"per_system":false`,
		`"sources":{"nixpkgs":{"rev":"5f4a1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON %s lacks %s", data, key)
		}
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	rep.Builders, rep.Warnings = []string{}, []string{}
	if diff := cmp.Diff(rep, &back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestReportUnmarshalRejectsBadInput(t *testing.T) {
	for name, doc := range map[string]string{
		"other schema":        `{"schema": 2, "results": []}`,
		"success without new": `{"schema": 1, "results": [{"fod": "a", "status": "changed"}]}`,
		"no fod":              `{"schema": 1, "results": [{"status": "failed"}]}`,
		"new not a hash":      `{"schema": 1, "results": [{"fod": "a", "status": "changed", "new": "sha256-n"}]}`,
		"new not SRI": `{"schema": 1, "results": [{"fod": "a", "status": "changed",
			"new": "sha256:1hd77wkri4blx24dflddfzwplq08r94s8ws1c4l10zs1qsfdhgzi"}]}`,
		"new an md5 SRI hash": `{"schema": 1, "results": [{"fod": "a", "status": "changed", "new": "md5-jvt4fqicHCtDKd0pQlwwZQ=="}]}`,
		"new a sha1 SRI hash": `{"schema": 1, "results": [{"fod": "a", "status": "changed", "new": "sha1-/bxQT+aUDYdc3wj2ktwNBJCpaT8="}]}`,
		"source hash a sha1 SRI hash": `{"schema": 1, "results": [], "sources": {"nixpkgs": {"rev": "abc",
			"url": "https://example.com/a.tar.gz", "hash": "sha1-/bxQT+aUDYdc3wj2ktwNBJCpaT8="}}}`,
		"per-system without system": `{"schema": 1, "results": [{"fod": "a", "per_system": true, "status": "changed",
			"new": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}]}`,
		"source URL not http": `{"schema": 1, "results": [], "sources": {"nixpkgs": {"rev": "abc",
			"url": "file:///etc/passwd", "hash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}}}`,
		"source hash a placeholder": `{"schema": 1, "results": [], "sources": {"nixpkgs": {"rev": "abc",
			"url": "https://example.com/a.tar.gz", "hash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}`,
		"source rev with a line break": `{"schema": 1, "results": [], "sources": {"nixpkgs": {"rev": "abc\ndef",
			"url": "https://example.com/a.tar.gz", "hash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}}}`,
		"commit not a full commit id": `{"schema": 1, "results": [], "commit": "main"}`,
		"commit with a line break":    `{"schema": 1, "results": [], "commit": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"}`,
		"source name not a Nix name": `{"schema": 1, "results": [], "sources": {"a b": {"rev": "abc",
			"url": "https://example.com/a.tar.gz", "hash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			var r Report
			if err := json.Unmarshal([]byte(doc), &r); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestMergeReports(t *testing.T) {
	x86 := &Report{Version: "1", Results: []TargetResult{
		{FOD: "src", System: "x86_64-linux", New: "sha256-s", Status: StatusChanged},
		{FOD: "deps", System: "x86_64-linux", PerSystem: true, New: "sha256-x", Status: StatusChanged},
		{FOD: "deps", System: "aarch64-linux", PerSystem: true, Status: StatusUnavailable},
	}}
	arm := &Report{Version: "1", Results: []TargetResult{
		{FOD: "src", System: "aarch64-linux", New: "sha256-s", Status: StatusUnchanged},
		{FOD: "deps", System: "aarch64-linux", PerSystem: true, New: "sha256-a", Status: StatusChanged},
	}}
	armOther := &Report{Version: "1", Results: []TargetResult{
		{FOD: "src", System: "aarch64-linux", New: "sha256-DIFFERENT", Status: StatusChanged},
		{FOD: "deps", System: "aarch64-linux", PerSystem: true, New: "sha256-a", Status: StatusChanged},
	}}
	tests := []struct {
		name     string
		reports  []NamedReport
		fods     []string
		version  string
		commit   string   // the working tree's; "" outside git
		want     []string // fod/system=hash
		conflict string
		missing  string
	}{
		{name: "one per platform", reports: []NamedReport{{"x86.json", x86}, {"arm.json", arm}}, version: "1",
			want: []string{"deps/aarch64-linux=sha256-a", "deps/x86_64-linux=sha256-x", "src/=sha256-s"}},
		{name: "a platform missing", reports: []NamedReport{{"x86.json", x86}}, missing: "deps (aarch64-linux): unavailable in x86.json"},
		{name: "only some FODs required", reports: []NamedReport{{"x86.json", x86}}, fods: []string{"src"},
			want: []string{"src/=sha256-s"}},
		{name: "a system the FOD does not list", reports: []NamedReport{{"x86.json", x86}, {"arm.json", withResult(arm,
			TargetResult{FOD: "deps", System: "riscv64-linux", PerSystem: true, New: "sha256-r", Status: StatusChanged})}},
			conflict: `arm.json has deps for system "riscv64-linux", which hashbot.toml does not list for it`},
		{name: "two hashes for one target", reports: []NamedReport{{"x86.json", x86}, {"arm.json", armOther}},
			conflict: "src: sha256-DIFFERENT from arm.json vs sha256-s from x86.json"},
		{name: "other version", reports: []NamedReport{{"x86.json", x86}, {"arm.json", arm}}, version: "2",
			conflict: `computed for version "1", the pins are at "2"`},
		{name: "computed against other sources", reports: []NamedReport{{"x86.json", withSources(x86)}, {"arm.json", arm}},
			conflict: "x86.json was computed against nixpkgs at 5f4a1c2d9e8b (sha256-8T/Y" +
				"nMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=), arm.json against no source pins"},
		{name: "the same sources", reports: []NamedReport{{"x86.json", withSources(x86)}, {"arm.json", withSources(arm)}},
			want: []string{"deps/aarch64-linux=sha256-a", "deps/x86_64-linux=sha256-x", "src/=sha256-s"}},
		{name: "computed with other flake locks", reports: []NamedReport{{"x86.json", withLock(x86, "a")}, {"arm.json", withLock(arm, "b")}},
			conflict: "x86.json and arm.json were computed with different flake.lock files"},
		{name: "one computed without the lock", reports: []NamedReport{{"x86.json", withLock(x86, "a")}, {"arm.json", arm}},
			conflict: "x86.json and arm.json were computed with different flake.lock files"},
		{name: "the same flake lock", reports: []NamedReport{{"x86.json", withLock(x86, "a")}, {"arm.json", withLock(arm, "a")}},
			want: []string{"deps/aarch64-linux=sha256-a", "deps/x86_64-linux=sha256-x", "src/=sha256-s"}},
		{name: "computed on the working tree's commit", reports: []NamedReport{{"x86.json", onCommit(x86, commitA)}, {"arm.json", onCommit(arm, commitA)}},
			commit: commitA, want: []string{"deps/aarch64-linux=sha256-a", "deps/x86_64-linux=sha256-x", "src/=sha256-s"}},
		{name: "computed on a commit main moved away from", reports: []NamedReport{{"x86.json", onCommit(x86, commitA)}, {"arm.json", onCommit(arm, commitA)}},
			commit: commitB, conflict: "x86.json was computed on commit aaaaaaaaaaaa, but this working tree is at bbbbbbbbbbbb"},
		{name: "platforms computed on different commits", reports: []NamedReport{{"x86.json", onCommit(x86, commitA)}, {"arm.json", onCommit(arm, commitB)}},
			commit: commitA, conflict: "arm.json was computed on commit bbbbbbbbbbbb"},
		{name: "results that name no commit", reports: []NamedReport{{"x86.json", x86}, {"arm.json", arm}},
			commit: commitA, conflict: "x86.json names no commit it was computed on"},
		{name: "results of a commit applied outside git", reports: []NamedReport{{"x86.json", onCommit(x86, commitA)}, {"arm.json", arm}},
			conflict: "x86.json was computed on commit aaaaaaaaaaaa, and this working tree is no git repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeReports(testConfig(), tt.fods, tt.version, tt.commit, tt.reports)
			var me *MergeError
			switch {
			case tt.conflict != "" || tt.missing != "":
				if !errors.As(err, &me) {
					t.Fatalf("err = %v, want *MergeError", err)
				}
				all := strings.Join(me.Conflicts, "\n") + "|" + strings.Join(me.Missing, "\n")
				if !strings.Contains(all, tt.conflict) || !strings.Contains(all, tt.missing) {
					t.Errorf("error %q, want %q / %q", all, tt.conflict, tt.missing)
				}
			case err != nil:
				t.Fatal(err)
			default:
				var keys []string
				for _, r := range got {
					keys = append(keys, r.FOD+"/"+r.PinSystem()+"="+r.New)
				}
				if diff := cmp.Diff(tt.want, keys); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

// withResult is r with one more target's result.
func withResult(r *Report, t TargetResult) *Report {
	c := *r
	c.Results = append(slices.Clone(r.Results), t)
	return &c
}

// withSources is r computed against pkgsPin.
func withSources(r *Report) *Report {
	c := *r
	c.Sources = map[string]pins.Source{"nixpkgs": pkgsPin}
	return &c
}

const (
	commitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	commitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// onCommit is r computed on commit.
func onCommit(r *Report, commit string) *Report {
	c := *r
	c.Commit = commit
	return &c
}

// withLock is r computed with the flake.lock lock.
func withLock(r *Report, lock string) *Report {
	c := *r
	c.FlakeLock = []byte(lock)
	return &c
}
