package ghfake

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
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
	// Body is the release notes; default a short "What's Changed" list.
	Body string
}

// Request is one request the server saw.
type Request struct {
	Method, Path, Query string
	Accept              string
	Conditional         bool // carried If-None-Match or If-Modified-Since
	IfNoneMatch         bool // carried If-None-Match
	IfModifiedSince     bool // carried If-Modified-Since
	Authorized          bool // carried an Authorization header
	Status              int  // 0 while the handler runs, and for a dropped connection
	// Body is the request body as sent (JSON for writes), nil for none.
	Body []byte

	seq uint64 // the request's arrival number
}

// Hook sees each request before the server does; it returns true when it
// wrote the answer itself.
type Hook func(w http.ResponseWriter, r *http.Request) bool

type repo struct {
	name          string // owner/name as first given
	id            int64
	defaultBranch string
	releases      []*release
	files         map[string]map[string][]byte // ref → path → content
	branches      map[string]string            // branch → commit sha
	pulls         []*PullRequest
	nextNumber    int
	// gitDir, when set (ServeGit), is the bare repository behind the git
	// refs endpoints and createCommitOnBranch; apiCommits the commits
	// made through them.
	gitDir     string
	apiCommits []string
	// advisories are the security advisories (AddAdvisory), oldest first.
	advisories []Advisory
	// branchUpdates are the update-branch calls accepted (BranchUpdates).
	branchUpdates []BranchUpdate
}

type release struct {
	Release
	id int64
}

// Server is a fake GitHub REST API. Create it with New in tests, or Start
// and Close elsewhere.
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
	// changes dates the answers of the endpoints that send Last-Modified;
	// see lastModified.
	changes map[string]change
	clock   time.Time
	// apps are the GitHub Apps (AddApp); minted their installation tokens
	// and when each expires.
	apps   []App
	minted map[string]time.Time
	// nextSeq numbers the requests as they arrive.
	nextSeq uint64
}

// New starts a server on a loopback port that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server on a free loopback port; the caller stops it with
// Close. It is for programs and harnesses that have no testing.TB.
func Start() (*Server, error) { return StartAt("127.0.0.1:0") }

// StartAt starts a server listening on addr ("127.0.0.1:8765"); the caller
// stops it with Close.
func StartAt(addr string) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("starting the fake GitHub on %s: %w", addr, err)
	}
	s := newServer()
	s.srv = httptest.NewUnstartedServer(s.Handler())
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	s.URL = s.srv.URL + "/"
	return s, nil
}

func newServer() *Server {
	return &Server{repos: map[string]*repo{}, nextID: 1000, remaining: RateLimit,
		reset:   time.Now().Add(time.Hour).Truncate(time.Second),
		changes: map[string]change{}, clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Handler is the fake API as an http.Handler.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Close stops the server (early, in a test of a dead endpoint).
func (s *Server) Close() { s.srv.Close() }

func (s *Server) repo(name string) *repo {
	r, ok := s.repos[strings.ToLower(name)]
	if !ok {
		s.nextID++
		r = &repo{name: name, id: s.nextID, defaultBranch: "main",
			files: map[string]map[string][]byte{}, branches: map[string]string{}}
		s.repos[strings.ToLower(name)] = r
	}
	return r
}

// AddRepo makes repoName ("owner/name") known with defaultBranch (empty:
// "main"). Any other method adding to a repository also creates it.
func (s *Server) AddRepo(repoName, defaultBranch string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repo(repoName)
	if defaultBranch != "" {
		r.defaultBranch = defaultBranch
	}
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

// AddDir serves every regular file under dir at ref, at its slash-separated
// path relative to dir. Hidden directories (.git) are skipped.
func (s *Server) AddDir(repoName, ref, dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading release tree %s: %w", dir, err)
	}
	return s.AddTree(repoName, ref, dir, paths...)
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

// Writes returns the requests seen so far other than GET and HEAD: what a
// run changed on "GitHub".
func (s *Server) Writes() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r)
		}
	}
	return out
}

// Remaining is the primary rate limit left, as X-RateLimit-Remaining says.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remaining
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

// etag is the ETag of body as given to the caller authorized by auth (the
// Authorization header, "" for none). GitHub's ETags are specific to the
// token: "It's currently expected for ETags to be auth token specific"
// (GitHub support, quoted in eclipse-csi/otterdog#201; also
// github/docs#34689), so an ETag from one token never matches for another.
// (The contents answers recorded in octokit/fixtures carry the same ETag
// with and without a token; the fake models the rule GitHub states, the
// case that costs the most.)
func etag(body []byte, auth string, weak bool) string {
	h := sha256.New()
	h.Write(body)
	h.Write([]byte{0})
	h.Write([]byte(auth))
	tag := `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
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
