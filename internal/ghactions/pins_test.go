package ghactions_test

// Pinned all the way down: every action the workflows and action.yml use is
// either a path in the run's own checkout or a full commit SHA, with the
// release tag in a comment for people and Dependabot; the reusable workflow
// runs hashbot's action from its own checkout at job.workflow_sha, never
// hashbot-nix/hashbot@<tag>, which would run whatever the tag points at
// with the App's token.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// usesRef is one uses: of a step or a job, where it is and the comment at
// the end of its line.
type usesRef struct {
	where, uses, comment string
}

// findUses returns every uses: in the YAML document src, wherever it is
// nested (jobs, steps, composite steps).
func findUses(t *testing.T, name string, src []byte) []usesRef {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	var refs []usesRef
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "uses" && v.Kind == yaml.ScalarNode {
					comment := v.LineComment
					if comment == "" {
						comment = k.LineComment
					}
					refs = append(refs, usesRef{where: fmt.Sprintf("%s:%d", name, v.Line), uses: v.Value, comment: comment})
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return refs
}

var (
	commitSHA  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	tagComment = regexp.MustCompile(`^#\s*v\d+(\.\d+)*(\S*)$`)
	// thisRepo is hashbot's own repository: its action and reusable
	// workflow are used from the run's own checkout, never by a ref.
	thisRepo = "hashbot-nix/hashbot"
)

// pinProblem says what is wrong with the pin of one uses:, or "" when it
// is a local path or a full commit SHA with the tag in a comment.
// allowThisRepo lets hashbot's own action and workflow be named by a ref
// (the caller's side, in the docs).
func pinProblem(uses, comment string, allowThisRepo bool) string {
	switch {
	case strings.HasPrefix(uses, "./"):
		return ""
	case strings.HasPrefix(uses, "docker://"):
		if !strings.Contains(uses, "@sha256:") {
			return "a container image by tag: pin it by digest (docker://image@sha256:…)"
		}
		return ""
	}
	name, ref, ok := strings.Cut(uses, "@")
	if !ok {
		return "no ref"
	}
	parts := strings.Split(name, "/")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "not owner/repo@ref"
	}
	if strings.EqualFold(parts[0]+"/"+parts[1], thisRepo) {
		if allowThisRepo {
			return ""
		}
		return "hashbot's own action by a ref runs whatever that ref points at; use the run's own checkout (./.hashbot-action at job.workflow_sha, or ./)"
	}
	if !commitSHA.MatchString(ref) {
		return fmt.Sprintf("%q is not a full commit SHA: a tag or branch can be moved under the workflow", ref)
	}
	if !tagComment.MatchString(strings.TrimSpace(comment)) {
		return fmt.Sprintf("no tag comment (got %q): write the release after it, # vX.Y.Z, for readers and Dependabot", comment)
	}
	return ""
}

// actionFiles returns the workflows and action.yml, by their path from the
// repository root.
func actionFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, path := range append(workflowFiles(t, root), filepath.Join(root, "action.yml")) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		files[rel] = b
	}
	return files
}

// TestActionsPinnedByCommit fails for any uses: in .github/workflows or
// action.yml that names a third-party action by anything but a full commit
// SHA with its tag in a comment, or hashbot's own action by a ref; and for
// one action pinned at two commits (Dependabot moves them together).
func TestActionsPinnedByCommit(t *testing.T) {
	root := repoRoot(t)
	pins := map[string]map[string][]string{} // action → "SHA # tag" → where
	for name, src := range actionFiles(t, root) {
		refs := findUses(t, name, src)
		if len(refs) == 0 {
			t.Errorf("%s: no uses: found; is the walk wrong?", name)
		}
		for _, r := range refs {
			if p := pinProblem(r.uses, r.comment, false); p != "" {
				t.Errorf("%s: uses: %s: %s", r.where, r.uses, p)
				continue
			}
			if action, sha, ok := strings.Cut(r.uses, "@"); ok {
				if pins[action] == nil {
					pins[action] = map[string][]string{}
				}
				pin := sha + " " + strings.TrimSpace(r.comment)
				pins[action][pin] = append(pins[action][pin], r.where)
			}
		}
	}
	for action, at := range pins {
		if len(at) > 1 {
			t.Errorf("%s is pinned at %d commits, want one: %v", action, len(at), at)
		}
	}
}

// TestDocumentedActionsPinnedByCommit holds the docs' examples to the same
// rule for third-party actions (create-github-app-token handles the App's
// key). hashbot's own action and workflow may be shown by tag there: the
// text says to pin them by SHA, which cannot be known before a release.
// Their SHAs are not required to match the workflows': Dependabot updates
// the workflows, not the docs.
func TestDocumentedActionsPinnedByCommit(t *testing.T) {
	root := repoRoot(t)
	for i, block := range docsWorkflows(t, root) {
		for _, r := range findUses(t, fmt.Sprintf("docs/github-action.md example %d", i+1), []byte(block)) {
			if p := pinProblem(r.uses, r.comment, true); p != "" {
				t.Errorf("%s: uses: %s: %s", r.where, r.uses, p)
			}
		}
	}
}

