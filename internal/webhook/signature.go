package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
)

// signatureHeader is the header GitHub signs deliveries with.
const signatureHeader = "X-Hub-Signature-256"

var (
	errNoSignature  = errors.New("missing " + signatureHeader + " header")
	errBadSignature = errors.New(signatureHeader + " does not match the body")
)

var errMalformedSignature = errors.New(signatureHeader + " is not an HMAC-SHA256 in hex (64 digits after the algorithm)")

// parseSignature reads the header ("sha256=<64 hex digits>") into the
// digest it claims, before any of the body is read: a delivery without a
// well-formed one is refused unread. Its errors never contain the header.
func parseSignature(header string) ([]byte, error) {
	if header == "" {
		return nil, errNoSignature
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSum) != 2*sha256.Size {
		return nil, errMalformedSignature
	}
	sum, err := hex.DecodeString(hexSum)
	if err != nil {
		return nil, errMalformedSignature
	}
	return sum, nil
}

// signedBody is a body read while its HMAC-SHA256 is computed.
type signedBody struct {
	mac  hash.Hash
	want []byte
}

func newSignedBody(secret, want []byte) *signedBody {
	return &signedBody{mac: hmac.New(sha256.New, secret), want: want}
}

// Write feeds the HMAC (io.TeeReader writes the body here as it is read).
func (b *signedBody) Write(p []byte) (int, error) { return b.mac.Write(p) }

// verify compares, in constant time, the HMAC of what was read with the
// header's.
func (b *signedBody) verify() error {
	if !hmac.Equal(b.want, b.mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}
