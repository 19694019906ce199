package pulls

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v60/github"
)

// fakeGitHub answers like GitHub's REST API v3 for the calls pulls makes,
// keeps pull requests in memory and records every request.
type fakeGitHub struct {
	t     *testing.T
	owner string
	repo  string

	mu       sync.Mutex
	prs      []*fakePR
	requests []recorded
	// pageSize caps per_page, to exercise pagination with few pull requests.
	pageSize int
	// missHeadLists makes that many head-filtered lists answer [] although
	// a matching pull request is open (a create racing another run).
	missHeadLists int
	// faults answers "METHOD /path" with a canned response instead.
	faults map[string]fault
}

type fakePR struct {
	Number   int
	Title    string
	Body     string
	State    string
	Draft    bool
	HeadRef  string
	HeadRepo string // owner/name the head branch lives in
	Base     string
	Labels   []string
}

type fault struct {
	status  int
	body    string
	headers map[string]string
}

// recorded is one request as the server saw it.
type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Body   any
}

func newFakeGitHub(t *testing.T, prs ...*fakePR) (*fakeGitHub, *github.Client) {
	t.Helper()
	f := &fakeGitHub{t: t, owner: "hashbot-nix", repo: "authentik-nix", prs: prs, pageSize: 100, faults: map[string]fault{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	c := github.NewClient(srv.Client())
	base, err := url.Parse(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = base
	return f, c
}

// writes returns the recorded requests other than GETs.
func (f *fakeGitHub) writes() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.requests {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeGitHub) all() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *fakeGitHub) pr(n int) *fakePR {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.prs {
		if p.Number == n {
			return p
		}
	}
	return nil
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()}
	if len(rec.Query) == 0 {
		rec.Query = nil
	}
	raw, _ := io.ReadAll(r.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &rec.Body); err != nil {
			f.t.Errorf("%s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
		}
	}
	f.requests = append(f.requests, rec)

	if ft, ok := f.faults[r.Method+" "+r.URL.Path]; ok {
		for k, v := range ft.headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(ft.status)
		io.WriteString(w, ft.body)
		return
	}
	prefix := "/repos/" + f.owner + "/" + f.repo
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		f.notFound(w)
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case rest == "" && r.Method == http.MethodGet:
		f.json(w, http.StatusOK, map[string]any{
			"id": 1296269, "name": f.repo, "full_name": f.owner + "/" + f.repo,
			"owner": map[string]any{"login": f.owner, "type": "Organization"}, "private": false,
			"default_branch": "main", "html_url": "https://github.com/" + f.owner + "/" + f.repo,
		})
	case rest == "/pulls" && r.Method == http.MethodGet:
		f.listPulls(w, r)
	case rest == "/pulls" && r.Method == http.MethodPost:
		f.createPull(w, rec.Body)
	case len(parts) == 2 && parts[0] == "pulls" && r.Method == http.MethodPatch:
		f.editPull(w, parts[1], rec.Body)
	case len(parts) == 3 && parts[0] == "issues" && parts[2] == "labels" && r.Method == http.MethodPost:
		f.addLabels(w, parts[1], rec.Body)
	case len(parts) == 3 && parts[0] == "issues" && parts[2] == "comments" && r.Method == http.MethodPost:
		f.comment(w, parts[1], rec.Body)
	default:
		f.notFound(w)
	}
}

func (f *fakeGitHub) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("encoding answer: %v", err)
	}
}

func (f *fakeGitHub) notFound(w http.ResponseWriter) {
	f.json(w, http.StatusNotFound, map[string]any{
		"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404",
	})
}

func (f *fakeGitHub) find(num string) *fakePR {
	n, err := strconv.Atoi(num)
	if err != nil {
		return nil
	}
	for _, p := range f.prs {
		if p.Number == n {
			return p
		}
	}
	return nil
}
