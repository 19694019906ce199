package nixcmd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/renameio/v2"
	"github.com/rs/zerolog"
)

// ProbeOptions configure ProbeHostWith.
type ProbeOptions struct {
	// CacheDir keeps Nix's answers between runs, one file per Nix
	// installation; "" asks Nix every time.
	CacheDir string
	// Env is the environment Nix runs with (the runner's Options.Env); nil
	// means the current process's. Its NIX_* variables and the nix.conf
	// files it names are part of the cache key.
	Env []string
}

// ProbeHostWith asks Nix for its version and configuration (`nix config
// show --json`; `nix show-config --json` before Nix 2.20), answering from
// opts.CacheDir when it can.
// Nix's answers are kept under a key of everything they depend on: the
// nix-build and nix binaries (resolved path, size and modification time),
// the NIX_* variables of the environment (NIX_CONFIG, NIX_CONF_DIR,
// NIX_USER_CONF_FILES, NIX_REMOTE, …), and the content of the nix.conf
// files Nix reads (the system's, the user's, and the files they include).
// A change to any of them asks Nix again. What a Host reads from this
// machine rather than from Nix (who runs it, the daemon's socket, the build
// users, the machines file) is read every time.
func ProbeHostWith(ctx context.Context, r Runner, opts ProbeOptions) (*Host, error) {
	if opts.CacheDir == "" {
		ans, err := askNix(ctx, r)
		if err != nil {
			return nil, err
		}
		return hostFrom(ans)
	}
	log := zerolog.Ctx(ctx)
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	file, key, err := hostCacheKey(env)
	if err != nil {
		// Nix is not on PATH, say: asking it says so.
		log.Debug().Err(err).Msg("not caching Nix's settings")
		ans, err := askNix(ctx, r)
		if err != nil {
			return nil, err
		}
		return hostFrom(ans)
	}
	path := filepath.Join(opts.CacheDir, file)
	if ans, ok := readHostCache(path, key); ok {
		log.Debug().Str("version", ans.Version).Msg("Nix's version and settings from the cache")
		return hostFrom(ans)
	}
	ans, err := askNix(ctx, r)
	if err != nil {
		return nil, err
	}
	h, err := hostFrom(ans)
	if err != nil {
		return nil, err
	}
	if err := writeHostCache(path, key, ans); err != nil {
		log.Debug().Err(err).Msg("not caching Nix's settings")
	}
	return h, nil
}

// hostCacheFormat changes when what the cache keeps does.
const hostCacheFormat = "hashbot-nix-host-1"

// hostCacheEntry is one cache file: the key it was written under and
// Nix's answers.
type hostCacheEntry struct {
	Key string `json:"key"`
	hostAnswers
}

// hostCacheKey returns the cache file of the Nix installation on PATH
// (named by its binaries' resolved paths) and the key its entry must have.
func hostCacheKey(env []string) (file, key string, err error) {
	name, sum := sha256.New(), sha256.New()
	fmt.Fprintf(sum, "%s\x00", hostCacheFormat)
	for _, prog := range []string{"nix-build", "nix"} {
		p, err := exec.LookPath(prog)
		if err != nil {
			return "", "", err
		}
		if p, err = filepath.EvalSymlinks(p); err != nil {
			return "", "", err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return "", "", err
		}
		fmt.Fprintf(name, "%s\x00", p)
		fmt.Fprintf(sum, "%s\x00%d\x00%d\x00", p, fi.Size(), fi.ModTime().UnixNano())
	}
	lookup := envLookup(env)
	for _, kv := range slices.Sorted(slices.Values(env)) {
		if strings.HasPrefix(kv, "NIX_") {
			fmt.Fprintf(sum, "%s\x00", kv)
		}
	}
	for _, v := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS"} {
		fmt.Fprintf(sum, "%s=%s\x00", v, lookup(v))
	}
	seen := map[string]bool{}
	for _, conf := range nixConfFiles(lookup) {
		hashConfFile(sum, conf, seen)
	}
	return "host-" + hex.EncodeToString(name.Sum(nil))[:16] + ".json", hex.EncodeToString(sum.Sum(nil)), nil
}

// envLookup returns the value of a variable in env ("" when unset); the
// last entry wins, as in exec.Cmd.
func envLookup(env []string) func(string) string {
	return func(key string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
				return v
			}
		}
		return ""
	}
}

// nixConfFiles lists the nix.conf files Nix reads: the system's
// ($NIX_CONF_DIR/nix.conf, else /etc/nix/nix.conf), then the user's
// ($NIX_USER_CONF_FILES, else nix/nix.conf in each XDG config directory).
func nixConfFiles(lookup func(string) string) []string {
	dir := lookup("NIX_CONF_DIR")
	if dir == "" {
		dir = "/etc/nix"
	}
	files := []string{filepath.Join(dir, "nix.conf")}
	if user := lookup("NIX_USER_CONF_FILES"); user != "" {
		return append(files, filepath.SplitList(user)...)
	}
	home := lookup("XDG_CONFIG_HOME")
	if home == "" && lookup("HOME") != "" {
		home = filepath.Join(lookup("HOME"), ".config")
	}
	dirs := lookup("XDG_CONFIG_DIRS")
	if dirs == "" {
		dirs = "/etc/xdg"
	}
	for _, d := range append([]string{home}, filepath.SplitList(dirs)...) {
		if d != "" {
			files = append(files, filepath.Join(d, "nix", "nix.conf"))
		}
	}
	return files
}

// hashConfFile adds the content of a nix.conf file to sum ("missing" when
// it cannot be read), then that of the files it includes (include and
// !include lines, relative to its directory).
func hashConfFile(sum io.Writer, path string, seen map[string]bool) {
	if seen[path] || len(seen) >= 32 {
		return
	}
	seen[path] = true
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(sum, "%s\x00missing\x00", path)
		return
	}
	fmt.Fprintf(sum, "%s\x00%d\x00", path, len(data))
	sum.Write(data)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && (f[0] == "include" || f[0] == "!include") {
			inc := f[1]
			if !filepath.IsAbs(inc) {
				inc = filepath.Join(filepath.Dir(path), inc)
			}
			hashConfFile(sum, inc, seen)
		}
	}
}

// readHostCache returns the answers kept at path under key.
func readHostCache(path, key string) (*hostAnswers, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var e hostCacheEntry
	if json.Unmarshal(data, &e) != nil || e.Key != key || e.Version == "" || e.Settings["system"] == nil {
		return nil, false
	}
	return &e.hostAnswers, true
}

// writeHostCache keeps ans at path under key, atomically (renameio).
func writeHostCache(path, key string, ans *hostAnswers) error {
	data, err := json.Marshal(hostCacheEntry{Key: key, hostAnswers: *ans})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the Nix settings cache: %w", err)
	}
	if err := renameio.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("writing the Nix settings cache: %w", err)
	}
	return nil
}
