// Package pins reads and writes the pins file (nix/sources.json by default):
// the JSON document the Nix code reads its version, revision and FOD hashes
// from, and that only hashbot writes.
//
// The document is kept as written: key order and unknown keys survive a
// read–modify–write, so a diff of the file shows exactly the hashes that
// moved. Writes are atomic (temporary file, fsync, rename). The package knows
// nothing of hashbot.toml; callers say which FODs are per-system.
package pins
