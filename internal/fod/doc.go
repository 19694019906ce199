// Package fod finds and recomputes the hashes of fixed-output derivations
// (FODs).
//
// It has two halves. The log parser (Parser, ParseLog) reads a Nix build log
// as a stream, in constant memory, and reports every typed block it
// recognises as a Result: a hash mismatch with the store path and both
// hashes in SRI form, a download mismatch from an evaluation-time fetcher, a
// derivation no builder here can build, a builder or a dependency that
// failed, or a mismatch header whose hash lines never came (incomplete). It
// understands Nix 2.2–2.34, Determinate Nix, Lix, remote-builder wrappers,
// ANSI colours and `--log-format internal-json`. It trusts only the text of
// Nix's own error blocks: a "got:" line anywhere else is build noise, and the
// Nix exit code is never taken as evidence. Told the log is structured
// (LogStructured), it reads Nix's events only, and hands a builder's output
// to a hook as what it is.
//
// The hash engine uses the parser to learn the new hash of each stale FOD
// from one Nix build, and takes only Nix's own word for it: a structured log
// where Nix has one, no hash for a target Nix reports failed or with two
// hashes, and every hash confirmed by building the target with it before it
// is reported. After the hashes, it builds the [check] attributes with
// them, for every system, in one more nix-build: each is built, failed
// (naming the derivation that failed, with its log's readable, redacted
// tail) or not tried.
//
// Nothing in this package imports the CLI; the parser starts no process.
package fod
