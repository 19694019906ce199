package ghclient

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/google/renameio/v2"
	"github.com/rs/zerolog"

	"github.com/hashbot-nix/hashbot/internal/logfield"
)

// CacheHeader is set on answers served from the cache after a 304, for
// debugging; go-github ignores it.
const CacheHeader = "X-Hashbot-Cache"

// cacheTransport revalidates GETs against entries kept in dir. One file per
// entry: a JSON line of metadata, then the body as it came.
type cacheTransport struct {
	next http.RoundTripper
	dir  string
	// prune removes stale entries, once, before the first request: the
	// constructor does no I/O, and the request's logger (zerolog.Ctx) says
	// how many went.
	prune     func() (removed int)
	pruneOnce sync.Once
}

// entryMeta is the first line of a cache file. The URL is kept to detect hash
// collisions and for debugging; it never holds a token (GitHub takes tokens
// in headers only). BodySHA256 lets a damaged body (a truncated restore of
// the state directory) be noticed instead of served for every later 304.
// Identity says which token the ETag was issued to (see identity).
type entryMeta struct {
	URL        string      `json:"url"`
	Status     int         `json:"status"`
	Header     http.Header `json:"header"`
	BodySHA256 string      `json:"body_sha256"`
	Identity   string      `json:"identity"`
}

func (t *cacheTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	log := zerolog.Ctx(req.Context())
	t.pruneOnce.Do(func() {
		if n := t.prune(); n > 0 {
			log.Debug().Int("entries", n).Msg("pruned unused GitHub cache entries")
		}
	})
	if req.Method != http.MethodGet || req.Header.Get("Range") != "" {
		return t.next.RoundTrip(req)
	}
	path := filepath.Join(t.dir, cacheKey(req))
	meta, body, err := readEntry(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		log.Debug().Err(err).Str(logfield.Path, req.URL.Path).Msg("ignoring unreadable cache entry")
	}
	hit := err == nil && meta.URL == req.URL.String()
	if hit {
		req = req.Clone(req.Context())
		setValidators(req.Header, meta, identity(req))
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	switch {
	case hit && resp.StatusCode == http.StatusNotModified:
		// The entry may have come to another token (a GITHUB_TOKEN of an
		// earlier job). Serving it leaks nothing that token could not see:
		// GitHub answered 304 to this request, made with this request's
		// token, so this token may read the resource and would have been
		// given this body.
		resp.Body.Close()
		now := time.Now()
		os.Chtimes(path, now, now) // still in use: keep it from pruning
		return fromCache(req, resp, meta, body), nil
	case resp.StatusCode == http.StatusOK && (resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != ""):
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		m := entryMeta{URL: req.URL.String(), Status: resp.StatusCode, Header: storedHeader(resp.Header), Identity: identity(req)}
		if err := writeEntry(path, m, data); err != nil {
			log.Warn().Err(err).Msg("could not write the GitHub cache; continuing without it")
		}
	}
	return resp, nil
}

// setValidators makes a request conditional on the cached entry meta, for
// the caller id. GitHub's ETags are specific to the token they were issued
// to (GitHub support, quoted in eclipse-csi/otterdog#201; github/docs#34689),
// and an If-None-Match that does not match gets a full answer whatever
// If-Modified-Since says (RFC 9110 §13.2.2, and what milo/github-api#24 and
// requests-cache/aiohttp-client-cache#229 saw of GitHub). So the token the
// entry came to sends both validators; another one (GITHUB_TOKEN is minted
// per job, an App token every hour) sends the date alone where GitHub gave
// one, and else the ETag, which at worst gets the 200 an unconditional
// request would have got.
func setValidators(h http.Header, meta entryMeta, id string) {
	tag, lastMod := meta.Header.Get("ETag"), meta.Header.Get("Last-Modified")
	if tag != "" && (meta.Identity == id || lastMod == "") {
		h.Set("If-None-Match", tag)
	}
	if lastMod != "" {
		h.Set("If-Modified-Since", lastMod)
	}
}

// identity names the caller of req without holding its token: a hash of
// the Authorization header (of "" for an anonymous request).
func identity(req *http.Request) string {
	sum := sha256.Sum256([]byte(req.Header.Get("Authorization")))
	return hex.EncodeToString(sum[:16])
}

// fromCache turns a 304 into the cached 200, with the fresh headers of the
// 304 (rate-limit counters, a new ETag) on top of the stored ones.
func fromCache(req *http.Request, notModified *http.Response, meta entryMeta, body []byte) *http.Response {
	h := meta.Header.Clone()
	for k, v := range notModified.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding":
			continue
		}
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set(CacheHeader, "revalidated")
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", meta.Status, http.StatusText(meta.Status)),
		StatusCode:    meta.Status,
		Proto:         notModified.Proto,
		ProtoMajor:    notModified.ProtoMajor,
		ProtoMinor:    notModified.ProtoMinor,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// cacheKey hashes what selects an answer: the method, the URL and the Accept
// header. Not the token: tokens change every job or hour, and an entry kept
// per token would never be used again (identity and setValidators deal with
// the token).
func cacheKey(req *http.Request) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\nAccept: %s\n", req.Method, req.URL.String(), req.Header.Get("Accept"))
	return hex.EncodeToString(h.Sum(nil))
}

// storedHeader drops the headers that must not be replayed.
func storedHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range []string{"Set-Cookie", "Authorization", "Content-Length", "Transfer-Encoding", "Date"} {
		out.Del(k)
	}
	return out
}

func readEntry(path string) (entryMeta, []byte, error) {
	var meta entryMeta
	data, err := os.ReadFile(path)
	if err != nil {
		return meta, nil, err
	}
	line, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return meta, nil, fmt.Errorf("cache entry %s: no header line", path)
	}
	if err := json.Unmarshal(line, &meta); err != nil {
		return meta, nil, fmt.Errorf("cache entry %s: %w", path, err)
	}
	if meta.Status != http.StatusOK {
		return meta, nil, fmt.Errorf("cache entry %s: status %d is not a cached answer", path, meta.Status)
	}
	if meta.BodySHA256 != bodyDigest(rest) {
		return meta, nil, fmt.Errorf("cache entry %s: the body does not match its digest", path)
	}
	return meta, rest, nil
}

// writeEntry writes atomically (renameio: a temporary file, synced, then
// renamed over the old entry).
func writeEntry(path string, meta entryMeta, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating cache directory: %w", err)
	}
	meta.BodySHA256 = bodyDigest(body)
	line, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	entry := make([]byte, 0, len(line)+1+len(body))
	entry = append(append(append(entry, line...), '\n'), body...)
	if err := renameio.WriteFile(path, entry, 0o600); err != nil {
		return fmt.Errorf("writing cache entry: %w", err)
	}
	return nil
}

func bodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// pruneCache removes entries not used for maxAge (files at old tags are read
// once, when a release moves past them) and stray temporary files. It is best
// effort: errors only mean the cache stays larger.
func pruneCache(dir string, now time.Time, maxAge time.Duration) (removed int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || now.Sub(info.ModTime()) < maxAge {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}
