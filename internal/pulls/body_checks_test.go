package pulls

import (
	"strings"
	"testing"
)

func TestCheckHeadlineIsTheBodysFirstLine(t *testing.T) {
	built := func(sys string) CheckRow { return CheckRow{Attr: "assembled", System: sys, Status: CheckBuilt} }
	tests := []struct {
		name   string
		checks []CheckRow
		want   string // the first line after the marker
	}{
		{"a failed check names the attribute, the system, the version and the derivation",
			[]CheckRow{built("aarch64-linux"), {Attr: "assembled", System: "x86_64-linux", Status: CheckFailed, Failed: "authentik-worker",
				Note: "builder of authentik-worker failed with exit code 1", LogTail: []string{"error: no Cargo.lock vendor"}}},
			"**The hashes are Nix's own, but `assembled` does not build on x86_64-linux at 2026.5.6: `authentik-worker` failed (below).**"},
		{"a check that built everywhere says where",
			[]CheckRow{built("x86_64-linux"), built("aarch64-linux")},
			"The hashes are Nix's own, and `assembled` built on x86_64-linux and aarch64-linux."},
		{"a system without a builder is said",
			[]CheckRow{built("x86_64-linux"), {Attr: "assembled", System: "aarch64-linux", Status: CheckNotTried, Note: "no builder"}},
			"The hashes are Nix's own, and `assembled` built on x86_64-linux; not tried on aarch64-linux (below)."},
		{"a failure without a derivation (a timeout) points below",
			[]CheckRow{{Attr: "assembled", System: "x86_64-linux", Status: CheckFailed, Note: "timeout"}},
			"**The hashes are Nix's own, but `assembled` does not build on x86_64-linux at 2026.5.6 (below).**"},
		{"no check, no headline", nil, "Updates [goauthentik/authentik](https://github.com/goauthentik/authentik) from **2026.2.2** to **2026.5.6** and the fixed-output derivation hashes that depend on it."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := RenderBody(BodyData{UpstreamRepo: "goauthentik/authentik", OldVersion: "2026.2.2", NewVersion: "2026.5.6", Checks: tt.checks})
			_, rest, _ := strings.Cut(body, "\n\n")
			if first, _, _ := strings.Cut(rest, "\n"); first != tt.want {
				t.Errorf("first line:\n got %s\nwant %s", first, tt.want)
			}
		})
	}
}

func TestCheckSectionKeepsLogsHarmless(t *testing.T) {
	body := RenderBody(BodyData{UpstreamRepo: "goauthentik/authentik", NewVersion: "2026.5.6", Checks: []CheckRow{
		{Attr: "assembled", System: "x86_64-linux", Status: CheckFailed, Failed: "authentik-worker",
			Note: "builder failed @everyone", LogTail: []string{"```", "<script>alert(1)</script>", "ping @everyone"}},
	}})
	for _, want := range []string{"### Build check", "| `assembled` | `x86_64-linux` | **failed**: `authentik-worker` |",
		"<details><summary>authentik-worker log</summary>", "  ````text\n  ```\n  <script>alert(1)</script>\n  ping @everyone\n  ````",
		"builder failed @\u200beveryone"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestVerdictOf(t *testing.T) {
	tests := []struct {
		name string
		rows []CheckRow
		want Verdict
	}{
		{"no check", nil, VerdictNone},
		{"built everywhere", []CheckRow{{Status: CheckBuilt}, {Status: CheckBuilt}}, VerdictBuilt},
		{"one failure fails it", []CheckRow{{Status: CheckBuilt}, {Status: CheckNotTried}, {Status: CheckFailed}}, VerdictFailed},
		{"not tried somewhere is neither", []CheckRow{{Status: CheckBuilt}, {Status: CheckNotTried}}, VerdictNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerdictOf(tt.rows); got != tt.want {
				t.Errorf("VerdictOf = %q, want %q", got, tt.want)
			}
		})
	}
}
