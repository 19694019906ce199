package ghfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	docsPulls    = "https://docs.github.com/rest/pulls/pulls"
	docsCreatePR = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
	docsUpdatePR = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request"
	docsLabels   = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue"
	// docsRemoveLabel is the documentation of removing a label.
	docsRemoveLabel = "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue"
	docsComments    = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
	docsAuthError   = "https://docs.github.com/rest"
)

// fieldError is one entry of a 422's "errors".
type fieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// routePulls answers the pull-request, label and comment endpoints; false
// when the request is none of them.
func (s *Server) routePulls(w http.ResponseWriter, req *http.Request, r *repo, rest string) bool {
	segs := strings.Split(rest, "/")
	num := func(i int) (int, bool) {
		n, err := strconv.Atoi(segs[i])
		return n, err == nil && n > 0
	}
	switch {
	case rest == "pulls" && req.Method == http.MethodGet:
		s.listPulls(w, req, r)
	case rest == "pulls" && req.Method == http.MethodPost:
		s.write(w, req, docsCreatePR, func(body any) (int, any) { return s.createPull(req, r, body) })
	case len(segs) == 2 && segs[0] == "pulls":
		n, ok := num(1)
		switch {
		case !ok:
			return false
		case req.Method == http.MethodGet:
			s.getPull(w, req, r, n)
		case req.Method == http.MethodPatch:
			s.write(w, req, docsUpdatePR, func(body any) (int, any) { return s.editPull(req, r, n, body) })
		default:
			return false
		}
	case len(segs) == 3 && segs[0] == "issues" && segs[2] == "labels" && req.Method == http.MethodPost:
		n, ok := num(1)
		if !ok {
			return false
		}
		s.write(w, req, docsLabels, func(body any) (int, any) { return s.addLabels(req, r, n, body) })
	case len(segs) == 4 && segs[0] == "issues" && segs[2] == "labels" && req.Method == http.MethodDelete:
		n, ok := num(1)
		if !ok {
			return false
		}
		s.write(w, req, docsRemoveLabel, func(any) (int, any) { return s.removeLabel(req, r, n, segs[3]) })
	case len(segs) == 3 && segs[0] == "pulls" && segs[2] == "update-branch" && req.Method == http.MethodPut:
		n, ok := num(1)
		if !ok {
			return false
		}
		s.write(w, req, docsUpdateBranch, func(body any) (int, any) { return s.updateBranch(req, r, n, body) })
	case len(segs) == 3 && segs[0] == "issues" && segs[2] == "comments" && req.Method == http.MethodGet:
		n, ok := num(1)
		if !ok {
			return false
		}
		s.listComments(w, req, r, n)
	case strings.HasPrefix(rest, "git/refs"):
		return s.routeGitRefs(w, req, r, rest)
	case len(segs) == 3 && segs[0] == "issues" && segs[2] == "comments" && req.Method == http.MethodPost:
		n, ok := num(1)
		if !ok {
			return false
		}
		s.write(w, req, docsComments, func(body any) (int, any) { return s.comment(req, r, n, body) })
	default:
		return false
	}
	return true
}

