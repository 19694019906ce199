package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// signatureHeader is the header GitHub signs deliveries with.
const signatureHeader = "X-Hub-Signature-256"

var (
	errNoSignature  = errors.New("missing " + signatureHeader + " header")
	errBadSignature = errors.New(signatureHeader + " does not match the body")
)

// verifySignature checks header ("sha256=<hex>") against the HMAC-SHA256 of
// body under secret, in constant time. Its errors never contain the header.
func verifySignature(secret, body []byte, header string) error {
	if header == "" {
		return errNoSignature
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}
