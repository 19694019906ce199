// Package upstream decides what is stale. It finds the candidate upstream
// version (the newest release whose tag starts with the configured prefix,
// ordered by version, or a branch's head commit), reads the FODs' input files
// at the candidate ref through GitHub's contents API (raw media type, so files
// over 1 MB come through), compares their SRI hashes with the ones recorded in
// the pins, hashes the local inputs from the working tree, and says which FODs
// are stale and why. For every changed lock file it summarises the change from
// a real parser: uv.lock (TOML), package-lock.json (lockfile v3), go.mod
// (golang.org/x/mod) and go.sum.
//
// It builds nothing and writes nothing: the caller (internal/bot) records
// Result.NewInputs in the pins when it writes new hashes.
package upstream
