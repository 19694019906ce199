package nixcmd

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
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
	// unknown or when builds do not run as build users (and so Nix's
	// parallelism is not capped by them).
	BuildUsers int
	// SystemFeatures are the features this machine offers (system-features).
	SystemFeatures []string
	// LocalStore is true when this process's Nix builds in its own process
	// (root on a local store) rather than through a daemon, so that build
	// settings given on the command line take effect.
	LocalStore bool
	// AutoAllocateUIDs is true when this Nix can give each build UIDs of
	// its own instead of a build user's (auto-allocate-uids, Nix ≥ 2.12,
	// experimental) and hashbot can turn that on for its builds: then
	// BuildUsers does not cap them (BuildArgs).
	AutoAllocateUIDs bool
	// autoAllocateKnown is true when this Nix has auto-allocate-uids.
	autoAllocateKnown bool
}

// Builder is one remote builder from the builders setting.
type Builder struct {
	// URI is the machine ("ssh://builder.example").
	URI string
	// Systems are the platforms it builds.
	Systems []string
	// Features are the system features it supports.
	Features []string
}

// StructuredLogs says whether this Nix writes --log-format internal-json
// (Nix 2.4 and later, Lix, Determinate Nix), where its own messages are
// events apart from a builder's output.
func (h *Host) StructuredLogs() bool {
	return versionAtLeast(h.Version, 2, 4)
}

// BuildUsersCap returns how many of parallel builds Nix runs at once
// because of its build users: parallel itself when they do not cap it.
func (h *Host) BuildUsersCap(parallel int) int {
	if h.BuildUsers == 0 || h.AutoAllocateUIDs || parallel <= h.BuildUsers {
		return parallel
	}
	return h.BuildUsers
}

// BuildArgs are the options hashbot gives a nix-build of parallel builds:
// when its build users would cap them and this Nix can allocate build UIDs
// by itself, auto-allocate-uids.
func (h *Host) BuildArgs(parallel int) []string {
	if !h.AutoAllocateUIDs || h.BuildUsers == 0 || parallel <= h.BuildUsers {
		return nil
	}
	return []string{"--extra-experimental-features", "auto-allocate-uids", "--option", "auto-allocate-uids", "true"}
}

// FlakeArgs are the options every command evaluating a flake needs: flakes
// are experimental in every Nix (2.4 and later) but Determinate's, and
// extra- adds them to what the user enabled instead of replacing it.
func FlakeArgs() []string {
	return []string{"--extra-experimental-features", "nix-command flakes"}
}

// FlakeUpdateArgs are the arguments of the nix command that moves the
// input name of the flake in the working directory to its newest revision:
// `flake update NAME` from Nix 2.19, which took over the job of `flake
// lock --update-input NAME`. tarball-ttl 0 makes Nix ask where the branch
// is now, not answer from its fetcher cache of the last hour.
func (h *Host) FlakeUpdateArgs(name string) []string {
	args := append(FlakeArgs(), "--option", "tarball-ttl", "0")
	if versionAtLeast(h.Version, 2, 19) {
		return append(args, "flake", "update", name)
	}
	return append(args, "flake", "lock", "--update-input", name)
}

// BuildUsersAdvice says how to lift the cap of BuildUsers on parallel
// builds, for a warning.
func (h *Host) BuildUsersAdvice() string {
	if h.autoAllocateKnown {
		return "set auto-allocate-uids = true (with experimental-features = auto-allocate-uids) in the Nix daemon's nix.conf, or add build users"
	}
	return "add build users to the group (Nix 2.12 and later can allocate build UIDs by itself: auto-allocate-uids)"
}

