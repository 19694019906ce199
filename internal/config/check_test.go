package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCheckSettingsAreDefaultedAndRead(t *testing.T) {
	base := "[upstream]\nrepo = \"o/r\"\n[fod.src]\nattr = \"src\"\n[fod.deps]\nattr = \"deps\"\nsystems = [\"x86_64-linux\", \"aarch64-linux\"]\n"
	tests := []struct {
		name, data  string
		attrs       []string
		timeout     time.Duration
		label, auto string
	}{
		{"no check: no attrs, the default label", base, nil, 0, DefaultNeedsWorkLabel, ""},
		{"the check's timeout is the build's by default",
			base + "[build]\ntimeout = \"90m\"\n[check]\nattrs = [\"assembled\"]\n", []string{"assembled"}, 90 * time.Minute, DefaultNeedsWorkLabel, ""},
		{"its own timeout wins",
			base + "[build]\ntimeout = \"90m\"\n[check]\nattrs = [\"a\", \"b.c\"]\ntimeout = \"3h\"\n", []string{"a", "b.c"}, 3 * time.Hour, DefaultNeedsWorkLabel, ""},
		{"a label and auto-merge of one's own",
			base + "[check]\nattrs = [\"a\"]\n[pull-request]\nneeds-work-label = \"broken\"\nauto-merge = \"squash\"\n", []string{"a"}, 0, "broken", "squash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.data), "/repo")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.attrs, c.Check.Attrs); diff != "" {
				t.Errorf("attrs (-want +got):\n%s", diff)
			}
			if got := c.CheckTimeout(); got != tt.timeout {
				t.Errorf("CheckTimeout = %v, want %v", got, tt.timeout)
			}
			if c.PullRequest.NeedsWorkLabel != tt.label || c.PullRequest.AutoMerge != tt.auto {
				t.Errorf("label, auto-merge = %q, %q; want %q, %q", c.PullRequest.NeedsWorkLabel, c.PullRequest.AutoMerge, tt.label, tt.auto)
			}
			if diff := cmp.Diff([]string{"aarch64-linux", "x86_64-linux"}, c.CheckSystems()); diff != "" {
				t.Errorf("CheckSystems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckSettingsAreValidated(t *testing.T) {
	base := "[upstream]\nrepo = \"o/r\"\n[fod.src]\nattr = \"src\"\n"
	tests := []struct {
		name, data, want string
	}{
		{"an attr that is no path", base + "[check]\nattrs = [\"a..b\"]\n", `[check] attrs: "a..b" is not an attribute path`},
		{"{system} without a flake", base + "[check]\nattrs = [\"packages.{system}.default\"]\n", "is for a flake's attribute paths"},
		{"a flake's attr without {system}", "flake = \".\"\n" + base + "[check]\nattrs = [\"default\"]\n", "needs {system} in its path"},
		{"an unknown merge method", base + "[check]\nattrs = [\"a\"]\n[pull-request]\nauto-merge = \"yes\"\n", `auto-merge "yes": want one of squash, merge, rebase`},
		{"auto-merge without a check", base + "[pull-request]\nauto-merge = \"merge\"\n", "without [check] attrs"},
		{"an unknown key", base + "[check]\nattr = [\"a\"]\n", `unknown key "check.attr"`},
		{"a timeout that is not positive", base + "[check]\ntimeout = \"0s\"\n", "must be more than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), "/repo")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}
