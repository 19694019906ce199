package ghfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The GraphQL mutations on a pull request the fake answers, as GitHub
// documents them (https://docs.github.com/graphql/reference/mutations):
// each takes {pullRequestId} (enablePullRequestAutoMerge also mergeMethod)
// and returns {pullRequest}.
var pullMutations = []string{"markPullRequestReadyForReview", "convertPullRequestToDraft",
	"enablePullRequestAutoMerge", "disablePullRequestAutoMerge"}

// pullNodeID is the GraphQL id of pull request n of r (its node_id).
func pullNodeID(r *repo, n int) string { return fmt.Sprintf("PR_kwFake%d_%d", r.id, n) }

// pullMutation answers one of pullMutations in raw, with GitHub's errors
// for an unknown id, a closed pull request, auto-merge on a draft and a
// merge method GitHub does not have; false when raw is none of them.
func (s *Server) pullMutation(w http.ResponseWriter, raw []byte) bool {
	var q struct {
		Query     string `json:"query"`
		Variables struct {
			ID     string `json:"id"`
			Method string `json:"method"`
		} `json:"variables"`
	}
	if json.Unmarshal(raw, &q) != nil {
		return false
	}
	name := ""
	for _, m := range pullMutations {
		if strings.Contains(q.Query, m+"(") {
			name = m
		}
	}
	if name == "" {
		return false
	}
	answer := func(v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(typ, msg string) {
		answer(map[string]any{"data": map[string]any{name: nil},
			"errors": []any{map[string]any{"type": typ, "message": msg, "path": []string{name}}}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var p *PullRequest
	for _, r := range s.repos {
		for _, pr := range r.pulls {
			if pullNodeID(r, pr.Number) == q.Variables.ID {
				p = pr
			}
		}
	}
	switch {
	case p == nil:
		fail("NOT_FOUND", fmt.Sprintf("Could not resolve to a node with the global id of '%s'", q.Variables.ID))
		return true
	case p.State != "open":
		fail("UNPROCESSABLE", "Pull request is closed")
		return true
	}
	switch name {
	case "markPullRequestReadyForReview":
		p.Draft = false
	case "convertPullRequestToDraft":
		p.Draft = true
	case "enablePullRequestAutoMerge":
		method := strings.ToLower(q.Variables.Method)
		switch {
		case method != "merge" && method != "squash" && method != "rebase":
			fail("", fmt.Sprintf("Variable $method of type PullRequestMergeMethod! was provided invalid value %q", q.Variables.Method))
			return true
		case p.Draft:
			fail("UNPROCESSABLE", "Pull request is in draft state")
			return true
		}
		p.AutoMerge = method
	case "disablePullRequestAutoMerge":
		p.AutoMerge = ""
	}
	pr := map[string]any{"isDraft": p.Draft, "number": p.Number, "autoMergeRequest": nil}
	if p.AutoMerge != "" {
		pr["autoMergeRequest"] = map[string]any{"mergeMethod": strings.ToUpper(p.AutoMerge)}
	}
	answer(map[string]any{"data": map[string]any{name: map[string]any{"pullRequest": pr}}})
	return true
}

// removeLabel answers DELETE /repos/{owner}/{repo}/issues/{n}/labels/{name}:
// the labels the issue still has, or 404 "Label does not exist".
func (s *Server) removeLabel(req *http.Request, r *repo, n int, name string) (int, any) {
	p := r.pull(n)
	if p == nil {
		return http.StatusNotFound, "Not Found"
	}
	kept := p.Labels[:0:0]
	for _, l := range p.Labels {
		if !strings.EqualFold(l, name) {
			kept = append(kept, l)
		}
	}
	if len(kept) == len(p.Labels) {
		return http.StatusNotFound, "Label does not exist"
	}
	p.Labels = kept
	out := []any{}
	for i, l := range p.Labels {
		out = append(out, labelJSON(req, r, i, l))
	}
	return http.StatusOK, out
}

// autoMergeJSON renders p's auto-merge in the shape of GitHub's
// "auto-merge" schema; nil when it is off.
func autoMergeJSON(p *PullRequest) any {
	if p.AutoMerge == "" {
		return nil
	}
	return map[string]any{
		"enabled_by":   map[string]any{"login": "hashbot[bot]", "id": 41898283, "type": "Bot", "site_admin": false},
		"merge_method": p.AutoMerge, "commit_title": "", "commit_message": "",
	}
}
