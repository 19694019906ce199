package fod

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

func fodConfig(name string, systems ...string) config.FOD {
	return config.FOD{Name: name, Attr: name, Systems: systems}
}

func testConfig() *config.Config {
	return &config.Config{FODs: map[string]config.FOD{
		"src":  fodConfig("src"),
		"deps": fodConfig("deps", "x86_64-linux", "aarch64-linux"),
	}}
}

func testPins(t *testing.T, doc string) *pins.Pins {
	t.Helper()
	p, err := pins.Parse([]byte(doc), "sources.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const testPinsDoc = `{"version": "1", "hashes": {"src": "sha256-old", "deps": {"x86_64-linux": null}}}`

func TestSelectTargets(t *testing.T) {
	host := &nixcmd.Host{System: "x86_64-linux"}
	tests := []struct {
		name    string
		fods    []string
		systems []string
		want    []string
	}{
		{"all", nil, nil, []string{"deps x86_64-linux/x86_64-linux", "deps aarch64-linux/aarch64-linux", "src x86_64-linux/"}},
		{"one FOD", []string{"src"}, nil, []string{"src x86_64-linux/"}},
		// The aarch64 deps take src as input: it is computed here too.
		{"another system keeps the system-independent FODs, built here", nil, []string{"aarch64-linux"},
			[]string{"deps aarch64-linux/aarch64-linux", "src x86_64-linux/"}},
		{"host system keeps them", nil, []string{"x86_64-linux"}, []string{"deps x86_64-linux/x86_64-linux", "src x86_64-linux/"}},
	}
	// A FOD just added to hashbot.toml has no entry in the pins yet: it is
	// computed like a null one, for every system it lists.
	t.Run("an FOD the pins do not name yet", func(t *testing.T) {
		ts, err := selectTargets(Request{Config: testConfig(), Pins: testPins(t, `{"version": "1", "hashes": {"src": null}}`)}, host)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range ts {
			got = append(got, x.fod.Name+" "+x.system)
		}
		if want := []string{"deps x86_64-linux", "deps aarch64-linux", "src x86_64-linux"}; !cmp.Equal(want, got) {
			t.Errorf("targets %v, want %v", got, want)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := selectTargets(Request{Config: testConfig(), Pins: testPins(t, testPinsDoc), FODs: tt.fods, Systems: tt.systems}, host)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range ts {
				got = append(got, x.fod.Name+" "+x.system+"/"+x.pinSystem)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectTargetsRejectsBadRequests(t *testing.T) {
	host := &nixcmd.Host{System: "x86_64-linux"}
	tests := []struct {
		name, pins string
		fods       []string
		systems    []string
		want       string
	}{
		{"unknown FOD", testPinsDoc, []string{"nope"}, nil, `--fod "nope"`},
		{"unknown system", testPinsDoc, nil, []string{"riscv64-linux"}, `--system "riscv64-linux"`},
		{"pins have the wrong shape", `{"hashes": {"src": {"x86_64-linux": "h"}, "deps": null}}`, nil, nil, "src"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := selectTargets(Request{Config: testConfig(), Pins: testPins(t, tt.pins), FODs: tt.fods, Systems: tt.systems}, host)
			var re *RequestError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a *RequestError naming %s", err, tt.want)
			}
		})
	}
}