// MissingFeatures returns the features among want that no machine building
// system offers: this one when system is one it builds, or a remote builder
// for it.
func (h *Host) MissingFeatures(system string, want []string) []string {
	var missing []string
	for _, f := range want {
		ok := slices.Contains(h.Platforms(), system) && slices.Contains(h.SystemFeatures, f)
		for _, b := range h.Builders {
			if slices.Contains(b.Systems, system) && slices.Contains(b.Features, f) {
				ok = true
			}
		}
		if !ok {
			missing = append(missing, f)
		}
	}
	return missing
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

// hostAnswers is what Nix says of itself that a Host is read from: its
// version and the settings hostFrom reads, each setting's JSON value.
type hostAnswers struct {
	Version  string                     `json:"version"`
	Settings map[string]json.RawMessage `json:"settings"`
}

// hostSettings are the settings a Host is read from; only these are kept
// in the cache (others, such as access-tokens, may hold secrets).
var hostSettings = []string{"system", "extra-platforms", "system-features", "builders", "build-users-group", "store", "auto-allocate-uids"}

// askNix asks Nix for its version and its settings: two processes.
func askNix(ctx context.Context, r Runner) (*hostAnswers, error) {
	out, err := r.Run(ctx, Command{Name: "nix-build", Args: []string{"--version"}})
	if err != nil {
		return nil, fmt.Errorf("asking Nix for its version: %w", err)
	}
	ans := &hostAnswers{Version: parseVersion(string(out.Stdout)), Settings: map[string]json.RawMessage{}}
	show := []string{"--extra-experimental-features", "nix-command", "show-config", "--json"}
	if versionAtLeast(ans.Version, 2, 20) {
		show = []string{"--extra-experimental-features", "nix-command", "config", "show", "--json"}
	}
	out, err = r.Run(ctx, Command{Name: "nix", Args: show})
	if err != nil {
		return nil, fmt.Errorf("reading Nix's configuration: %w", err)
	}
	var conf map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(out.Stdout, &conf); err != nil {
		return nil, fmt.Errorf("reading Nix's configuration: nix %s: %w", strings.Join(show[2:], " "), err)
	}
	for _, key := range hostSettings {
		if setting, ok := conf[key]; ok {
			ans.Settings[key] = setting.Value
		}
	}
	return ans, nil
}

// hostFrom reads a Host from Nix's answers and from this machine: who
// runs Nix, its daemon's socket, the build users' group, the machines file.
func hostFrom(ans *hostAnswers) (*Host, error) {
	h := &Host{Version: ans.Version}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(ans.Settings[key], &s)
		return s
	}
	list := func(key string) []string {
		var l []string
		if json.Unmarshal(ans.Settings[key], &l) != nil {
			l = strings.Fields(str(key)) // older Nix writes some lists as one string
		}
		return l
	}
	h.ExtraPlatforms = list("extra-platforms")
	h.System = str("system")
	if h.System == "" {
		return nil, fmt.Errorf("reading Nix's configuration: no system setting in nix show-config")
	}
	h.ExtraPlatforms = slices.DeleteFunc(h.ExtraPlatforms, func(s string) bool { return s == h.System })
	h.SystemFeatures = list("system-features")
	h.Builders = parseBuilders(str("builders"), h.System, os.ReadFile)
	h.BuildUsersGroup = str("build-users-group")
	store := str("store")
	h.LocalStore = os.Geteuid() == 0 && (store == "auto" || store == "" || store == "local")
	var autoOn bool
	if setting, ok := ans.Settings["auto-allocate-uids"]; ok {
		h.autoAllocateKnown = true
		_ = json.Unmarshal(setting, &autoOn)
	}
	if h.BuildUsersGroup != "" && !autoOn && buildsAsBuildUsers(store, os.Geteuid(), daemonSocketExists) {
		h.BuildUsers = groupMembers("/etc/group", h.BuildUsersGroup)
	}
	// A daemon decides this for itself; a build in this process takes it
	// from the command line.
	h.AutoAllocateUIDs = h.autoAllocateKnown && h.LocalStore
	return h, nil
}

// versionAtLeast says whether the Nix version v ("2.26.3", "2.91.1") is at
// least major.minor.
func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
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
		// Fields: URI, systems, SSH key, max jobs, speed factor, supported
		// features, mandatory features, host key. Mandatory ones count as
		// supported.
		for _, i := range []int{5, 6} {
			if len(f) > i && f[i] != "-" {
				b.Features = append(b.Features, strings.Split(f[i], ",")...)
			}
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
