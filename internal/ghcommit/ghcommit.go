// Package ghcommit makes hashbot's commit through GitHub's API instead of
// git: GitHub signs a commit created with the GraphQL createCommitOnBranch
// mutation (and attributes it to the token's App), which repositories whose
// branch rules require signed commits accept. The branch is first put at
// the base commit (REST git refs), then the commit is made on it with
// expectedHeadOid set to the base: a branch that moved in between is
// refused by GitHub, not overwritten.
package ghcommit

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/hashbot-nix/hashbot/internal/ghclient"

	"github.com/hashbot-nix/hashbot/internal/ghrepo"
)

// Committer commits on one repository.
type Committer struct {
	gh          *github.Client
	owner, repo string
}

// New returns a Committer for owner/repo; it makes no request.
func New(gh *github.Client, owner, repo string) (*Committer, error) {
	if gh == nil || !ghrepo.ValidPart(owner) || !ghrepo.ValidPart(repo) {
		return nil, fmt.Errorf("committing through GitHub's API: want a client and owner/name, got %q/%q", owner, repo)
	}
	return &Committer{gh: gh, owner: owner, repo: repo}, nil
}

// Request is one commit of the files of the pins.
type Request struct {
	// Branch is the branch to commit on; Base the commit it starts from
	// (40 hex digits); Seen the branch's commit when the caller last
	// looked, "" when it did not exist.
	Branch, Base, Seen string
	// Files are the files changed, by path, with what each holds after
	// the commit.
	Files map[string][]byte
	// Headline and Body are the commit message.
	Headline, Body string
}

// MovedError says the branch moved while the commit was being made:
// someone pushed to it, and nothing of theirs was overwritten.
type MovedError struct {
	Branch string
	Reason string
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("branch %s moved while hashbot committed on it: %s", e.Branch, e.Reason)
}

// Commit puts req.Branch at req.Base and commits req.Files on it,
// returning the new commit's id.
func (c *Committer) Commit(ctx context.Context, req Request) (string, error) {
	ref := "refs/heads/" + req.Branch
	switch req.Seen {
	case "":
		_, _, err := c.gh.Git.CreateRef(ctx, c.owner, c.repo, &github.Reference{Ref: github.String(ref), Object: &github.GitObject{SHA: github.String(req.Base)}})
		if isStatus(err, http.StatusUnprocessableEntity) {
			return "", &MovedError{Branch: req.Branch, Reason: "it was created meanwhile"}
		}
		if err != nil {
			return "", fmt.Errorf("creating branch %s at %.12s: %w", req.Branch, req.Base, err)
		}
	case req.Base:
	default:
		// hashbot's own branch, on an older base: started again from the
		// new one, as a force push of its own commit would.
		if _, _, err := c.gh.Git.UpdateRef(ctx, c.owner, c.repo, &github.Reference{Ref: github.String(ref), Object: &github.GitObject{SHA: github.String(req.Base)}}, true); err != nil {
			return "", fmt.Errorf("moving branch %s to %.12s: %w", req.Branch, req.Base, err)
		}
	}
	return c.createCommitOnBranch(ctx, req)
}

const createCommitOnBranch = `mutation ($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`

func (c *Committer) createCommitOnBranch(ctx context.Context, req Request) (string, error) {
	paths := slices.Sorted(maps.Keys(req.Files))
	additions := make([]any, 0, len(paths))
	for _, p := range paths {
		additions = append(additions, map[string]any{"path": p, "contents": base64.StdEncoding.EncodeToString(req.Files[p])})
	}
	what := strings.Join(paths, ", ")
	body := map[string]any{
		"query": createCommitOnBranch,
		"variables": map[string]any{"input": map[string]any{
			"branch":          map[string]any{"repositoryNameWithOwner": c.owner + "/" + c.repo, "branchName": req.Branch},
			"expectedHeadOid": req.Base,
			"message":         map[string]any{"headline": req.Headline, "body": req.Body},
			"fileChanges":     map[string]any{"additions": additions},
		}},
	}
	hr, err := c.gh.NewRequest(http.MethodPost, ghclient.GraphQLPath(c.gh), body)
	if err != nil {
		return "", err
	}
	var answer struct {
		Data struct {
			CreateCommitOnBranch *struct {
				Commit struct {
					OID string `json:"oid"`
				} `json:"commit"`
			} `json:"createCommitOnBranch"`
		} `json:"data"`
		Errors []struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := c.gh.Do(ctx, hr, &answer); err != nil {
		return "", fmt.Errorf("committing %s on %s through GitHub's API: %w", what, req.Branch, err)
	}
	if len(answer.Errors) > 0 {
		e := answer.Errors[0]
		if strings.Contains(e.Message, "Expected branch to point to") || e.Type == "STALE_DATA" {
			return "", &MovedError{Branch: req.Branch, Reason: e.Message}
		}
		return "", fmt.Errorf("committing %s on %s through GitHub's API: %.200s", what, req.Branch, e.Message)
	}
	cc := answer.Data.CreateCommitOnBranch
	if cc == nil || len(cc.Commit.OID) != 40 || strings.Trim(cc.Commit.OID, "0123456789abcdef") != "" {
		return "", errors.New("committing through GitHub's API: GitHub's answer names no commit")
	}
	return cc.Commit.OID, nil
}

func isStatus(err error, code int) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == code
}
