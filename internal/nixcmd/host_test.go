package nixcmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

func TestParseBuilders(t *testing.T) {
	files := map[string]string{
		"/etc/nix/machines": "# comment\nssh://arm aarch64-linux,armv7l-linux /key 4\n\nssh://same - /key\n",
	}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	tests := []struct {
		name, setting string
		want          []Builder
	}{
		{"empty", "", nil},
		{"missing machines file", "@/nope", nil},
		{"machines file", "@/etc/nix/machines", []Builder{
			{URI: "ssh://arm", Systems: []string{"aarch64-linux", "armv7l-linux"}},
			{URI: "ssh://same", Systems: []string{"x86_64-linux"}},
		}},
		{"inline with semicolons", "ssh://a aarch64-linux; ssh://b", []Builder{
			{URI: "ssh://a", Systems: []string{"aarch64-linux"}},
			{URI: "ssh://b", Systems: []string{"x86_64-linux"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseBuilders(tt.setting, "x86_64-linux", read)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostCanBuild(t *testing.T) {
	h := &Host{System: "x86_64-linux", ExtraPlatforms: []string{"i686-linux"},
		Builders: []Builder{{URI: "ssh://arm", Systems: []string{"aarch64-linux"}}}}
	for sys, want := range map[string]bool{
		"x86_64-linux": true, "i686-linux": true, "aarch64-linux": true, "riscv64-linux": false,
	} {
		if got := h.CanBuild(sys); got != want {
			t.Errorf("CanBuild(%q) = %v, want %v", sys, got, want)
		}
	}
}

func TestBuildsAsBuildUsers(t *testing.T) {
	tests := []struct {
		name   string
		store  string
		euid   int
		socket bool
		want   bool
	}{
		{"root, local store", "auto", 0, false, true},
		{"user through the daemon socket", "auto", 1000, true, true},
		{"user, store daemon", "daemon", 1000, false, true},
		{"user, unix socket store", "unix:///run/nix.sock", 1000, false, true},
		{"user, single-user install", "auto", 1000, false, false},
		{"user, local store", "local", 1000, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildsAsBuildUsers(tt.store, tt.euid, func() bool { return tt.socket }); got != tt.want {
				t.Errorf("buildsAsBuildUsers(%q, %d, socket %v) = %v, want %v", tt.store, tt.euid, tt.socket, got, tt.want)
			}
		})
	}
}

func TestGroupMembers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "group")
	os.WriteFile(p, []byte("root:x:0:\nnixbld:x:30000:nixbld1,nixbld2,nixbld3\nempty:x:1:\n"), 0o644)
	for group, want := range map[string]int{"nixbld": 3, "empty": 0, "absent": 0} {
		if got := groupMembers(p, group); got != want {
			t.Errorf("groupMembers(%q) = %d, want %d", group, got, want)
		}
	}
}

func TestProbeHostRealNix(t *testing.T) {
	testutil.RequireNix(t)
	h, err := ProbeHostWith(t.Context(), New(Options{}), ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Version == "" || h.System == "" {
		t.Errorf("host = %+v, want a version and a system", h)
	}
	if !h.CanBuild("aarch64-linux") {
		t.Errorf("extra-platforms from NIX_CONFIG not seen: %+v", h)
	}
	if h.CanBuild("riscv64-linux") {
		t.Errorf("riscv64-linux reported buildable: %+v", h)
	}
}

func TestProbeHostWithoutNix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := ProbeHostWith(t.Context(), New(Options{}), ProbeOptions{})
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want *NotFoundError", err)
	}
}

func TestFlakeUpdateArgsFollowTheNixVersion(t *testing.T) {
	for version, want := range map[string]string{
		"2.8.0":  "--extra-experimental-features nix-command flakes --option tarball-ttl 0 flake lock --update-input pkgs",
		"2.19.0": "--extra-experimental-features nix-command flakes --option tarball-ttl 0 flake update pkgs",
		"2.34.8": "--extra-experimental-features nix-command flakes --option tarball-ttl 0 flake update pkgs",
	} {
		h := &Host{Version: version}
		if got := strings.Join(h.FlakeUpdateArgs("pkgs"), " "); got != want {
			t.Errorf("Nix %s: %q, want %q", version, got, want)
		}
	}
}
