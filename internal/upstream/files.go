package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"
)

// rawMediaType asks the contents API for the file's bytes, which works for
// files up to 100 MB (the JSON form leaves out content above 1 MB).
const rawMediaType = "application/vnd.github.raw+json"

// MissingFileError says a file is not in the repository at a ref, or the ref
// itself is gone.
type MissingFileError struct {
	Repo, Ref, Path string
	// RefMissing is true when GitHub knows no such ref (a deleted tag).
	RefMissing bool
	// Message is GitHub's message.
	Message string
}

func (e *MissingFileError) Error() string {
	if e.RefMissing {
		return fmt.Sprintf("%s: ref %s does not exist (deleted tag?), so %s cannot be read: %s", e.Repo, e.Ref, e.Path, e.Message)
	}
	return fmt.Sprintf("%s has no file %s at %s (check inputs in hashbot.toml)", e.Repo, e.Path, e.Ref)
}

// readFile returns path's content in owner/name at ref.
func (c *Checker) readFile(ctx context.Context, owner, name, ref, path string) ([]byte, error) {
	u := fmt.Sprintf("repos/%s/%s/contents/%s?ref=%s", owner, name, escapePath(path), url.QueryEscape(ref))
	req, err := c.gh.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", path, ref, err)
	}
	req.Header.Set("Accept", rawMediaType)
	var buf bytes.Buffer
	resp, err := c.gh.Do(ctx, req, &buf)
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
		return nil, &MissingFileError{Repo: owner + "/" + name, Ref: ref, Path: path, Message: er.Message,
			RefMissing: strings.Contains(strings.ToLower(er.Message), "no commit found")}
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s of %s/%s: %w", path, ref, owner, name, err)
	}
	if why := notRawFile(resp.Header.Get("Content-Type"), buf.Bytes()); why != "" {
		return nil, fmt.Errorf("reading %s at %s of %s/%s: GitHub answered with %s, not the file's bytes; "+
			"nothing was recorded (a proxy or captive portal in the way?)", path, ref, owner, name, why)
	}
	return buf.Bytes(), nil
}

// notRawFile says why an answer to a raw contents request is not the file
// itself, or returns "": an HTML page (a login or error page of a proxy),
// or the contents API's JSON object with the file base64-encoded in it
// (the raw media type ignored).
func notRawFile(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	switch {
	case mt == "text/html" || bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html")):
		return "an HTML page"
	case mt == "application/json" || bytes.HasPrefix(head, []byte("{")):
		var obj struct {
			Type     string  `json:"type"`
			Encoding *string `json:"encoding"`
			Content  *string `json:"content"`
		}
		if json.Unmarshal(body, &obj) == nil && obj.Encoding != nil && obj.Content != nil && obj.Type != "" {
			return "the contents API's JSON object (" + *obj.Encoding + " content)"
		}
	}
	return ""
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// fetched is one file read at a ref; err is set when it could not be.
type fetched struct {
	data []byte
	err  error
}

// readFiles reads paths at ref one after the other: GitHub asks integrators
// to make requests serially, not concurrently, to stay clear of its
// secondary rate limits (Best practices for using the REST API).
func (c *Checker) readFiles(ctx context.Context, owner, name, ref string, paths []string) map[string]fetched {
	out := make(map[string]fetched, len(paths))
	for _, p := range paths {
		data, err := c.readFile(ctx, owner, name, ref, p)
		out[p] = fetched{data: data, err: err}
	}
	return out
}
