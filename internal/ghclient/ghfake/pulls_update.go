package ghfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	docsUpdateBranch = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request-branch"
	docsListComments = "https://docs.github.com/rest/issues/comments#list-issue-comments"
	// The 422 messages of update-branch, as GitHub words them; hashbot
	// tells them apart by the pull request's head, not by these.
	msgHeadMismatch = "expected head sha didn't match current head ref."
	msgConflict     = "merge conflict between base and head"
	msgUpToDate     = "There are no new commits on the base branch."
)

// BranchUpdate is one update-branch call the server accepted.
type BranchUpdate struct {
	PullRequest int
	// Expected is the expected_head_sha sent ("" for none).
	Expected string
	// Merge is the merge commit made in the repository ServeGit backs, ""
	// when the server has no git behind it (the test merges, as GitHub
	// would).
	Merge string
}

// BranchUpdates lists the update-branch calls accepted on repoName, oldest
// first.
func (s *Server) BranchUpdates(repoName string) []BranchUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BranchUpdate(nil), s.repo(repoName).branchUpdates...)
}

// updateBranch answers PUT pulls/{n}/update-branch as "Update a pull
// request branch" documents it: 202 {"message", "url"} once the update is
// scheduled, 422 when expected_head_sha is not the head. With a git
// repository behind it (ServeGit) and a head branch in that repository it
// merges the base into the head there, as GitHub does (a merge commit whose
// first parent is the head), and moves the pull request's head; a
// conflict, or a base with nothing new, is a 422. s.mu is held.
func (s *Server) updateBranch(req *http.Request, r *repo, n int, body any) (int, any) {
	p := r.pull(n)
	if p == nil {
		return http.StatusNotFound, "Not Found"
	}
	if p.State != "open" {
		return http.StatusUnprocessableEntity, "Pull request is not open"
	}
	m, _ := body.(map[string]any)
	expected, _ := m["expected_head_sha"].(string)
	head := p.HeadSHA
	inGit := r.gitDir != "" && strings.EqualFold(p.HeadOwner, r.owner())
	if inGit {
		if sha, err := git(r.gitDir, nil, nil, "rev-parse", "--verify", "--quiet", "refs/heads/"+p.Head); err == nil {
			head = sha
		}
	}
	if expected != "" && expected != head {
		return http.StatusUnprocessableEntity, msgHeadMismatch
	}
	up := BranchUpdate{PullRequest: n, Expected: expected}
	if inGit {
		merge, status, msg := mergeBaseInto(r.gitDir, p.Base, p.Head, head)
		if status != 0 {
			return status, msg
		}
		up.Merge, p.HeadSHA = merge, merge
		p.Updated = time.Now().UTC().Truncate(time.Second)
	}
	r.branchUpdates = append(r.branchUpdates, up)
	return http.StatusAccepted, map[string]any{
		"message": "Updating pull request branch.",
		"url":     webURL(req) + "/repos/" + r.name + "/pulls/" + strconv.Itoa(n),
	}
}

// mergeBaseInto merges the base branch into the head branch (at head) in
// the bare repository dir: the merge commit, or a status and message.
func mergeBaseInto(dir, base, branch, head string) (merge string, status int, msg string) {
	tip, err := git(dir, nil, nil, "rev-parse", "--verify", "--quiet", "refs/heads/"+base)
	if err != nil {
		return "", http.StatusUnprocessableEntity, "Base branch does not exist"
	}
	if _, err := git(dir, nil, nil, "merge-base", "--is-ancestor", tip, head); err == nil {
		return "", http.StatusUnprocessableEntity, msgUpToDate
	}
	tree, err := git(dir, nil, nil, "merge-tree", "--write-tree", "--no-messages", head, tip)
	if err != nil {
		return "", http.StatusUnprocessableEntity, msgConflict
	}
	env := []string{"GIT_AUTHOR_NAME=" + AppBotName, "GIT_AUTHOR_EMAIL=" + AppBotEmail,
		"GIT_COMMITTER_NAME=" + committerName, "GIT_COMMITTER_EMAIL=" + committerMail}
	msgText := fmt.Sprintf("Merge branch '%s' into %s", base, branch)
	merge, err = git(dir, env, []byte(msgText), "commit-tree", firstLine(tree), "-p", head, "-p", tip)
	if err == nil {
		_, err = git(dir, nil, nil, "update-ref", "refs/heads/"+branch, merge, head)
	}
	if err != nil {
		return "", http.StatusUnprocessableEntity, "the merge could not be made: " + err.Error()
	}
	return merge, 0, ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// listComments answers GET issues/{n}/comments, oldest first, paginated.
func (s *Server) listComments(w http.ResponseWriter, req *http.Request, r *repo, n int) {
	s.mu.Lock()
	p := r.pull(n)
	if p == nil {
		s.mu.Unlock()
		WriteError(w, http.StatusNotFound, "Not Found", docsListComments)
		return
	}
	from, to := paginate(w, req, len(p.Comments))
	out := []any{}
	for i := from; i < to; i++ {
		out = append(out, commentJSON(req, r, n, i+1, p.Comments[i]))
	}
	s.mu.Unlock()
	s.jsonAnswer(w, req, out)
}