// write answers a write request: 401 without credentials, 400 for a body
// that is not JSON, else what do returns (a status and a JSON value, or an
// error body). do runs with s.mu held.
func (s *Server) write(w http.ResponseWriter, req *http.Request, docs string, do func(body any) (int, any)) {
	if req.Header.Get("Authorization") == "" {
		s.rateHeaders(w, true)
		WriteError(w, http.StatusUnauthorized, "Requires authentication", docsAuthError)
		return
	}
	raw, _ := io.ReadAll(req.Body)
	var body any
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			s.rateHeaders(w, true)
			WriteError(w, http.StatusBadRequest, "Problems parsing JSON", docs)
			return
		}
	}
	s.mu.Lock()
	status, v := do(body)
	s.mu.Unlock()
	s.rateHeaders(w, true)
	if msg, ok := v.(string); ok {
		WriteError(w, status, msg, docs)
		return
	}
	if errs, ok := v.([]fieldError); ok {
		v = map[string]any{"message": "Validation Failed", "errors": errs,
			"documentation_url": docs, "status": strconv.Itoa(status)}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if obj, ok := v.(map[string]any); ok && status == http.StatusCreated {
		if loc, ok := obj["url"].(string); ok {
			w.Header().Set("Location", loc)
		}
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) listPulls(w http.ResponseWriter, req *http.Request, r *repo) {
	q := req.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	// GitHub filters by head only in the form owner:branch; any other
	// value is ignored and every pull request listed.
	headOwner, headRef, byHead := strings.Cut(q.Get("head"), ":")
	base := q.Get("base")
	s.mu.Lock()
	var match []*PullRequest
	for _, p := range r.pulls {
		switch {
		case state != "all" && p.State != state,
			byHead && !(strings.EqualFold(p.HeadOwner, headOwner) && p.Head == headRef),
			base != "" && p.Base != base:
			continue
		}
		match = append(match, p)
	}
	asc := q.Get("direction") == "asc"
	sort.SliceStable(match, func(i, j int) bool {
		if asc {
			return match[i].Number < match[j].Number
		}
		return match[i].Number > match[j].Number
	})
	from, to := paginate(w, req, len(match))
	out := []any{}
	for _, p := range match[from:to] {
		out = append(out, pullJSON(req, r, p, false))
	}
	s.mu.Unlock()
	s.jsonAnswer(w, req, out)
}

func (s *Server) getPull(w http.ResponseWriter, req *http.Request, r *repo, n int) {
	s.mu.Lock()
	p := r.pull(n)
	var v map[string]any
	if p != nil {
		v = pullJSON(req, r, p, true)
	}
	s.mu.Unlock()
	if p == nil {
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	s.jsonAnswer(w, req, v)
}

// createPull opens a pull request from {title, head, base, body, draft},
// refusing a second open one for the same head and base as GitHub does.
func (s *Server) createPull(req *http.Request, r *repo, body any) (int, any) {
	m, _ := body.(map[string]any)
	str := func(k string) string { v, _ := m[k].(string); return v }
	var missing []fieldError
	for _, k := range []string{"base", "head", "title"} {
		if str(k) == "" {
			missing = append(missing, fieldError{Resource: "PullRequest", Field: k, Code: "missing_field"})
		}
	}
	if len(missing) > 0 {
		return http.StatusUnprocessableEntity, missing
	}
	headOwner, head, cross := strings.Cut(str("head"), ":")
	if !cross {
		headOwner, head = r.owner(), str("head")
	}
	for _, p := range r.pulls {
		if p.State == "open" && strings.EqualFold(p.HeadOwner, headOwner) && p.Head == head && p.Base == str("base") {
			return http.StatusUnprocessableEntity, []fieldError{{Resource: "PullRequest", Code: "custom",
				Message: fmt.Sprintf("A pull request already exists for %s:%s.", headOwner, head)}}
		}
	}
	p := &PullRequest{Title: str("title"), Body: str("body"), Head: head, HeadOwner: headOwner, Base: str("base")}
	p.Draft, _ = m["draft"].(bool)
	r.addPull(p)
	return http.StatusCreated, pullJSON(req, r, p, true)
}

// editPull changes title, body, state and base.
func (s *Server) editPull(req *http.Request, r *repo, n int, body any) (int, any) {
	p := r.pull(n)
	if p == nil {
		return http.StatusNotFound, "Not Found"
	}
	m, _ := body.(map[string]any)
	if v, ok := m["state"].(string); ok && v != "open" && v != "closed" {
		return http.StatusUnprocessableEntity, []fieldError{{Resource: "PullRequest", Field: "state", Code: "invalid"}}
	}
	now := time.Now().UTC().Truncate(time.Second)
	if v, ok := m["title"].(string); ok {
		p.Title = v
	}
	if v, ok := m["body"].(string); ok {
		p.Body = v
	}
	if v, ok := m["base"].(string); ok && v != "" {
		p.Base = v
	}
	if v, ok := m["state"].(string); ok && v != p.State {
		p.State, p.Closed = v, time.Time{}
		if v == "closed" {
			p.Closed = now
		}
	}
	p.Updated = now
	return http.StatusOK, pullJSON(req, r, p, true)
}

// addLabels takes {"labels": [...]}, a bare array, or label objects, and
// answers with every label the issue now has.
func (s *Server) addLabels(req *http.Request, r *repo, n int, body any) (int, any) {
	p := r.pull(n)
	if p == nil {
		return http.StatusNotFound, "Not Found"
	}
	list, _ := body.([]any)
	if m, ok := body.(map[string]any); ok {
		list, _ = m["labels"].([]any)
	}
	for _, l := range list {
		name, _ := l.(string)
		if obj, ok := l.(map[string]any); ok {
			name, _ = obj["name"].(string)
		}
		if name == "" {
			return http.StatusUnprocessableEntity, []fieldError{{Resource: "Label", Field: "name", Code: "missing_field"}}
		}
		if !hasFold(p.Labels, name) {
			p.Labels = append(p.Labels, name)
		}
	}
	out := []any{}
	for i, l := range p.Labels {
		out = append(out, labelJSON(req, r, i, l))
	}
	return http.StatusOK, out
}

// comment adds {"body": ...} as a comment on issue n.
func (s *Server) comment(req *http.Request, r *repo, n int, body any) (int, any) {
	p := r.pull(n)
	if p == nil {
		return http.StatusNotFound, "Not Found"
	}
	m, _ := body.(map[string]any)
	text, _ := m["body"].(string)
	if text == "" {
		return http.StatusUnprocessableEntity, []fieldError{{Resource: "IssueComment", Field: "body", Code: "missing_field"}}
	}
	p.Comments = append(p.Comments, text)
	return http.StatusCreated, commentJSON(req, r, n, len(p.Comments), text)
}

// commentJSON renders the i-th comment (from 1) of issue n in the shape of
// GitHub's "issue comment" schema.
func commentJSON(req *http.Request, r *repo, n, i int, text string) map[string]any {
	id := n*1000 + i
	api := baseURL(req) + "/repos/" + r.name
	now := time.Now().UTC().Format(time.RFC3339)
	return map[string]any{
		"id": id, "node_id": fmt.Sprintf("IC_kwFake%d", id),
		"url":                fmt.Sprintf("%s/issues/comments/%d", api, id),
		"html_url":           fmt.Sprintf("%s/%s/pull/%d#issuecomment-%d", webURL(req), r.name, n, id),
		"issue_url":          fmt.Sprintf("%s/issues/%d", api, n),
		"body":               text,
		"user":               map[string]any{"login": "hashbot[bot]", "id": 41898283, "type": "Bot"},
		"created_at":         now,
		"updated_at":         now,
		"author_association": "CONTRIBUTOR",
	}
}

func hasFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
