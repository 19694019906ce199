package ghfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The identity GitHub gives a commit an App makes through the API: the
// App's bot as author, GitHub as committer (it signs the commit).
const (
	AppBotName    = "hashbot[bot]"
	AppBotEmail   = "41898283+hashbot[bot]@users.noreply.github.com"
	committerName = "GitHub"
	committerMail = "noreply@github.com"
)

const (
	docsRefs     = "https://docs.github.com/rest/git/refs"
	docsGraphQL  = "https://docs.github.com/graphql/reference/mutations#createcommitonbranch"
	graphQLStale = "Expected branch to point to %q but it did not. Pull and try again."
)

// ServeGit backs repoName's git refs endpoints and createCommitOnBranch
// with the bare repository at dir (the remote the tests push to), so that
// commits made through the API land where git sees them.
func (s *Server) ServeGit(repoName, dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(repoName).gitDir = dir
}

// APICommits lists the commits made through createCommitOnBranch on
// repoName, oldest first: the ones GitHub would have signed.
func (s *Server) APICommits(repoName string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.repo(repoName).apiCommits...)
}

// git runs git in the repository's bare directory.
func git(dir string, env []string, stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// routeGitRefs answers POST git/refs (create) and PATCH git/refs/heads/…
// (update) for a repository ServeGit backs.
func (s *Server) routeGitRefs(w http.ResponseWriter, req *http.Request, r *repo, rest string) bool {
	switch {
	case rest == "git/refs" && req.Method == http.MethodPost:
		s.write(w, req, docsRefs, func(body any) (int, any) { return s.createRef(req, r, body) })
	case strings.HasPrefix(rest, "git/refs/heads/") && req.Method == http.MethodPatch:
		ref := strings.TrimPrefix(rest, "git/")
		s.write(w, req, docsRefs, func(body any) (int, any) { return s.updateRef(req, r, ref, body) })
	default:
		return false
	}
	return true
}

func (s *Server) createRef(req *http.Request, r *repo, body any) (int, any) {
	m, _ := body.(map[string]any)
	ref, _ := m["ref"].(string)
	sha, _ := m["sha"].(string)
	switch {
	case r.gitDir == "":
		return http.StatusNotFound, "Not Found"
	case !strings.HasPrefix(ref, "refs/heads/") || len(sha) != 40:
		return http.StatusUnprocessableEntity, "Reference name or sha is not valid"
	}
	if _, err := git(r.gitDir, nil, nil, "rev-parse", "--verify", "--quiet", ref); err == nil {
		return http.StatusUnprocessableEntity, "Reference already exists"
	}
	if _, err := git(r.gitDir, nil, nil, "update-ref", ref, sha, ""); err != nil {
		return http.StatusUnprocessableEntity, "Object does not exist"
	}
	return http.StatusCreated, refJSON(req, r, ref, sha)
}

func (s *Server) updateRef(req *http.Request, r *repo, ref string, body any) (int, any) {
	m, _ := body.(map[string]any)
	sha, _ := m["sha"].(string)
	force, _ := m["force"].(bool)
	if r.gitDir == "" {
		return http.StatusNotFound, "Not Found"
	}
	old, err := git(r.gitDir, nil, nil, "rev-parse", "--verify", "--quiet", ref)
	if err != nil {
		return http.StatusUnprocessableEntity, "Reference does not exist"
	}
	if _, err := git(r.gitDir, nil, nil, "merge-base", "--is-ancestor", old, sha); err != nil && !force {
		return http.StatusUnprocessableEntity, "Update is not a fast forward"
	}
	if _, err := git(r.gitDir, nil, nil, "update-ref", ref, sha, old); err != nil {
		return http.StatusUnprocessableEntity, "Object does not exist"
	}
	return http.StatusOK, refJSON(req, r, ref, sha)
}

func refJSON(req *http.Request, r *repo, ref, sha string) map[string]any {
	api := baseURL(req) + "/repos/" + r.name
	return map[string]any{
		"ref": ref, "node_id": "REF_kwFake" + sha[:8], "url": api + "/git/" + ref,
		"object": map[string]any{"sha": sha, "type": "commit", "url": api + "/git/commits/" + sha},
	}
}

// routeGraphQL answers POST /graphql: the mutations on pull requests
// (pullMutation) and createCommitOnBranch, with GitHub's errors for a
// branch that moved; any other query is an error, as the fake knows no
// other.
func (s *Server) routeGraphQL(w http.ResponseWriter, req *http.Request) bool {
	if req.URL.Path != "/graphql" {
		return false
	}
	if req.Method != http.MethodPost || req.Header.Get("Authorization") == "" {
		WriteError(w, http.StatusUnauthorized, "This endpoint requires you to be authenticated.", docsGraphQL)
		return true
	}
	raw, _ := io.ReadAll(req.Body)
	if s.pullMutation(w, raw) {
		return true
	}
	var q struct {
		Query     string `json:"query"`
		Variables struct {
			Input struct {
				Branch struct {
					Repo   string `json:"repositoryNameWithOwner"`
					Branch string `json:"branchName"`
				} `json:"branch"`
				ExpectedHeadOid string `json:"expectedHeadOid"`
				Message         struct {
					Headline string `json:"headline"`
					Body     string `json:"body"`
				} `json:"message"`
				FileChanges struct {
					Additions []struct {
						Path     string `json:"path"`
						Contents string `json:"contents"`
					} `json:"additions"`
				} `json:"fileChanges"`
			} `json:"input"`
		} `json:"variables"`
	}
	answer := func(v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(typ, msg string) {
		answer(map[string]any{"data": map[string]any{"createCommitOnBranch": nil},
			"errors": []any{map[string]any{"type": typ, "message": msg, "path": []string{"createCommitOnBranch"}}}})
	}
	if err := json.Unmarshal(raw, &q); err != nil || !strings.Contains(q.Query, "createCommitOnBranch") {
		fail("", "the fake GitHub answers createCommitOnBranch and the pull request mutations only")
		return true
	}
	in := q.Variables.Input
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(in.Branch.Repo)]
	if !ok || r.gitDir == "" {
		fail("NOT_FOUND", fmt.Sprintf("Could not resolve to a Repository with the name '%s'.", in.Branch.Repo))
		return true
	}
	ref := "refs/heads/" + in.Branch.Branch
	head, err := git(r.gitDir, nil, nil, "rev-parse", "--verify", "--quiet", ref)
	if err != nil {
		fail("NOT_FOUND", fmt.Sprintf("A ref named %q does not exist.", in.Branch.Branch))
		return true
	}
	if head != in.ExpectedHeadOid {
		fail("STALE_DATA", fmt.Sprintf(graphQLStale, in.ExpectedHeadOid))
		return true
	}
	commit, err := commitFiles(r.gitDir, head, in.Message.Headline, in.Message.Body, in.FileChanges.Additions)
	if err == nil {
		_, err = git(r.gitDir, nil, nil, "update-ref", ref, commit, head)
	}
	if err != nil {
		fail("UNPROCESSABLE", "the commit could not be made: "+err.Error())
		return true
	}
	r.apiCommits = append(r.apiCommits, commit)
	answer(map[string]any{"data": map[string]any{"createCommitOnBranch": map[string]any{
		"commit": map[string]any{"oid": commit, "url": webURL(req) + "/" + r.name + "/commit/" + commit},
	}}})
	return true
}

// commitFiles makes, with git's plumbing in a bare repository, the commit
// on parent that adds the files, authored as an App's bot and committed by
// GitHub, as createCommitOnBranch does.
func commitFiles(dir, parent, headline, body string, files []struct {
	Path     string `json:"path"`
	Contents string `json:"contents"`
}) (string, error) {
	index, err := os.CreateTemp("", "ghfake-index-*")
	if err != nil {
		return "", err
	}
	index.Close()
	defer os.Remove(index.Name())
	env := []string{"GIT_INDEX_FILE=" + index.Name(),
		"GIT_AUTHOR_NAME=" + AppBotName, "GIT_AUTHOR_EMAIL=" + AppBotEmail,
		"GIT_COMMITTER_NAME=" + committerName, "GIT_COMMITTER_EMAIL=" + committerMail}
	if _, err := git(dir, env, nil, "read-tree", parent); err != nil {
		return "", err
	}
	for _, f := range files {
		data, err := base64.StdEncoding.DecodeString(f.Contents)
		if err != nil || f.Path == "" || filepath.IsAbs(f.Path) || strings.Contains(f.Path, "..") {
			return "", fmt.Errorf("file %q: bad path or contents", f.Path)
		}
		blob, err := git(dir, env, data, "hash-object", "-w", "--stdin")
		if err != nil {
			return "", err
		}
		if _, err := git(dir, env, nil, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+f.Path); err != nil {
			return "", err
		}
	}
	tree, err := git(dir, env, nil, "write-tree")
	if err != nil {
		return "", err
	}
	msg := headline
	if body != "" {
		msg += "\n\n" + body
	}
	return git(dir, env, []byte(msg), "commit-tree", tree, "-p", parent)
}
