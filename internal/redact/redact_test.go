package redact

import (
	"bytes"
	"testing"
)

func TestString(t *testing.T) {
	s := New("ghp_0123456789abcdefghijABCDEFGHIJ012345", "It's a \"Secret\" to Everybody", "abc")
	tests := []struct {
		name, in, want string
	}{
		{"the token", "401 Bad credentials: ghp_0123456789abcdefghijABCDEFGHIJ012345", "401 Bad credentials: [redacted]"},
		{"an echoed Authorization header", "got header Authorization: Bearer some.other-credential_123", "got header Authorization: Bearer [redacted]"},
		{"a GitHub token hashbot does not hold", "token gho_ZZZZZZZZZZZZZZZZZZZZZZZZZ leaked", "token [redacted] leaked"},
		{"the secret as in JSON", `{"error":"It's a \"Secret\" to Everybody"}`, `{"error":"[redacted]"}`},
		{"the secret URL-escaped", "https://x/?s=It%27s+a+%22Secret%22+to+Everybody", "https://x/?s=[redacted]"},
		{"a password in a URL", "cloning https://me:hunter22@github.com/me/pkg failed", "cloning https://[redacted]@github.com/me/pkg failed"},
		{"too short to be a secret", "abc def", "abc def"},
		{"the word token in prose", "no token configured: reading public repositories", "no token configured: reading public repositories"},
		{"an Authorization token header", "Authorization: token 0123456789abcdef", "Authorization: token [redacted]"},
		{"nothing to hide", "building src", "building src"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriterMasksEveryWrite(t *testing.T) {
	var out bytes.Buffer
	w := New("webhook-secret-value").Writer(&out)
	for _, line := range []string{`{"level":"error","error":"webhook-secret-value"}` + "\n", "plain webhook-secret-value\n"} {
		if n, err := w.Write([]byte(line)); err != nil || n != len(line) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if want := `{"level":"error","error":"[redacted]"}` + "\nplain [redacted]\n"; out.String() != want {
		t.Errorf("wrote %q, want %q", out.String(), want)
	}
}

func TestPrivateKeyLinesAreMasked(t *testing.T) {
	key := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAnzyis1ZjfNB0bBgKFMSvvkTtwlvBsaJq7S5wA+kzeVOVpVWw\n-----END RSA PRIVATE KEY-----"
	s := New(key)
	if got := s.String("line: MIIEowIBAAKCAQEAnzyis1ZjfNB0bBgKFMSvvkTtwlvBsaJq7S5wA+kzeVOVpVWw"); got != "line: [redacted]" {
		t.Errorf("a line of the key was not masked: %q", got)
	}
}
