package fod

// Kind says what a parsed log block reports.
type Kind string

// The kinds of result the log parser reports.
const (
	// KindMismatch is a fixed-output derivation whose output hash differs from
	// the one specified: the block hashbot learns new hashes from.
	KindMismatch Kind = "mismatch"
	// KindDownloadMismatch is an evaluation-time fetcher (builtins.fetchurl,
	// fetchTarball, …) whose download did not match; URL names it, not a drv.
	KindDownloadMismatch Kind = "download-mismatch"
	// KindUnavailable is a derivation no builder here can build: its system
	// or required features are not offered by this machine or its builders.
	KindUnavailable Kind = "unavailable"
	// KindBuildFailed is a derivation whose builder exited non-zero.
	KindBuildFailed Kind = "build-failed"
	// KindDependencyFailed is a derivation Nix did not build because a
	// derivation it depends on failed.
	KindDependencyFailed Kind = "dependency-failed"
	// KindIncomplete is a mismatch header with no complete hash lines after it
	// (a truncated log): reported so that callers never guess a hash.
	KindIncomplete Kind = "incomplete"
)

// Result is one typed block found in a Nix build log.
type Result struct {
	// Kind says what the block reports.
	Kind Kind `json:"kind"`
	// Path is the store path named by the block: a .drv on Nix ≥ 2.4, the
	// output path on Nix 2.2–2.3. Empty for KindDownloadMismatch.
	Path string `json:"path,omitempty"`
	// URL is the download named by a KindDownloadMismatch block.
	URL string `json:"url,omitempty"`
	// Specified is the hash the derivation declared, in SRI form.
	Specified string `json:"specified,omitempty"`
	// Got is the hash Nix computed, in SRI form.
	Got string `json:"got,omitempty"`
	// System is the platform a KindUnavailable derivation needs.
	System string `json:"system,omitempty"`
	// Host is the platform of the machine that refused it (KindUnavailable).
	Host string `json:"host,omitempty"`
	// Features are the required system features of a KindUnavailable block.
	Features []string `json:"features,omitempty"`
	// ExitCode is the builder's exit code for KindBuildFailed.
	ExitCode int `json:"exit_code,omitempty"`
	// Machine is the remote builder named by a "build of … on …" wrapper.
	Machine string `json:"machine,omitempty"`
	// Line is the 1-based line number of the block's header in the log.
	Line int `json:"line"`
}
