package fod

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/nix-community/go-nix/pkg/nixhash"
)

// NormalizeHash returns the SRI form ("sha256-<base64>") of a hash written
// the way Nix prints or accepts it: "<algo>:<nix32|base16|base64>" or SRI
// "<algo>-<base64>" (unpadded base64 is accepted too). The algorithm must be
// named; md5, sha1, sha256 and sha512 are known.
func NormalizeHash(s string) (string, error) {
	s = strings.TrimSpace(s)
	h, err := nixhash.ParseAny(s, nil)
	if err != nil {
		// Nix accepts SRI hashes whose base64 padding was dropped.
		if padded, ok := hashRepadSRI(s); ok {
			if h2, err2 := nixhash.ParseAny(padded, nil); err2 == nil {
				return h2.Format(nixhash.SRI, true), nil
			}
		}
		return "", fmt.Errorf("parsing hash %q: %w", s, err)
	}
	return h.Format(nixhash.SRI, true), nil
}

// hashRepadSRI adds the '=' padding an unpadded SRI hash lacks.
func hashRepadSRI(s string) (string, bool) {
	algo, digest, ok := strings.Cut(s, "-")
	if !ok || digest == "" || strings.HasSuffix(digest, "=") {
		return "", false
	}
	raw, err := base64.RawStdEncoding.DecodeString(digest)
	if err != nil {
		return "", false
	}
	return algo + "-" + base64.StdEncoding.EncodeToString(raw), true
}