// TestPinCheckCatchesMistakes makes sure the pin tests above can fail.
func TestPinCheckCatchesMistakes(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	src := `steps:
  - uses: actions/checkout@v6
  - uses: actions/checkout@` + sha + `
  - uses: actions/checkout@` + sha[:12] + ` # v6.1.0
  - uses: actions/checkout@main # v6.1.0
  - uses: hashbot-nix/hashbot@v1
  - uses: hashbot-nix/hashbot@` + sha + ` # v1.2.0
  - uses: docker://alpine:3.22
  - uses: actions/cache@` + sha + ` # v5.0.5
  - uses: ./.hashbot-action
  - uses: docker://alpine@sha256:` + strings.Repeat("0", 64) + `
`
	var bad []string
	for _, r := range findUses(t, "mistakes.yml", []byte(src)) {
		if pinProblem(r.uses, r.comment, false) != "" {
			bad = append(bad, r.uses)
		}
	}
	want := []string{
		"actions/checkout@v6",
		"actions/checkout@" + sha,
		"actions/checkout@" + sha[:12],
		"actions/checkout@main",
		"hashbot-nix/hashbot@v1",
		"hashbot-nix/hashbot@" + sha,
		"docker://alpine:3.22",
	}
	if !slices.Equal(bad, want) {
		t.Errorf("flagged %q\nwant    %q", bad, want)
	}
	// A caller's pin of hashbot itself, in the docs, may be a tag.
	if p := pinProblem("hashbot-nix/hashbot/.github/workflows/hashbot-reusable.yml@v1", "", true); p != "" {
		t.Errorf("the docs' pin of hashbot flagged: %s", p)
	}
}

// TestReusableWorkflowRunsItsOwnCommit checks how the reusable workflow
// gets hashbot: in every job that runs it, after the caller's checkout, a
// step refuses a runner that does not say the workflow's commit, then
// hashbot is checked out at job.workflow_sha into .hashbot-action, and only
// then is ./.hashbot-action used.
func TestReusableWorkflowRunsItsOwnCommit(t *testing.T) {
	root := repoRoot(t)
	var wf workflow
	decode(t, filepath.Join(root, ".github", "workflows", "hashbot-reusable.yml"), &wf)
	const self = "./.hashbot-action"
	for name, job := range wf.Jobs {
		callerCheckout, guard, selfCheckout, firstUse := -1, -1, -1, -1
		for i, s := range job.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["repository"] == "" && callerCheckout < 0:
				callerCheckout = i
			case strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["path"] == strings.TrimPrefix(self, "./"):
				selfCheckout = i
				want := map[string]string{
					"repository":          "${{ job.workflow_repository }}",
					"ref":                 "${{ job.workflow_sha }}",
					"persist-credentials": "false",
				}
				for k, v := range want {
					if s.With[k] != v {
						t.Errorf("job %s, step %d (%s): %s: %q, want %q", name, i+1, s.Name, k, s.With[k], v)
					}
				}
			case s.Run != "" && strings.Contains(s.Run, "WORKFLOW_SHA") && strings.Contains(s.Run, "exit 1"):
				guard = i
			case s.Uses == self && firstUse < 0:
				firstUse = i
			}
		}
		if firstUse < 0 {
			t.Errorf("job %s does not run hashbot's action from %s", name, self)
			continue
		}
		if !(callerCheckout >= 0 && callerCheckout < guard && guard < selfCheckout && selfCheckout < firstUse) {
			t.Errorf("job %s: steps caller checkout %d, commit guard %d, hashbot checkout %d, first use %d: want them in that order (the caller's checkout first: it empties the workspace)",
				name, callerCheckout+1, guard+1, selfCheckout+1, firstUse+1)
		}
	}
}

// TestDependabotKeepsPinsCurrent checks .github/dependabot.yml: the
// github-actions ecosystem at the root (it reads .github/workflows and
// action.yml there), hashbot's Go modules, and the root flake's inputs
// (flake.lock), whose pull requests hashbot fix then fixes.
func TestDependabotKeepsPinsCurrent(t *testing.T) {
	root := repoRoot(t)
	var cfg struct {
		Version int `yaml:"version"`
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
			Directory string `yaml:"directory"`
			Schedule  struct {
				Interval string `yaml:"interval"`
			} `yaml:"schedule"`
		} `yaml:"updates"`
	}
	decode(t, filepath.Join(root, ".github", "dependabot.yml"), &cfg)
	if cfg.Version != 2 {
		t.Errorf("version %d, want 2", cfg.Version)
	}
	got := map[string]bool{}
	for _, u := range cfg.Updates {
		if u.Schedule.Interval == "" {
			t.Errorf("%s: no schedule interval", u.Ecosystem)
		}
		got[u.Ecosystem+" "+u.Directory] = true
	}
	for _, want := range []string{"github-actions /", "gomod /", "nix /"} {
		if !got[want] {
			t.Errorf("no update for %s; have %v", want, got)
		}
	}
}
