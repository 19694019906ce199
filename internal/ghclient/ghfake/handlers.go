package ghfake

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

const docsContents = "https://docs.github.com/rest/repos/contents#get-repository-content"

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Hijack hands the connection to a hook that drops it (a fault test), as
// the server's own ResponseWriter would; the status stays 0.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ghfake: the connection cannot be taken over")
	}
	return h.Hijack()
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// maxBody caps a request body, as GitHub does (25 MB).
const maxBody = 25 << 20

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	rec := &recorder{ResponseWriter: w}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(req.Body, maxBody))
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	if len(body) == 0 {
		body = nil
	}
	// Logged on arrival, so that the log is in the order requests came
	// (a dropped one's handler may return after its retry's); the status
	// is filled in when the handler returns.
	s.mu.Lock()
	s.nextSeq++
	seq := s.nextSeq
	s.requests = append(s.requests, Request{
		Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		Accept:          req.Header.Get("Accept"),
		Conditional:     req.Header.Get("If-None-Match") != "" || req.Header.Get("If-Modified-Since") != "",
		IfNoneMatch:     req.Header.Get("If-None-Match") != "",
		IfModifiedSince: req.Header.Get("If-Modified-Since") != "",
		Authorized:      req.Header.Get("Authorization") != "",
		Body:            body,
		seq:             seq,
	})
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		for i := len(s.requests) - 1; i >= 0; i-- {
			if s.requests[i].seq == seq {
				s.requests[i].Status = rec.status
				break
			}
		}
		s.mu.Unlock()
	}()
	s.mu.Lock()
	hooks := append([]Hook(nil), s.hooks...)
	s.mu.Unlock()
	for _, h := range hooks {
		if h(rec, req) {
			return
		}
	}
	s.route(rec, req)
}

func (s *Server) route(w http.ResponseWriter, req *http.Request) {
	if s.routeWeb(w, req) || s.routeApps(w, req) || s.routeGraphQL(w, req) {
		return
	}
	parts := strings.SplitN(strings.TrimPrefix(req.URL.EscapedPath(), "/"), "/", 4)
	if len(parts) < 3 || parts[0] != "repos" {
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	name := parts[1] + "/" + parts[2]
	var rest string
	if len(parts) == 4 {
		var err error
		if rest, err = unescape(parts[3]); err != nil {
			s.fail(w, http.StatusBadRequest, "bad path")
			return
		}
	}
	s.mu.Lock()
	r, ok := s.repos[strings.ToLower(name)]
	s.mu.Unlock()
	if !ok {
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if req.Method == http.MethodGet && s.routeRead(w, req, r, rest) {
		return
	}
	if s.routePulls(w, req, r, rest) {
		return
	}
	s.fail(w, http.StatusNotFound, "Not Found")
}

// routeRead answers the read-only endpoints; false when rest is none of them.
func (s *Server) routeRead(w http.ResponseWriter, req *http.Request, r *repo, rest string) bool {
	name := r.name
	switch {
	case rest == "":
		s.mu.Lock()
		v := repoJSON(req, r)
		s.mu.Unlock()
		s.jsonAnswerWith(w, req, v, etagAndLastModified)
	case rest == "releases":
		s.listReleases(w, req, name, r)
	case strings.HasPrefix(rest, "releases/tags/"):
		s.releaseByTag(w, req, name, r, strings.TrimPrefix(rest, "releases/tags/"))
	case strings.HasPrefix(rest, "branches/"):
		s.branch(w, req, name, r, strings.TrimPrefix(rest, "branches/"))
	case strings.HasPrefix(rest, "contents/"):
		s.contents(w, req, name, r, strings.TrimPrefix(rest, "contents/"))
	case strings.HasPrefix(rest, "tarball/"):
		s.tarball(w, req, r, strings.TrimPrefix(rest, "tarball/"))
	case rest == "security-advisories":
		s.listAdvisories(w, req, r)
	default:
		return false
	}
	return true
}

func unescape(p string) (string, error) {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return "", err
		}
		segs[i] = u
	}
	return strings.Join(segs, "/"), nil
}

