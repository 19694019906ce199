package ghfake

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"time"
)

// validators says what an endpoint lets a client revalidate with. Every
// endpoint sends an ETag; only some send Last-Modified.
//
// Which ones do is taken from answers recorded from api.github.com (GitHub's
// documentation says only that "many endpoints" do):
//
//   - GET /repos/{owner}/{repo}: Last-Modified (octokit/fixtures,
//     scenarios/api.github.com/get-repository/raw-fixture.json);
//   - GET /repos/{owner}/{repo}/releases/tags/{tag}: Last-Modified
//     (octokit/fixtures, scenarios/api.github.com/release-assets/raw-fixture.json);
//   - GET /repos/{owner}/{repo}/contents/{path}, JSON and raw media type:
//     Last-Modified (octokit/fixtures, scenarios/api.github.com/get-content/raw-fixture.json);
//   - GET /repos/{owner}/{repo}/releases: ETag only (sigmavirus24/github3.py,
//     tests/cassettes/Repository_releases.json);
//   - GET /repos/{owner}/{repo}/branches/{branch}: ETag only (github3.py,
//     tests/cassettes/Repository_branch.json);
//   - GET /repos/{owner}/{repo}/pulls: ETag only (github3.py,
//     tests/cassettes/Repository_pull_requests.json). A single pull request
//     has Last-Modified (tests/cassettes/Repository_pull_request.json), but
//     the fake's pull-request handlers answer with an ETag only: a fake
//     that offers fewer validators than GitHub can only make hashbot look
//     more expensive, never cheaper, than it is.
type validators int

const (
	etagOnly validators = iota
	etagAndLastModified
)

// change is when the answer at one URL last changed, and the digest of the
// answer then.
type change struct {
	digest [sha256.Size]byte
	at     time.Time
}

// lastModified returns the Last-Modified of body as the answer to req: the
// time the answer at this URL (and media type) was first seen to be body.
// The dates come from a clock that moves one second per change, so two
// changes never share a date (HTTP dates have whole seconds) and an answer
// that changed is always newer than any date a client holds for it, which
// GitHub's own dates do not always manage (hub4j/github-api#669).
func (s *Server) lastModified(req *http.Request, body []byte) time.Time {
	key := req.URL.Path + "?" + req.URL.RawQuery + "\n" + req.Header.Get("Accept")
	sum := sha256.Sum256(body)
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.changes[key]
	if !ok || c.digest != sum {
		s.clock = s.clock.Add(time.Second)
		c = change{digest: sum, at: s.clock}
		s.changes[key] = c
	}
	return c.at
}

// notModified says whether req's validators show the client already holds
// the answer with this ETag and Last-Modified (zero when the endpoint sends
// none). If-None-Match, when present, decides alone and If-Modified-Since is
// ignored, as RFC 9110 §13.2.2 has it. What is known of GitHub agrees:
// against wrong 304s to If-Modified-Since, GitHub support's advice was to
// send If-None-Match as well (milo/github-api#24), and a cache that sent
// an old token's ETag along with the date got 200s, so the ask was to send
// the date alone (requests-cache/aiohttp-client-cache#229, for
// eclipse-csi/otterdog#201).
func notModified(req *http.Request, tag string, lastMod time.Time) bool {
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		return matches(inm, tag)
	}
	ims, err := http.ParseTime(req.Header.Get("If-Modified-Since"))
	return err == nil && !lastMod.IsZero() && !lastMod.After(ims)
}

func matches(ifNoneMatch, tag string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, c := range strings.Split(ifNoneMatch, ",") {
		if strings.TrimSpace(c) == "*" || strip(c) == strip(tag) {
			return true
		}
	}
	return false
}
