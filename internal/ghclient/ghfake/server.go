package ghfake

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// RateLimit is the primary limit the server reports.
const RateLimit = 5000

// Release is one release of a repository.
type Release struct {
	Tag        string
	Name       string // default: the tag
	Draft      bool
	Prerelease bool
	Created    time.Time // orders the listing, newest first; default: insertion order
	Commit     string    // target_commitish; default "main"
}

// Request is one request the server saw.
type Request struct {
	Method, Path, Query string
	Accept              string
	Conditional         bool // carried If-None-Match or If-Modified-Since
	Authorized          bool // carried an Authorization header
	Status              int
}

// Hook sees each request before the server does; it returns true when it
// wrote the answer itself.
type Hook func(w http.ResponseWriter, r *http.Request) bool

type repo struct {
	releases []*release
	files    map[string]map[string][]byte // ref → path → content
	branches map[string]string            // branch → commit sha
}

type release struct {
	Release
	id int64
}

// Server is a fake GitHub REST API. Create it with New.
type Server struct {
	// URL is the API root, with a trailing slash (what GITHUB_API_URL would
	// hold, plus the slash).
	URL string

	srv       *httptest.Server
	mu        sync.Mutex
	repos     map[string]*repo
	requests  []Request
	hooks     []Hook
	nextID    int64
	remaining int
	reset     time.Time
}

// New starts a server that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{repos: map[string]*repo{}, nextID: 1000, remaining: RateLimit,
		reset: time.Now().Add(time.Hour).Truncate(time.Second)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/"
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server early (e.g. to test a dead endpoint).
func (s *Server) Close() { s.srv.Close() }

func (s *Server) repo(name string) *repo {
	r, ok := s.repos[strings.ToLower(name)]
	if !ok {
		r = &repo{files: map[string]map[string][]byte{}, branches: map[string]string{}}
		s.repos[strings.ToLower(name)] = r
	}
	return r
}

// AddRelease publishes a release of repo ("owner/name").
func (s *Server) AddRelease(repoName string, rel Release) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoName)
	s.nextID++
	if rel.Created.IsZero() {
		rel.Created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(s.nextID) * time.Hour)
	}
	r.releases = append(r.releases, &release{Release: rel, id: s.nextID})
}

// SetFile puts content at path in repo at ref (a tag, branch or commit).
func (s *Server) SetFile(repoName, ref, path string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoName)
	if r.files[ref] == nil {
		r.files[ref] = map[string][]byte{}
	}
	r.files[ref][path] = content
}

// AddTree reads each of paths (slash-separated, relative to dir) from disk
// and serves it at ref.
func (s *Server) AddTree(repoName, ref, dir string, paths ...string) error {
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		s.SetFile(repoName, ref, p, data)
	}
	return nil
}

// DeleteTag removes tag from repo the way GitHub shows it: the files at the
// ref are gone and the tag's release turns into a draft.
func (s *Server) DeleteTag(repoName, tag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoName)
	delete(r.files, tag)
	for _, rel := range r.releases {
		if rel.Tag == tag {
			rel.Draft = true
		}
	}
}

// SetBranch points branch at commit.
func (s *Server) SetBranch(repoName, branch, commit string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(repoName).branches[branch] = commit
}

// Intercept adds a hook that sees every request before the server does.
func (s *Server) Intercept(h Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, h)
}

// ClearHooks removes all hooks.
func (s *Server) ClearHooks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = nil
}

// Requests returns the requests seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the requests seen so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// RateHeaders writes GitHub's rate-limit headers with the given remaining
// count and reset time; hooks use it to fake a limit.
func RateHeaders(h http.Header, remaining int, reset time.Time) {
	h.Set("X-RateLimit-Limit", fmt.Sprint(RateLimit))
	h.Set("X-RateLimit-Remaining", fmt.Sprint(remaining))
	h.Set("X-RateLimit-Used", fmt.Sprint(RateLimit-remaining))
	h.Set("X-RateLimit-Reset", fmt.Sprint(reset.Unix()))
	h.Set("X-RateLimit-Resource", "core")
}

// sortedReleases lists newest first, as GitHub does.
func (r *repo) sortedReleases() []*release {
	out := append([]*release(nil), r.releases...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out
}

func etag(body []byte, weak bool) string {
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:16]) + `"`
	if weak {
		return "W/" + tag
	}
	return tag
}

// gitBlobSHA is the id git gives content as a blob.
func gitBlobSHA(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}
