package pins

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/nix-community/go-nix/pkg/nixhash"
)

// This file is the one home of what hashbot knows about a Nix hash: reading
// it in any form Nix prints, hashbot's own placeholders, and every fake a
// pins file must never hold.

// NormalizeHash returns the SRI form ("sha256-<base64>") of a hash written
// the way Nix prints or accepts it: "<algo>:<nix32|base16|base64>" or SRI
// "<algo>-<base64>" (unpadded base64 is accepted too). The algorithm must be
// named; md5, sha1, sha256 and sha512 are known.
func NormalizeHash(s string) (string, error) {
	h, err := parseHash(s)
	if err != nil {
		return "", err
	}
	return h.Format(nixhash.SRI, true), nil
}

func parseHash(s string) (*nixhash.HashWithEncoding, error) {
	s = strings.TrimSpace(s)
	h, err := nixhash.ParseAny(s, nil)
	if err == nil {
		return h, nil
	}
	// Nix accepts SRI hashes whose base64 padding was dropped.
	if padded, ok := hashRepadSRI(s); ok {
		if h2, err2 := nixhash.ParseAny(padded, nil); err2 == nil {
			return h2, nil
		}
	}
	return nil, fmt.Errorf("parsing hash %q: %w", s, err)
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

// placeholderMagic starts the digest of every placeholder hashbot builds
// with, so that one is recognised wherever it turns up.
var placeholderMagic = []byte("hashbot\x00")

// Placeholder is the hash a target (an FOD for a system; "" for a
// system-independent one) is built with so that Nix reports its real one:
// distinct per FOD and system, so that no two targets share an output path
// (and a path lock), recognisable by its first bytes, and never a real
// output's hash.
func Placeholder(fod, system string) string {
	sum := sha256.Sum256([]byte("hashbot-fake:" + fod + ":" + system))
	digest := append(append([]byte(nil), placeholderMagic...), sum[:sha256.Size-len(placeholderMagic)]...)
	return "sha256-" + base64.StdEncoding.EncodeToString(digest)
}

// FakeReason says why h, a hash in any form Nix reads, is a placeholder
// and not a hash Nix computed, or returns "": hashbot's own placeholders,
// and digests of one byte repeated, which no hash function gives, such as
// lib.fakeHash ("sha256-AAAA…="), lib.fakeSha256 (52 nix32 zeros) and their
// base16 and base64 forms.
func FakeReason(h string) string {
	parsed, err := parseHash(h)
	if err != nil {
		return ""
	}
	digest := parsed.Digest()
	switch {
	case bytes.HasPrefix(digest, placeholderMagic):
		return "hashbot's own placeholder"
	case len(bytes.Trim(digest, string(digest[:1]))) == 0:
		return fmt.Sprintf("a fake hash (every byte of its digest is %#02x, as in lib.fakeHash)", digest[0])
	}
	return ""
}

// HashError says why a value cannot be a pinned hash.
type HashError struct {
	// Where names it: "hashes.src", "hashes.webui-deps.aarch64-linux".
	Where string
	// Value is the value, quoted in the message.
	Value string
	// Reason says what is wrong with it.
	Reason string
}

func (e *HashError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Where, e.Value, e.Reason)
}

// CheckHash checks that h can be written as where's pinned hash: a sha256
// hash (hashbot builds with sha256 placeholders, so Nix reports sha256;
// md5, sha1 and sha512 ones are refused, whoever wrote them), in canonical
// SRI form, and not a fake.
func CheckHash(where, h string) error {
	parsed, err := parseHash(h)
	if err != nil {
		return &HashError{Where: where, Value: h, Reason: "not a Nix hash (want an SRI hash such as sha256-<base64>)"}
	}
	if reason := algoReason(parsed); reason != "" {
		return &HashError{Where: where, Value: h, Reason: reason}
	}
	if sri := parsed.Format(nixhash.SRI, true); sri != h {
		return &HashError{Where: where, Value: h, Reason: "not in SRI form (want " + sri + ")"}
	}
	if reason := FakeReason(h); reason != "" {
		return &HashError{Where: where, Value: h, Reason: reason + ", not a hash Nix computed"}
	}
	return nil
}

// algoReason says why h is not a hash hashbot pins for its algorithm (any
// but sha256), or returns "".
func algoReason(h *nixhash.HashWithEncoding) string {
	if algo := h.Algo(); algo != nixhash.SHA256 {
		return "hashed with " + algo.String() + ", and only sha256 hashes are pinned (want sha256-<base64>)"
	}
	return ""
}

// hashCandidateRe finds what may be a hash inside a string: an algorithm
// followed by ':' or '-' and its digest, or a bare run of 32 or more digits
// and letters (a hash without its algorithm, as lib.fakeSha256 is).
var hashCandidateRe = regexp.MustCompile(`(?:md5|sha1|sha256|sha512)[-:][A-Za-z0-9+/]+=*|[A-Za-z0-9]{32,}`)

// fakeIn returns why s holds a fake hash anywhere in it, or "".
func fakeIn(s string) string {
	for _, m := range hashCandidateRe.FindAllString(s, -1) {
		if _, digest, ok := strings.Cut(strings.Replace(m, ":", "-", 1), "-"); ok && len(digest) >= 16 &&
			strings.Trim(strings.TrimRight(digest, "="), digest[:1]) == "" {
			// One character repeated: a fake even where its length is wrong.
			return fmt.Sprintf("%q is a fake hash (one character repeated)", m)
		}
		candidates := []string{m}
		if !strings.ContainsAny(m, ":-") {
			// A bare digest: try it with every algorithm whose length fits.
			candidates = []string{"sha256:" + m, "sha512:" + m, "sha1:" + m, "md5:" + m}
		}
		for _, c := range candidates {
			if reason := FakeReason(c); reason != "" {
				return fmt.Sprintf("%q is %s", m, reason)
			}
		}
	}
	return ""
}