// answer writes body with an ETag for the caller (and a Last-Modified when
// the endpoint sends one), or a 304 when the client already has it. An
// authorized 304 is not charged to the rate limit, an anonymous one is:
// "Making a conditional request does not count against your primary rate
// limit if a 304 response is returned and the request was made while
// correctly authorized with an Authorization header" (docs.github.com, Best
// practices for using the REST API).
func (s *Server) answer(w http.ResponseWriter, req *http.Request, contentType string, body []byte, weak bool, v validators) {
	tag := etag(body, req.Header.Get("Authorization"), weak)
	var lastMod time.Time
	w.Header().Set("ETag", tag)
	if v == etagAndLastModified {
		lastMod = s.lastModified(req, body)
		w.Header().Set("Last-Modified", lastMod.Format(http.TimeFormat))
	}
	w.Header().Set("Cache-Control", "private, max-age=60, s-maxage=60")
	w.Header().Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
	if notModified(req, tag, lastMod) {
		s.rateHeaders(w, req.Header.Get("Authorization") == "")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.rateHeaders(w, true)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func (s *Server) rateHeaders(w http.ResponseWriter, charge bool) {
	s.mu.Lock()
	if charge && s.remaining > 0 {
		s.remaining--
	}
	remaining, reset := s.remaining, s.reset
	s.mu.Unlock()
	RateHeaders(w.Header(), remaining, reset)
}

func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	s.rateHeaders(w, true)
	WriteError(w, status, msg, docsContents)
}

// WriteError writes a GitHub-shaped error body.
func WriteError(w http.ResponseWriter, status int, msg, docs string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{
		"message": msg, "documentation_url": docs, "status": strconv.Itoa(status)})
}

// jsonAnswer answers with v as JSON and an ETag only, as GitHub's lists
// and pull requests do.
func (s *Server) jsonAnswer(w http.ResponseWriter, req *http.Request, v any) {
	s.jsonAnswerWith(w, req, v, etagOnly)
}

func (s *Server) jsonAnswerWith(w http.ResponseWriter, req *http.Request, v any, vals validators) {
	body, err := json.Marshal(v)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.answer(w, req, "application/json; charset=utf-8", body, true, vals)
}

func (s *Server) listReleases(w http.ResponseWriter, req *http.Request, name string, r *repo) {
	s.mu.Lock()
	all := r.sortedReleases()
	from, to := paginate(w, req, len(all))
	out := []map[string]any{}
	for _, rel := range all[from:to] {
		out = append(out, s.releaseJSON(req, name, rel))
	}
	s.mu.Unlock()
	s.jsonAnswer(w, req, out)
}

