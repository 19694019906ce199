package pulls

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// prJSON renders p in the shape of GitHub's pull request object (the
// fields go-github and pulls read, plus enough of the rest to be realistic).
func (f *fakeGitHub) prJSON(p *fakePR) map[string]any {
	api := "https://api.github.com/repos/" + f.owner + "/" + f.repo
	headOwner, headName, _ := strings.Cut(p.HeadRepo, "/")
	labels := []any{}
	for i, l := range p.Labels {
		labels = append(labels, map[string]any{"id": 1000 + i, "name": l, "color": "ededed", "default": false})
	}
	return map[string]any{
		"id":       100000 + p.Number,
		"number":   p.Number,
		"state":    p.State,
		"locked":   false,
		"title":    p.Title,
		"body":     p.Body,
		"draft":    p.Draft,
		"url":      fmt.Sprintf("%s/pulls/%d", api, p.Number),
		"html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d", f.owner, f.repo, p.Number),
		"user":     map[string]any{"login": "hashbot[bot]", "type": "Bot"},
		"labels":   labels,
		"head": map[string]any{
			"label": headOwner + ":" + p.HeadRef, "ref": p.HeadRef, "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
			"user": map[string]any{"login": headOwner},
			"repo": map[string]any{"id": 2, "name": headName, "full_name": p.HeadRepo, "owner": map[string]any{"login": headOwner}},
		},
		"base": map[string]any{
			"label": f.owner + ":" + p.Base, "ref": p.Base, "sha": "c5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc",
			"repo": map[string]any{"id": 1, "name": f.repo, "full_name": f.owner + "/" + f.repo},
		},
	}
}

func (f *fakeGitHub) listPulls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	head := q.Get("head")
	var match []*fakePR
	for _, p := range f.prs {
		if state != "all" && p.State != state {
			continue
		}
		if head != "" {
			owner, _, _ := strings.Cut(p.HeadRepo, "/")
			if owner+":"+p.HeadRef != head {
				continue
			}
		}
		match = append(match, p)
	}
	if head != "" && f.missHeadLists > 0 {
		f.missHeadLists--
		match = nil
	}
	per := f.pageSize
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n < per {
		per = n
	}
	page := 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	from, to := min((page-1)*per, len(match)), min(page*per, len(match))
	if to < len(match) {
		next := *r.URL
		nq := r.URL.Query()
		nq.Set("page", strconv.Itoa(page+1))
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, next.String()))
	}
	out := []any{}
	for _, p := range match[from:to] {
		out = append(out, f.prJSON(p))
	}
	f.json(w, http.StatusOK, out)
}

func (f *fakeGitHub) createPull(w http.ResponseWriter, body any) {
	m, _ := body.(map[string]any)
	head, _ := m["head"].(string)
	for _, p := range f.prs {
		if p.State == "open" && p.HeadRef == head && p.HeadRepo == f.owner+"/"+f.repo {
			f.json(w, http.StatusUnprocessableEntity, map[string]any{
				"message": "Validation Failed",
				"errors": []any{map[string]any{
					"resource": "PullRequest", "code": "custom",
					"message": "A pull request already exists for " + f.owner + ":" + head + ".",
				}},
				"documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
				"status":            "422",
			})
			return
		}
	}
	p := &fakePR{Number: f.nextNumber(), State: "open", HeadRef: head, HeadRepo: f.owner + "/" + f.repo}
	p.Title, _ = m["title"].(string)
	p.Body, _ = m["body"].(string)
	p.Base, _ = m["base"].(string)
	p.Draft, _ = m["draft"].(bool)
	f.prs = append(f.prs, p)
	f.json(w, http.StatusCreated, f.prJSON(p))
}

func (f *fakeGitHub) nextNumber() int {
	n := 1
	for _, p := range f.prs {
		n = max(n, p.Number+1)
	}
	return n
}

func (f *fakeGitHub) editPull(w http.ResponseWriter, num string, body any) {
	p := f.find(num)
	if p == nil {
		f.notFound(w)
		return
	}
	m, _ := body.(map[string]any)
	if v, ok := m["title"].(string); ok {
		p.Title = v
	}
	if v, ok := m["body"].(string); ok {
		p.Body = v
	}
	if v, ok := m["state"].(string); ok {
		p.State = v
	}
	f.json(w, http.StatusOK, f.prJSON(p))
}

func (f *fakeGitHub) addLabels(w http.ResponseWriter, num string, body any) {
	p := f.find(num)
	if p == nil {
		f.notFound(w)
		return
	}
	// GitHub takes {"labels": [...]} or a bare array (what go-github sends).
	ls, _ := body.([]any)
	if m, ok := body.(map[string]any); ok {
		ls, _ = m["labels"].([]any)
	}
	for _, l := range ls {
		name, _ := l.(string)
		if !containsFold(p.Labels, name) {
			p.Labels = append(p.Labels, name)
		}
	}
	out := []any{}
	for i, l := range p.Labels {
		out = append(out, map[string]any{
			"id": 1000 + i, "node_id": "LA_kw" + strconv.Itoa(i), "url": "https://api.github.com/repos/" + f.owner + "/" + f.repo + "/labels/" + url.PathEscape(l),
			"name": l, "description": "", "color": "ededed", "default": false,
		})
	}
	f.json(w, http.StatusOK, out)
}

func (f *fakeGitHub) comment(w http.ResponseWriter, num string, body any) {
	p := f.find(num)
	if p == nil {
		f.notFound(w)
		return
	}
	m, _ := body.(map[string]any)
	text, _ := m["body"].(string)
	f.json(w, http.StatusCreated, map[string]any{
		"id": 1, "node_id": "MDEyOklzc3VlQ29tbWVudDE=", "body": text,
		"html_url":   fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-1", f.owner, f.repo, p.Number),
		"issue_url":  fmt.Sprintf("https://api.github.com/repos/%s/%s/issues/%d", f.owner, f.repo, p.Number),
		"user":       map[string]any{"login": "hashbot[bot]", "type": "Bot"},
		"created_at": "2026-04-07T15:00:00Z", "updated_at": "2026-04-07T15:00:00Z",
	})
}

func containsFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
