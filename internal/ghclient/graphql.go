package ghclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"
)

// GraphQLPath is the GraphQL endpoint relative to gh's REST root:
// api.github.com/graphql, or /api/graphql on GitHub Enterprise Server
// (whose REST root is /api/v3/).
func GraphQLPath(gh *github.Client) string {
	if strings.HasSuffix(gh.BaseURL.Path, "/api/v3/") {
		return "../graphql"
	}
	return "graphql"
}

// GraphQLError is the first error of a GraphQL answer (its "errors").
type GraphQLError struct {
	// Type is GitHub's error type ("NOT_FOUND", "UNPROCESSABLE"); may be "".
	Type    string `json:"type"`
	Message string `json:"message"`
}

func (e *GraphQLError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("GitHub GraphQL: %s: %.300s", e.Type, e.Message)
	}
	return fmt.Sprintf("GitHub GraphQL: %.300s", e.Message)
}

// GraphQL sends one query or mutation with its variables through gh and
// decodes the answer's data into data; an answer with errors is a
// *GraphQLError (its first).
func GraphQL(ctx context.Context, gh *github.Client, query string, variables map[string]any, data any) error {
	req, err := gh.NewRequest(http.MethodPost, GraphQLPath(gh), map[string]any{"query": query, "variables": variables})
	if err != nil {
		return err
	}
	answer := struct {
		Data   any            `json:"data"`
		Errors []GraphQLError `json:"errors"`
	}{Data: data}
	if _, err := gh.Do(ctx, req, &answer); err != nil {
		return err
	}
	if len(answer.Errors) > 0 {
		return &answer.Errors[0]
	}
	return nil
}