// paginate reads per_page (default 30, at most 100) and page, sets GitHub's
// Link header for n items and returns the slice bounds of the page.
func paginate(w http.ResponseWriter, req *http.Request, n int) (from, to int) {
	perPage, page := 30, 1
	if v, err := strconv.Atoi(req.URL.Query().Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if v, err := strconv.Atoi(req.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max((n+perPage-1)/perPage, 1)
	var links []string
	link := func(p int, rel string) {
		q := req.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		links = append(links, fmt.Sprintf(`<%s%s?%s>; rel="%s"`, baseURL(req), req.URL.Path, q.Encode(), rel))
	}
	if page < last {
		link(page+1, "next")
		link(last, "last")
	}
	if page > 1 {
		link(1, "first")
		link(page-1, "prev")
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	return min((page-1)*perPage, n), min(page*perPage, n)
}

func (s *Server) releaseByTag(w http.ResponseWriter, req *http.Request, name string, r *repo, tag string) {
	s.mu.Lock()
	var found map[string]any
	for _, rel := range r.releases {
		if rel.Tag == tag && !rel.Draft {
			found = s.releaseJSON(req, name, rel)
		}
	}
	s.mu.Unlock()
	if found == nil {
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	s.jsonAnswerWith(w, req, found, etagAndLastModified)
}

// releaseJSON renders a release in the shape of GitHub's "release" schema.
func (s *Server) releaseJSON(req *http.Request, name string, rel *release) map[string]any {
	api := fmt.Sprintf("%srepos/%s/releases/%d", baseURL(req)+"/", name, rel.id)
	web := webURL(req) + "/" + name
	relName := rel.Name
	if relName == "" {
		relName = rel.Tag
	}
	commit := rel.Commit
	if commit == "" {
		commit = "main"
	}
	body := rel.Body
	if body == "" {
		body = "## What's Changed\n* release: " + rel.Tag
	}
	var published any = rel.Created.Add(time.Minute).UTC().Format(time.RFC3339)
	if rel.Draft {
		published = nil
	}
	return map[string]any{
		"url":              api,
		"assets_url":       api + "/assets",
		"upload_url":       api + "/assets{?name,label}",
		"html_url":         web + "/releases/tag/" + rel.Tag,
		"id":               rel.id,
		"author":           map[string]any{"login": "github-actions[bot]", "id": 41898282, "type": "Bot", "site_admin": false},
		"node_id":          fmt.Sprintf("RE_kwDOFake%d", rel.id),
		"tag_name":         rel.Tag,
		"target_commitish": commit,
		"name":             relName,
		"draft":            rel.Draft,
		"immutable":        false,
		"prerelease":       rel.Prerelease,
		"created_at":       rel.Created.UTC().Format(time.RFC3339),
		"published_at":     published,
		"assets":           []any{},
		"tarball_url":      baseURL(req) + "/repos/" + name + "/tarball/" + rel.Tag,
		"zipball_url":      baseURL(req) + "/repos/" + name + "/zipball/" + rel.Tag,
		"body":             body,
	}
}

func (s *Server) branch(w http.ResponseWriter, req *http.Request, name string, r *repo, branch string) {
	s.mu.Lock()
	sha, ok := r.branches[branch]
	s.mu.Unlock()
	if !ok {
		s.fail(w, http.StatusNotFound, "Branch not found")
		return
	}
	s.jsonAnswer(w, req, map[string]any{
		"name": branch,
		"commit": map[string]any{
			"sha": sha, "url": baseURL(req) + "/repos/" + name + "/commits/" + sha,
			"commit": map[string]any{"message": "commit " + sha[:min(7, len(sha))]},
		},
		"protected": false,
	})
}

func (s *Server) contents(w http.ResponseWriter, req *http.Request, name string, r *repo, filePath string) {
	ref := req.URL.Query().Get("ref")
	s.mu.Lock()
	if ref == "" {
		ref = "main"
	}
	if sha, ok := r.branches[ref]; ok {
		ref = sha
	}
	files, refOK := r.files[ref]
	data, fileOK := files[filePath]
	s.mu.Unlock()
	switch {
	case !refOK:
		s.fail(w, http.StatusNotFound, "No commit found for the ref "+req.URL.Query().Get("ref"))
		return
	case !fileOK:
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if strings.Contains(req.Header.Get("Accept"), "application/vnd.github.raw") {
		s.answer(w, req, "text/plain; charset=utf-8", data, false, etagAndLastModified)
		return
	}
	content, encoding := base64.StdEncoding.EncodeToString(data), "base64"
	if len(data) > 1<<20 { // GitHub leaves the content out above 1 MB
		content, encoding = "", "none"
	}
	sha := gitBlobSHA(data)
	api := fmt.Sprintf("%s/repos/%s/contents/%s?ref=%s", baseURL(req), name, filePath, ref)
	s.jsonAnswerWith(w, req, map[string]any{
		"type": "file", "encoding": encoding, "size": len(data),
		"name": path.Base(filePath), "path": filePath, "content": content, "sha": sha,
		"url": api, "git_url": baseURL(req) + "/repos/" + name + "/git/blobs/" + sha,
		"html_url":     webURL(req) + "/" + name + "/blob/" + ref + "/" + filePath,
		"download_url": webURL(req) + "/raw/" + name + "/" + ref + "/" + filePath,
		"_links": map[string]any{"self": api, "git": baseURL(req) + "/repos/" + name + "/git/blobs/" + sha,
			"html": webURL(req) + "/" + name + "/blob/" + ref + "/" + filePath},
	}, etagAndLastModified)
}

func baseURL(req *http.Request) string { return "http://" + req.Host }

// webURL is where the fake "web UI" lives: the same host, so ghclient.WebURL
// of a client pointed at this server agrees with html_url.
func webURL(req *http.Request) string { return "http://" + req.Host }
