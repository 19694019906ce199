package ghfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Advisory is a repository security advisory, as GitHub's "List
// repository security advisories" answers it.
type Advisory struct {
	GHSAID   string
	CVEID    string // "" is null
	Severity string // critical, high, medium or low
	Summary  string
	// State is published (the default), draft, triage or closed.
	State string
	// Withdrawn marks a withdrawn advisory (withdrawn_at set).
	Withdrawn bool
	// Vulnerabilities are the affected packages' version ranges.
	Vulnerabilities []Vulnerability
}

// Vulnerability is one affected package of an advisory.
type Vulnerability struct {
	Ecosystem, Package string
	// Range is vulnerable_version_range (">= 2025.12.0, < 2025.12.4");
	// Patched is patched_versions ("2025.12.4").
	Range, Patched string
}

// AddAdvisory publishes an advisory of repo ("owner/name").
func (s *Server) AddAdvisory(repoName string, a Advisory) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.State == "" {
		a.State = "published"
	}
	r := s.repo(repoName)
	r.advisories = append(r.advisories, a)
}

// listAdvisories answers GET /repos/{owner}/{repo}/security-advisories:
// filtered by state, oldest first, paginated by cursor (per_page, after)
// with a Link header, as GitHub does.
func (s *Server) listAdvisories(w http.ResponseWriter, req *http.Request, r *repo) {
	q := req.URL.Query()
	s.mu.Lock()
	var all []Advisory
	for _, a := range r.advisories {
		if st := q.Get("state"); st == "" || st == a.State {
			all = append(all, a)
		}
	}
	name := r.name
	s.mu.Unlock()
	perPage := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	from := 0
	if v, err := strconv.Atoi(q.Get("after")); err == nil && v > 0 && v <= len(all) {
		from = v
	}
	to := min(from+perPage, len(all))
	if to < len(all) {
		next := req.URL.Query()
		next.Set("after", strconv.Itoa(to))
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, baseURL(req), req.URL.Path, next.Encode()))
	}
	out := []map[string]any{}
	for i, a := range all[from:to] {
		out = append(out, advisoryJSON(req, name, a, from+i))
	}
	s.jsonAnswer(w, req, out)
}

func advisoryJSON(req *http.Request, repoName string, a Advisory, i int) map[string]any {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 24 * time.Hour).Format(time.RFC3339)
	var cve, withdrawn, published any
	ids := []map[string]any{{"type": "GHSA", "value": a.GHSAID}}
	if a.CVEID != "" {
		cve = a.CVEID
		ids = append(ids, map[string]any{"type": "CVE", "value": a.CVEID})
	}
	if a.Withdrawn {
		withdrawn = at
	}
	if a.State == "published" {
		published = at
	}
	vulns := []map[string]any{}
	for _, v := range a.Vulnerabilities {
		vulns = append(vulns, map[string]any{
			"package":                  map[string]any{"ecosystem": v.Ecosystem, "name": v.Package},
			"vulnerable_version_range": v.Range,
			"patched_versions":         v.Patched,
			"vulnerable_functions":     []string{},
		})
	}
	return map[string]any{
		"ghsa_id":             a.GHSAID,
		"cve_id":              cve,
		"url":                 baseURL(req) + "/repos/" + repoName + "/security-advisories/" + a.GHSAID,
		"html_url":            webURL(req) + "/" + repoName + "/security/advisories/" + a.GHSAID,
		"summary":             a.Summary,
		"description":         a.Summary,
		"severity":            strings.ToLower(a.Severity),
		"author":              map[string]any{"login": "octocat", "id": 1, "type": "User", "site_admin": false},
		"publisher":           map[string]any{"login": "octocat", "id": 1, "type": "User", "site_admin": false},
		"identifiers":         ids,
		"state":               a.State,
		"created_at":          at,
		"updated_at":          at,
		"published_at":        published,
		"closed_at":           nil,
		"withdrawn_at":        withdrawn,
		"submission":          nil,
		"vulnerabilities":     vulns,
		"cvss":                map[string]any{"vector_string": nil, "score": nil},
		"cwes":                []any{},
		"cwe_ids":             []string{},
		"credits":             []any{},
		"credits_detailed":    []any{},
		"collaborating_users": []any{},
		"collaborating_teams": []any{},
		"private_fork":        nil,
	}
}
