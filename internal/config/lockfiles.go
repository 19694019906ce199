package config

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// goModFile is the manifest of a Go module.
const goModFile = "go.mod"

// lockPair is a package manager's manifest and the lock files that pin
// what it declares: a FOD's output depends on both.
type lockPair struct {
	manifest string
	locks    []string
	// workspace says a member's manifest is locked by the lock of a
	// directory above it (an npm, uv or Cargo workspace's root); a Go
	// module's go.sum sits beside its go.mod.
	workspace bool
}

// lockPairs is every manifest hashbot knows with its locks: the one home
// of lock file names (LockWarnings, IsLockFile, UnclaimedLocks).
var lockPairs = []lockPair{
	{manifest: goModFile, locks: []string{"go.sum"}},
	{manifest: "package.json", locks: []string{"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"}, workspace: true},
	{manifest: "pyproject.toml", locks: []string{"uv.lock", "poetry.lock"}, workspace: true},
	{manifest: "Cargo.toml", locks: []string{"Cargo.lock"}, workspace: true},
	{manifest: "composer.json", locks: []string{"composer.lock"}},
	{manifest: "Gemfile", locks: []string{"Gemfile.lock"}},
	{manifest: "flake.nix", locks: []string{"flake.lock"}},
}

// IsLockFile says whether p (a slash-separated path) is a lock file of a
// package manager hashbot knows, by its base name.
func IsLockFile(p string) bool {
	pair, ok := lockPairOf(path.Base(p))
	return ok && pair.manifest != path.Base(p)
}

// UnclaimedLocks lists, sorted, the lock files among paths (an upstream
// tree's files) that no FOD's inputs name or match and [check]
// ignore-locks does not silence: a dependency set no FOD fetches.
func (c *Config) UnclaimedLocks(paths []string) []string {
	var out []string
	for _, p := range paths {
		if !IsLockFile(p) || names(c.Check.IgnoreLocks, p) || slices.ContainsFunc(c.FODNames(), func(n string) bool { return c.FODs[n].Uses(p) }) {
			continue
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lockPairOf is the pair whose manifest or lock is named base.
func lockPairOf(base string) (lockPair, bool) {
	for _, p := range lockPairs {
		if p.manifest == base || slices.Contains(p.locks, base) {
			return p, true
		}
	}
	return lockPair{}, false
}

// LockWarnings says where a FOD's inputs (or local-inputs) name a
// manifest but not its lock, or a lock but not its manifest: a change to
// the one left out would leave the hash stale unseen.
func (c *Config) LockWarnings() []string {
	var out []string
	for _, name := range c.FODNames() {
		f := c.FODs[name]
		for _, s := range []struct {
			key   string
			paths []string
		}{{"inputs", f.Inputs}, {"local-inputs", f.LocalInputs}} {
			for _, miss := range unpairedLocks(s.paths) {
				out = append(out, fmt.Sprintf("%s: [fod.%s] %s name %s but not %s: a change to it alone would leave the FOD's hash stale unseen",
					FileName, name, s.key, miss.named, miss.missing))
			}
		}
	}
	return out
}

// unpaired is a manifest named without its lock, or the reverse.
type unpaired struct{ named, missing string }

// unpairedLocks finds, among paths, each manifest whose lock is not named
// beside it (or, in a workspace, in a directory above), and each lock
// whose manifest is not named beside it.
func unpairedLocks(paths []string) []unpaired {
	var out []unpaired
	for _, p := range paths {
		pair, ok := lockPairOf(path.Base(p))
		if !ok {
			continue
		}
		dir := path.Dir(p)
		if path.Base(p) != pair.manifest {
			if m := path.Join(dir, pair.manifest); !names(paths, m) {
				out = append(out, unpaired{named: p, missing: m})
			}
			continue
		}
		if !lockedFrom(paths, pair, dir) {
			out = append(out, unpaired{named: p, missing: lockNames(dir, pair)})
		}
	}
	return out
}

// lockedFrom says whether paths name a lock of pair in dir or, for a
// workspace, in a directory above it.
func lockedFrom(paths []string, pair lockPair, dir string) bool {
	for {
		for _, l := range pair.locks {
			if names(paths, path.Join(dir, l)) {
				return true
			}
		}
		if !pair.workspace || dir == "." {
			return false
		}
		dir = path.Dir(dir)
	}
}

// names says whether paths name p: as it is, or by a pattern matching it.
func names(paths []string, p string) bool {
	for _, q := range paths {
		if q == p {
			return true
		}
		if ok, _ := path.Match(q, p); ok && IsPattern(q) {
			return true
		}
	}
	return false
}

// lockNames names the locks of pair in dir: "go.sum", or "its lock
// (web/package-lock.json, …, or web/pnpm-lock.yaml)".
func lockNames(dir string, pair lockPair) string {
	if len(pair.locks) == 1 {
		return path.Join(dir, pair.locks[0])
	}
	locks := make([]string, len(pair.locks))
	for i, l := range pair.locks {
		locks[i] = path.Join(dir, l)
	}
	last := len(locks) - 1
	return "its lock (" + strings.Join(locks[:last], ", ") + " or " + locks[last] + ")"
}

// lockHint is the manifest and first lock of the package manager a FOD's
// name or attribute suggests, for the inputs `hashbot init` proposes.
func lockHint(manifest string) []string {
	p, _ := lockPairOf(manifest)
	return []string{p.manifest, p.locks[0]}
}

// fetcherLocks are the fetchers other than Go's that hashbot knows, by the
// last name of their FOD's attribute (npmDeps, cargoDeps, pnpmDeps) or of
// the attribute their hash is written in (npmDepsHash, cargoHash), with
// the manifest and the lock each reads.
var fetcherLocks = []struct {
	attrs          []string
	manifest, lock string
}{
	{attrs: []string{"npmDeps", "npmDepsHash"}, manifest: "package.json", lock: "package-lock.json"},
	{attrs: []string{"pnpmDeps"}, manifest: "package.json", lock: "pnpm-lock.yaml"},
	{attrs: []string{"cargoDeps", "cargoHash"}, manifest: "Cargo.toml", lock: "Cargo.lock"},
}

// LocalInputsHint guesses the files of the repository an FOD's fetcher
// reads, at the repository's root, from the fetcher its attribute or hash
// attribute names: go.mod and go.sum for a Go vendor FOD (goModules,
// vendorHash), the manifest and its lock for npmDeps, pnpmDeps and
// cargoDeps. It returns nil for a fetcher it does not know. The manifest
// is named with the lock, as LockWarnings asks.
func LocalInputsHint(f FOD) []string {
	if f.vendorsGo() {
		return lockHint(goModFile)
	}
	for _, fl := range fetcherLocks {
		if slices.Contains(fl.attrs, lastName(f.Attr)) || f.HashAttr != "" && slices.Contains(fl.attrs, lastName(f.HashAttr)) {
			return []string{fl.manifest, fl.lock}
		}
	}
	return nil
}
