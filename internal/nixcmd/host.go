package nixcmd

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Host is what the local Nix can build and with how much parallelism.
type Host struct {
	// Version is Nix's version ("2.8.0").
	Version string
	// System is the machine's own platform ("x86_64-linux").
	System string
	// ExtraPlatforms are the other platforms it builds locally
	// (extra-platforms, e.g. with binfmt emulation).
	ExtraPlatforms []string
	// Builders are the remote builders Nix is configured with.
	Builders []Builder
	// BuildUsersGroup is the build-users-group setting ("nixbld").
	BuildUsersGroup string
	// BuildUsers is the number of members of BuildUsersGroup, 0 when
	// unknown or when builds do not run as build users.
	BuildUsers int
}

// Builder is one remote builder from the builders setting.
type Builder struct {
	// URI is the machine ("ssh://builder.example").
	URI string
	// Systems are the platforms it builds.
	Systems []string
}

// CanBuild says whether a build for system can run here or on a builder.
func (h *Host) CanBuild(system string) bool {
	if system == h.System || slices.Contains(h.ExtraPlatforms, system) {
		return true
	}
	for _, b := range h.Builders {
		if slices.Contains(b.Systems, system) {
			return true
		}
	}
	return false
}

// Platforms lists the platforms this Nix builds locally.
func (h *Host) Platforms() []string {
	return append([]string{h.System}, h.ExtraPlatforms...)
}

// ProbeHost asks Nix for its version and configuration
// (`nix show-config --json`).
func ProbeHost(ctx context.Context, r Runner) (*Host, error) {
	out, err := r.Run(ctx, Command{Name: "nix-build", Args: []string{"--version"}})
	if err != nil {
		return nil, fmt.Errorf("asking Nix for its version: %w", err)
	}
	h := &Host{Version: parseVersion(string(out.Stdout))}
	out, err = r.Run(ctx, Command{Name: "nix", Args: []string{
		"--extra-experimental-features", "nix-command", "show-config", "--json"}})
	if err != nil {
		return nil, fmt.Errorf("reading Nix's configuration: %w", err)
	}
	var conf map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(out.Stdout, &conf); err != nil {
		return nil, fmt.Errorf("reading Nix's configuration: nix show-config --json: %w", err)
	}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(conf[key].Value, &s)
		return s
	}
	_ = json.Unmarshal(conf["extra-platforms"].Value, &h.ExtraPlatforms)
	h.System = str("system")
	if h.System == "" {
		return nil, fmt.Errorf("reading Nix's configuration: no system setting in nix show-config")
	}
	h.ExtraPlatforms = slices.DeleteFunc(h.ExtraPlatforms, func(s string) bool { return s == h.System })
	h.Builders = parseBuilders(str("builders"), h.System, os.ReadFile)
	h.BuildUsersGroup = str("build-users-group")
	if h.BuildUsersGroup != "" && buildsAsBuildUsers(str("store"), os.Geteuid(), daemonSocketExists) {
		h.BuildUsers = groupMembers("/etc/group", h.BuildUsersGroup)
	}
	return h, nil
}

// buildsAsBuildUsers says whether Nix's builds run as build users: when
// root builds in its local store, or when a user's builds go through the
// daemon (store "daemon", "unix://…", or "auto" with the daemon's socket
// present). A user's local single-user store builds as that user.
func buildsAsBuildUsers(store string, euid int, socketExists func() bool) bool {
	switch {
	case euid == 0:
		return true
	case store == "daemon" || strings.HasPrefix(store, "unix://"):
		return true
	case store == "auto" || store == "":
		return socketExists()
	}
	return false
}

// daemonSocketExists says whether the Nix daemon's socket is there.
func daemonSocketExists() bool {
	path := os.Getenv("NIX_DAEMON_SOCKET_PATH")
	if path == "" {
		path = "/nix/var/nix/daemon-socket/socket"
	}
	_, err := os.Stat(path)
	return err == nil
}

// parseVersion takes "nix-build (Nix) 2.8.0" to "2.8.0".
func parseVersion(s string) string {
	f := strings.Fields(strings.TrimSpace(s))
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// parseBuilders reads Nix's builders setting: machine specs separated by
// newlines or semicolons, or "@file" naming a file of them. The second field
// of a spec lists its systems (comma-separated); absent or "-" means the
// local system.
func parseBuilders(setting, local string, readFile func(string) ([]byte, error)) []Builder {
	var specs []string
	for _, part := range strings.FieldsFunc(setting, func(r rune) bool { return r == '\n' || r == ';' }) {
		part = strings.TrimSpace(part)
		if file, ok := strings.CutPrefix(part, "@"); ok {
			data, err := readFile(file)
			if err != nil {
				continue // Nix ignores a missing machines file too.
			}
			specs = append(specs, strings.Split(string(data), "\n")...)
			continue
		}
		specs = append(specs, part)
	}
	var out []Builder
	for _, spec := range specs {
		if i := strings.IndexByte(spec, '#'); i >= 0 {
			spec = spec[:i]
		}
		f := strings.Fields(spec)
		if len(f) == 0 {
			continue
		}
		b := Builder{URI: f[0], Systems: []string{local}}
		if len(f) > 1 && f[1] != "-" {
			b.Systems = strings.Split(f[1], ",")
		}
		out = append(out, b)
	}
	return out
}

// groupMembers counts the members of group in an /etc/group file.
func groupMembers(path, group string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) == 4 && fields[0] == group {
			if fields[3] == "" {
				return 0
			}
			return len(strings.Split(fields[3], ","))
		}
	}
	return 0
}
