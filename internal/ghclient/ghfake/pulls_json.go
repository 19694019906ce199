package ghfake

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// repoJSON renders r in the shape of GitHub's "full repository" schema;
// s.mu is held.
func repoJSON(req *http.Request, r *repo) map[string]any {
	api := baseURL(req) + "/repos/" + r.name
	owner := r.owner()
	_, short := splitName(r.name)
	return map[string]any{
		"id":        r.id,
		"node_id":   fmt.Sprintf("R_kgDOFake%d", r.id),
		"name":      short,
		"full_name": r.name,
		"private":   false,
		"owner": map[string]any{
			"login": owner, "id": 1, "type": "Organization", "site_admin": false,
			"html_url": webURL(req) + "/" + owner, "url": baseURL(req) + "/users/" + owner,
		},
		"html_url":       webURL(req) + "/" + r.name,
		"description":    "",
		"fork":           false,
		"url":            api,
		"pulls_url":      api + "/pulls{/number}",
		"releases_url":   api + "/releases{/id}",
		"clone_url":      webURL(req) + "/" + r.name + ".git",
		"default_branch": r.defaultBranch,
		"visibility":     "public",
		"archived":       false,
		"disabled":       false,
		"has_issues":     true,
		"open_issues_count": func() int {
			n := 0
			for _, p := range r.pulls {
				if p.State == "open" {
					n++
				}
			}
			return n
		}(),
		"created_at": "2024-01-01T00:00:00Z",
		"updated_at": "2026-01-01T00:00:00Z",
		"pushed_at":  "2026-01-01T00:00:00Z",
		"permissions": map[string]any{
			"admin": false, "maintain": false, "push": true, "triage": true, "pull": true,
		},
	}
}

func splitName(name string) (owner, short string) {
	owner, short, _ = strings.Cut(name, "/")
	return owner, short
}

// fakeSHA is a stable made-up commit id for a branch.
func fakeSHA(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// labelJSON renders a label in the shape of GitHub's "label" schema.
func labelJSON(req *http.Request, r *repo, i int, name string) map[string]any {
	return map[string]any{
		"id": 2000 + i, "node_id": fmt.Sprintf("LA_kwFake%d", 2000+i),
		"url":  baseURL(req) + "/repos/" + r.name + "/labels/" + url.PathEscape(name),
		"name": name, "description": nil, "color": "ededed", "default": false,
	}
}

// pullJSON renders p in the shape of GitHub's "pull request" schema; full
// adds the fields only the single-pull-request answers carry. s.mu is held.
func pullJSON(req *http.Request, r *repo, p *PullRequest, full bool) map[string]any {
	api := baseURL(req) + "/repos/" + r.name
	web := webURL(req) + "/" + r.name
	_, short := splitName(r.name)
	labels := []any{}
	for i, l := range p.Labels {
		labels = append(labels, labelJSON(req, r, i, l))
	}
	bot := map[string]any{"login": "hashbot[bot]", "id": 41898283, "type": "Bot", "site_admin": false}
	if p.User != "" {
		kind := "User"
		if strings.HasSuffix(p.User, "[bot]") {
			kind = "Bot"
		}
		bot = map[string]any{"login": p.User, "id": ownerID(p.User), "type": kind, "site_admin": false}
	}
	headSHA := p.HeadSHA
	if headSHA == "" {
		headSHA = fakeSHA(p.HeadOwner + ":" + p.Head)
	}
	headRepo := map[string]any{
		"id": r.id, "name": short, "full_name": p.HeadOwner + "/" + short,
		"owner": map[string]any{"login": p.HeadOwner, "type": "Organization"}, "private": false,
		"html_url": webURL(req) + "/" + p.HeadOwner + "/" + short,
	}
	baseRepo := map[string]any{
		"id": r.id, "name": short, "full_name": r.name,
		"owner": map[string]any{"login": r.owner(), "type": "Organization"}, "private": false,
		"html_url": web, "default_branch": r.defaultBranch,
	}
	out := map[string]any{
		"url":                 fmt.Sprintf("%s/pulls/%d", api, p.Number),
		"id":                  100000 + p.Number,
		"node_id":             pullNodeID(r, p.Number),
		"html_url":            fmt.Sprintf("%s/pull/%d", web, p.Number),
		"diff_url":            fmt.Sprintf("%s/pull/%d.diff", web, p.Number),
		"patch_url":           fmt.Sprintf("%s/pull/%d.patch", web, p.Number),
		"issue_url":           fmt.Sprintf("%s/issues/%d", api, p.Number),
		"commits_url":         fmt.Sprintf("%s/pulls/%d/commits", api, p.Number),
		"review_comments_url": fmt.Sprintf("%s/pulls/%d/comments", api, p.Number),
		"comments_url":        fmt.Sprintf("%s/issues/%d/comments", api, p.Number),
		"number":              p.Number,
		"state":               p.State,
		"locked":              false,
		"title":               p.Title,
		"user":                bot,
		"body":                p.Body,
		"labels":              labels,
		"milestone":           nil,
		"active_lock_reason":  nil,
		"created_at":          timeOrNil(p.Created),
		"updated_at":          timeOrNil(p.Updated),
		"closed_at":           timeOrNil(p.Closed),
		"merged_at":           mergedAt(p),
		"merge_commit_sha":    nil,
		"assignee":            nil,
		"assignees":           []any{},
		"requested_reviewers": []any{},
		"requested_teams":     []any{},
		"head": map[string]any{
			"label": p.HeadOwner + ":" + p.Head, "ref": p.Head, "sha": headSHA,
			"user": map[string]any{"login": p.HeadOwner, "id": ownerID(p.HeadOwner)}, "repo": headRepo,
		},
		"base": map[string]any{
			"label": r.owner() + ":" + p.Base, "ref": p.Base, "sha": fakeSHA(r.name + ":" + p.Base),
			"user": map[string]any{"login": r.owner(), "id": ownerID(r.owner())}, "repo": baseRepo,
		},
		"author_association": "CONTRIBUTOR",
		"auto_merge":         autoMergeJSON(p),
		"draft":              p.Draft,
	}
	if full {
		out["merged"] = p.Merged
		out["mergeable"] = nil
		out["mergeable_state"] = "unknown"
		out["merged_by"] = nil
		out["comments"] = len(p.Comments)
		out["review_comments"] = 0
		out["maintainer_can_modify"] = false
		out["commits"] = 1
		out["additions"] = 0
		out["deletions"] = 0
		out["changed_files"] = 1
	}
	return out
}

// mergedAt is merged_at: the close time of a merged pull request, else null.
func mergedAt(p *PullRequest) any {
	if !p.Merged {
		return nil
	}
	return timeOrNil(p.Closed)
}

// ownerID is a stable made-up account id for a login.
func ownerID(login string) int {
	id := 1000
	for _, c := range login {
		id = id*31 + int(c)
	}
	return id & 0x3fffffff
}
