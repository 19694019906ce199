package webhook

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/version"
)

// payload holds the few fields of a delivery that decide what to do.
type payload struct {
	Action string `json:"action"`
	// Number is a pull_request delivery's pull request number, kept raw to
	// be parsed strictly (pullNumber).
	Number  json.RawMessage `json:"number,omitempty"`
	Ref     string          `json:"ref"`
	RefType string          `json:"ref_type"`
	Deleted bool            `json:"deleted"`
	Release *struct {
		TagName    string `json:"tag_name"`
		Prerelease bool   `json:"prerelease"`
	} `json:"release"`
	PullRequest *struct {
		Number json.RawMessage `json:"number"`
	} `json:"pull_request"`
	Repository *struct {
		FullName string `json:"full_name"`
		// DefaultBranch is a push delivery's repository's default branch:
		// the base a refresh watches when Options.FixBase is "".
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
	// ClientPayload is a repository_dispatch's: the version a relay
	// announces, or its tag.
	ClientPayload *struct {
		Version string `json:"version"`
		Tag     string `json:"tag"`
	} `json:"client_payload"`
}

// decodePayload decodes a verified body. GitHub sends JSON, or a form with
// the JSON in its "payload" field when the hook's content type is
// application/x-www-form-urlencoded.
func decodePayload(contentType string, body []byte) (payload, error) {
	var p payload
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return p, fmt.Errorf("decoding form body: %w", err)
		}
		body = []byte(form.Get("payload"))
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, fmt.Errorf("decoding JSON payload: %w", err)
	}
	return p, nil
}

// match is what a delivery means for the queue: a version to run, a pull
// request to fix, or the reason it is ignored.
type match struct {
	Tag         string
	Version     string
	PullRequest int // a pull_request delivery's: the pull request to fix
	// BaseMoved: a push to the packaging repository's base branch, which
	// queues a refresh of the pull requests hashbot fixed (basepush.go).
	BaseMoved bool
	Ignored   string // non-empty: why no job is queued
}

// classify decides whether the event announces a new upstream version: a
// tag or release of the upstream or of one of its mirrors, or a relay's
// repository_dispatch.
func (s *Server) classify(event string, p payload) match {
	from := ""
	if p.Repository != nil {
		from = p.Repository.FullName
	}
	var tag, rest string
	if event == "pull_request" {
		return s.classifyPull(p)
	}
	if m, ok := s.classifyBasePush(event, p); ok {
		return m
	}
	if s.opts.UpstreamRepo == "" {
		return match{Ignored: "no upstream repository: only pull_request deliveries and pushes to the base branch are handled"}
	}
	if event == "repository_dispatch" {
		if !oneOf(from, s.opts.Relays) {
			return match{Ignored: "repository_dispatch from a repository that is not a configured relay"}
		}
		if p.Action != s.opts.DispatchType {
			return match{Ignored: fmt.Sprintf("repository_dispatch type is not %q", s.opts.DispatchType)}
		}
		if p.ClientPayload == nil || p.ClientPayload.Version == "" && p.ClientPayload.Tag == "" {
			return match{Ignored: "repository_dispatch has no client_payload.version or tag"}
		}
		rest, tag = p.ClientPayload.Version, s.opts.TagPrefix+p.ClientPayload.Version
		if rest == "" {
			tag = p.ClientPayload.Tag
		}
	} else {
		var why string
		if tag, why = tagOf(event, p); why != "" {
			return match{Ignored: why}
		}
		if !strings.EqualFold(from, s.opts.UpstreamRepo) && !oneOf(from, s.opts.Mirrors) {
			return match{Tag: tag, Ignored: "not the upstream repository or a configured mirror"}
		}
	}
	if rest == "" {
		var ok bool
		if rest, ok = strings.CutPrefix(tag, s.opts.TagPrefix); !ok {
			return match{Tag: tag, Ignored: fmt.Sprintf("tag does not start with %q", s.opts.TagPrefix)}
		}
	}
	if _, ok := version.Parse(rest); !ok {
		return match{Tag: tag, Ignored: "tag does not name a version"}
	}
	if !s.opts.IncludePrereleases && isPrerelease(rest, p) {
		return match{Tag: tag, Ignored: "pre-release (include-prereleases is off)"}
	}
	return match{Tag: tag, Version: rest}
}

// oneOf says whether repo is one of repos, ignoring case as GitHub does.
func oneOf(repo string, repos []string) bool {
	for _, r := range repos {
		if strings.EqualFold(repo, r) {
			return true
		}
	}
	return false
}

// isPrerelease reports whether v has a pre-release part or the delivery's
// release is marked as a prerelease (GitHub sends "published" for those too).
func isPrerelease(v string, p payload) bool {
	parsed, _ := version.Parse(v)
	return parsed.Prerelease() || (p.Release != nil && p.Release.Prerelease)
}

// tagOf returns the tag an event is about, or why the event is not one
// hashbot acts on.
func tagOf(event string, p payload) (tag, ignored string) {
	switch event {
	case "release":
		if p.Action != "published" && p.Action != "released" {
			return "", "release action is not published or released"
		}
		if p.Release == nil || p.Release.TagName == "" {
			return "", "release has no tag_name"
		}
		return p.Release.TagName, ""
	case "create":
		if p.RefType != "tag" {
			return "", "created ref is not a tag"
		}
		return p.Ref, ""
	case "push":
		tag, ok := strings.CutPrefix(p.Ref, "refs/tags/")
		switch {
		case !ok:
			return "", "push is not to a tag"
		case p.Deleted:
			return "", "push deletes the tag"
		}
		return tag, ""
	}
	return "", "event is not release, create, push, repository_dispatch or pull_request"
}
