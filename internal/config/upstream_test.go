package config

import (
	"errors"
	"testing"
)

func TestAConfigWithoutUpstreamIsValidButNotForRun(t *testing.T) {
	tests := []struct {
		name, data   string
		wantUpstream bool
	}{
		{"a repository that packages itself", "[fod.vendor]\nattr = \"app.goModules\"\nlocal-inputs = [\"go.mod\", \"go.sum\"]\n", false},
		{"a repository that follows a release", "[upstream]\nrepo = \"o/r\"\n[fod.src]\nattr = \"src\"\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.data), "/repo")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := c.HasUpstream(); got != tt.wantUpstream {
				t.Errorf("HasUpstream = %v, want %v", got, tt.wantUpstream)
			}
			if err := c.RequireUpstream(); errors.Is(err, ErrNoUpstream) == tt.wantUpstream {
				t.Errorf("RequireUpstream = %v", err)
			}
		})
	}
}

func TestFixTableEnablesServingPullRequests(t *testing.T) {
	tests := []struct {
		name, data string
		want       bool
	}{
		{"left out", "[fod.vendor]\nattr = \"app.goModules\"\nlocal-inputs = [\"go.sum\"]\n", false},
		{"enabled", "[fod.vendor]\nattr = \"app.goModules\"\nlocal-inputs = [\"go.sum\"]\n[fix]\nenabled = true\n", true},
		{"disabled", "[fod.vendor]\nattr = \"app.goModules\"\nlocal-inputs = [\"go.sum\"]\n[fix]\nenabled = false\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.data), "/repo")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Fix.Enabled != tt.want {
				t.Errorf("[fix] enabled = %v, want %v", c.Fix.Enabled, tt.want)
			}
		})
	}
}
