package webhook

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// maxPullNumber bounds a pull request number: GitHub's are far below it,
// and it fits every int.
const maxPullNumber = 1<<31 - 1

// pullActions are the pull_request actions that move a pull request's head
// (or bring it back): each queues a fix.
var pullActions = []string{"opened", "synchronize", "reopened"}

// classifyPull decides whether a pull_request delivery asks for a fix: an
// opened, synchronized or reopened pull request of the packaging
// repository (Options.FixRepo), whose number is a well-formed positive
// integer, the same at the top level and in pull_request. Whether it comes
// from a fork is the Runner's to find out from GitHub, not the payload's to
// say.
func (s *Server) classifyPull(p payload) match {
	if s.opts.FixRepo == "" {
		return match{Ignored: "fixing pull requests is not enabled ([fix] enabled)"}
	}
	if !oneOf(p.Action, pullActions) {
		return match{Ignored: fmt.Sprintf("pull_request action is not one of %s", strings.Join(pullActions, ", "))}
	}
	if p.Repository == nil || !strings.EqualFold(p.Repository.FullName, s.opts.FixRepo) {
		return match{Ignored: "pull request is not in the packaging repository"}
	}
	n, err := pullNumber(p.Number)
	if err != nil {
		return match{Ignored: fmt.Sprintf("pull_request number: %v", err)}
	}
	if p.PullRequest == nil {
		return match{Ignored: "pull_request delivery has no pull_request"}
	}
	if inner, err := pullNumber(p.PullRequest.Number); err != nil || inner != n {
		return match{Ignored: "pull_request.number does not match the delivery's number"}
	}
	return match{PullRequest: n}
}

// pullNumber parses a pull request number strictly: a JSON integer of
// decimal digits, no sign, fraction, exponent, leading zero or string, from
// 1 to maxPullNumber.
func pullNumber(raw json.RawMessage) (int, error) {
	s := string(raw)
	if s == "" || s == "null" {
		return 0, fmt.Errorf("missing")
	}
	if len(s) > 10 || strings.Trim(s, "0123456789") != "" || s[0] == '0' {
		return 0, fmt.Errorf("%.20q is not a positive decimal integer", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxPullNumber {
		return 0, fmt.Errorf("%.20q is out of range", s)
	}
	return int(n), nil
}
