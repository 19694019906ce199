// Package realfods holds the tests that build nix/'s fixed-output derivation
// recipes, unchanged, on small real inputs from the real registries: a uv
// lock with an sdist compiled against libpq, an npm lock with a workspace, a
// Cargo.lock, and an npm lock pinning a version the registry does not serve.
// Each is computed by hashbot itself with --verify (built twice, compared).
//
// They need the toolchains of scripts/real-root's Debian sid root and the
// host toolchain of nix/host-toolchain, so they run there only, when
// HASHBOT_REAL_FODS=1 (make real-ci, which CI runs); elsewhere they skip.
package realfods
