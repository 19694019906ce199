// Package redact takes secrets out of text before it leaves hashbot: the
// GitHub token, the webhook secret, an App's private key, passwords in URLs,
// and anything shaped like a GitHub token. cli builds one Secrets from
// everything hashbot holds and passes every byte it prints (logs in both
// formats, errors, annotations, the job summary) through it; packages that
// build messages from a secret they hold use it too.
//
// It imports no other hashbot package, so that every package may use it.
package redact

import (
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Mask replaces a secret.
const Mask = "[redacted]"

// minSecretLen is the shortest value taken as a secret: shorter ones would
// mask ordinary words.
const minSecretLen = 6

var (
	// userinfoRE finds the user:password@ of a URL.
	userinfoRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s"']+@`)
	// tokenRE finds GitHub tokens by their documented prefixes (ghp_, gho_,
	// ghu_, ghs_, ghr_, github_pat_), whoever's they are.
	tokenRE = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b`)
	// bearerRE finds the credential of an Authorization header echoed back
	// ("Bearer …", "Basic …", "Authorization: token …").
	bearerRE = regexp.MustCompile(`(?i)(\bbearer|\bbasic|authorization:\s*token)\s+[A-Za-z0-9._~+/=-]{8,}`)
)

// Secrets is a set of values to take out of text. The zero value redacts
// only the shapes (URL passwords, GitHub tokens, Authorization values).
type Secrets struct {
	mu     sync.RWMutex
	values []string
}

// New returns Secrets holding values (empty and very short ones are left
// out).
func New(values ...string) *Secrets {
	s := &Secrets{}
	s.Add(values...)
	return s
}

// Add adds values, in every form they may be printed in: as they are, as
// in a JSON string, and URL-escaped.
func (s *Secrets) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < minSecretLen {
			continue
		}
		forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
		if j, err := json.Marshal(v); err == nil {
			forms = append(forms, string(j[1:len(j)-1]))
		}
		for _, f := range forms {
			if !contains(s.values, f) {
				s.values = append(s.values, f)
			}
		}
		// A multi-line secret (a private key) is masked line by line too:
		// a log may print it one line at a time.
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); len(line) >= 16 && !contains(s.values, line) {
				s.values = append(s.values, line)
			}
		}
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// String returns text with every secret masked.
func (s *Secrets) String(text string) string {
	if s != nil {
		s.mu.RLock()
		for _, v := range s.values {
			text = strings.ReplaceAll(text, v, Mask)
		}
		s.mu.RUnlock()
	}
	text = userinfoRE.ReplaceAllString(text, "${1}"+Mask+"@")
	text = tokenRE.ReplaceAllString(text, Mask)
	return bearerRE.ReplaceAllString(text, "${1} "+Mask)
}

// Writer returns a writer that masks every secret in each Write before
// passing it on to w. hashbot writes whole lines (a log event, a message),
// so a secret is never split between two writes.
func (s *Secrets) Writer(w io.Writer) io.Writer { return &writer{s: s, w: w} }

type writer struct {
	s *Secrets
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.s.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
