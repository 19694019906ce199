package nixcmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// askingNix answers ProbeHostWith's two questions as Nix 2.8 would, and counts
// them; it runs nothing.
type askingNix struct {
	mu     sync.Mutex
	asked  []string
	config string // nix show-config --json
}

func (a *askingNix) Run(_ context.Context, c Command) (*Output, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, c.Name+" "+strings.Join(c.Args, " "))
	if c.Name == "nix-build" {
		return &Output{Stdout: []byte("nix-build (Nix) 2.8.0\n")}, nil
	}
	return &Output{Stdout: []byte(a.config)}, nil
}

const askingNixConfig = `{"system": {"value": "x86_64-linux"}, "extra-platforms": {"value": ["aarch64-linux"]},
 "system-features": {"value": ["kvm"]}, "build-users-group": {"value": ""}, "store": {"value": "auto"},
 "access-tokens": {"value": {"github.com": "ghp_probeCacheMustNotKeepThis"}}}`

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestProbeHostWithCacheAsksNixOnlyWhenItChanged(t *testing.T) {
	// probeEnv is what one case changes between the two probes.
	type probeEnv struct {
		nix, confDir, home string
		env                []string
	}
	tests := []struct {
		name   string
		change func(t *testing.T, p *probeEnv)
		want   int // questions asked by the second probe
	}{
		{"nothing changed", func(*testing.T, *probeEnv) {}, 0},
		{"an unrelated variable changed", func(_ *testing.T, p *probeEnv) { p.env = append(p.env, "EDITOR=vi") }, 0},
		{"the binary's mtime changed", func(t *testing.T, p *probeEnv) {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(p.nix, later, later); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"the binary's size changed, not its mtime", func(t *testing.T, p *probeEnv) {
			fi, err := os.Stat(p.nix)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, p.nix, "#!/bin/sh\nexit 2 # another Nix\n")
			if err := os.Chtimes(p.nix, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"NIX_CONFIG changed", func(_ *testing.T, p *probeEnv) {
			p.env = append(p.env, "NIX_CONFIG=extra-platforms = aarch64-linux i686-linux")
		}, 2},
		{"NIX_REMOTE set", func(_ *testing.T, p *probeEnv) { p.env = append(p.env, "NIX_REMOTE=daemon") }, 2},
		{"the system nix.conf changed", func(t *testing.T, p *probeEnv) {
			writeFile(t, filepath.Join(p.confDir, "nix.conf"), "extra-platforms = aarch64-linux\n")
		}, 2},
		{"a file the system nix.conf includes changed", func(t *testing.T, p *probeEnv) {
			writeFile(t, filepath.Join(p.confDir, "nix.custom.conf"), "system-features = kvm big-parallel\n")
		}, 2},
		{"the user's nix.conf appeared", func(t *testing.T, p *probeEnv) {
			writeFile(t, filepath.Join(p.home, ".config", "nix", "nix.conf"), "builders = ssh://arm aarch64-linux\n")
		}, 2},
		{"NIX_CONF_DIR names another directory", func(t *testing.T, p *probeEnv) {
			p.env = append(p.env, "NIX_CONF_DIR="+t.TempDir())
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probeEnv{nix: testutil.FakeNixInstall(t), confDir: t.TempDir(), home: t.TempDir()}
			writeFile(t, filepath.Join(p.confDir, "nix.conf"), "sandbox = false\n!include nix.custom.conf\n")
			p.env = []string{"NIX_CONF_DIR=" + p.confDir, "HOME=" + p.home, "XDG_CONFIG_DIRS=" + t.TempDir()}
			cache := t.TempDir()
			nix := &askingNix{config: askingNixConfig}
			first, err := ProbeHostWith(t.Context(), nix, ProbeOptions{CacheDir: cache, Env: p.env})
			if err != nil {
				t.Fatal(err)
			}
			if len(nix.asked) != 2 {
				t.Fatalf("the first probe asked %q, want Nix's version and settings", nix.asked)
			}
			tt.change(t, p)
			nix.asked = nil
			second, err := ProbeHostWith(t.Context(), nix, ProbeOptions{CacheDir: cache, Env: p.env})
			if err != nil {
				t.Fatal(err)
			}
			if len(nix.asked) != tt.want {
				t.Errorf("the second probe asked Nix %q, want %d questions", nix.asked, tt.want)
			}
			if diff := cmp.Diff(first, second, cmpopts.EquateEmpty(), cmp.AllowUnexported(Host{})); diff != "" {
				t.Errorf("the second probe's host differs (-first +second):\n%s", diff)
			}
		})
	}
}

// TestProbeHostWithCacheKeepsNoSecrets: nix show-config prints every
// setting, access-tokens among them; the cache keeps only those a Host is
// read from.
func TestProbeHostWithCacheKeepsNoSecrets(t *testing.T) {
	testutil.FakeNixInstall(t)
	cache := t.TempDir()
	env := []string{"NIX_CONF_DIR=" + t.TempDir(), "HOME=" + t.TempDir()}
	if _, err := ProbeHostWith(t.Context(), &askingNix{config: askingNixConfig}, ProbeOptions{CacheDir: cache, Env: env}); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(cache, "*"))
	if err != nil || len(files) != 1 {
		t.Fatalf("cache holds %q (%v), want one file", files, err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "ghp_probeCacheMustNotKeepThis") || strings.Contains(string(data), "access-tokens") {
		t.Errorf("the cache keeps access-tokens: %s", data)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v (%v), want 0600", fi.Mode(), err)
	}
}

// TestProbeHostWithCacheIgnoresADamagedEntry asks Nix again when the
// cache file is not one it wrote.
func TestProbeHostWithCacheIgnoresADamagedEntry(t *testing.T) {
	testutil.FakeNixInstall(t)
	cache := t.TempDir()
	env := []string{"NIX_CONF_DIR=" + t.TempDir(), "HOME=" + t.TempDir()}
	nix := &askingNix{config: askingNixConfig}
	if _, err := ProbeHostWith(t.Context(), nix, ProbeOptions{CacheDir: cache, Env: env}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "*"))
	for _, f := range files {
		writeFile(t, f, `{"key": "`)
	}
	nix.asked = nil
	h, err := ProbeHostWith(t.Context(), nix, ProbeOptions{CacheDir: cache, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if len(nix.asked) != 2 || h.System != "x86_64-linux" {
		t.Errorf("asked %q, host %+v; want Nix asked again", nix.asked, h)
	}
}
