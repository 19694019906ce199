// Package fod finds and recomputes the hashes of fixed-output derivations
// (FODs).
//
// It has two halves. The log parser (Parser, ParseLog) reads a Nix build log
// as a stream, in constant memory, and reports every typed block it
// recognises as a Result: a hash mismatch with the store path and both
// hashes in SRI form, a download mismatch from an evaluation-time fetcher, a
// derivation no builder here can build, a builder that failed, or a mismatch
// header whose hash lines never came (incomplete). It understands Nix
// 2.2–2.3, Nix 2.4 and later, Determinate Nix, Lix, remote-builder wrappers,
// ANSI colours and `--log-format internal-json`. It trusts only the text of
// Nix's own error blocks: a "got:" line anywhere else is build noise, and the
// Nix exit code is never taken as evidence.
//
// The hash engine uses the parser to learn the new hash of each stale FOD
// from one Nix build.
//
// Nothing in this package imports the CLI; the parser starts no process.
package fod
