package ghactions_test

// These tests lint the repository's GitHub Actions files with actionlint's Go
// library (the same checks as the actionlint CLI, minus shellcheck and
// pyflakes, which are not installed here), so `go test` is the CI lint step.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

func init() {
	// GitHub's runner has the job context's workflow_* properties (the
	// workflow file's repository and commit; in a reusable workflow, the
	// called one's), which the reusable workflow checks hashbot out at.
	// actionlint v1.7.12 does not know them yet (rhysd/actionlint#647):
	// teach its job type before linting.
	job := actionlint.BuiltinGlobalVariableTypes["job"].(*actionlint.ObjectType)
	for _, p := range []string{"workflow_ref", "workflow_sha", "workflow_repository", "workflow_file_path"} {
		if _, ok := job.Props[p]; !ok {
			job.Props[p] = actionlint.StringType{}
		}
	}
}

// repoRoot returns the repository root: the nearest parent holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// newLinter returns an actionlint linter with external tools off and its
// own report discarded: tests format the errors themselves.
func newLinter(t *testing.T, root string) (*actionlint.Linter, *actionlint.Project) {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
		Color:      actionlint.ColorOptionKindNever,
		WorkingDir: root,
		Shellcheck: "", // not installed; run scripts are checked by TestRunScriptsTakeNoExpressions
		Pyflakes:   "",
	})
	if err != nil {
		t.Fatalf("creating the actionlint linter: %v", err)
	}
	p, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatalf("reading the actionlint project at %s: %v", root, err)
	}
	return l, p
}

// lint lints content as the workflow at path (which need not exist).
func lint(t *testing.T, root, path string, content []byte) []string {
	t.Helper()
	l, p := newLinter(t, root)
	errs, err := l.Lint(path, content, p)
	if err != nil {
		t.Fatalf("linting %s: %v", path, err)
	}
	var msgs []string
	for _, e := range errs {
		rel, _ := filepath.Rel(root, e.Filepath)
		msgs = append(msgs, fmt.Sprintf("%s:%d:%d: %s [%s]", rel, e.Line, e.Column, e.Message, e.Kind))
	}
	return msgs
}

// workflowFiles returns the repository's workflow files.
func workflowFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(root, ".github", "workflows", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no workflow in %s/.github/workflows", root)
	}
	return files
}

func TestWorkflowsPassActionlint(t *testing.T) {
	root := repoRoot(t)
	for _, path := range workflowFiles(t, root) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			content, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The reusable workflow's steps use hashbot's action from its
			// checkout at the workflow's commit; lint them against this
			// one, whose inputs they must match.
			content = usesSelfCheckout.ReplaceAll(content, []byte("uses: ./"))
			content = usesPinnedByCommit.ReplaceAll(content, []byte("uses: $1@$2"))
			for _, msg := range lint(t, root, path, content) {
				t.Error(msg)
			}
		})
	}
}

// usesThisAction matches a step using this repository's action by name,
// usesSelfCheckout one using it from the reusable workflow's checkout of
// hashbot, and usesThisWorkflow a job calling its reusable workflow, so
// that they can be linted against the local files instead.
// usesPinnedByCommit matches an action pinned by commit SHA with its tag in
// a comment; linted as owner/repo@vMAJOR, actionlint checks its inputs
// against what it knows of that release (it knows popular actions by tag).
var (
	usesThisAction     = regexp.MustCompile(`uses:\s*hashbot-nix/hashbot@\S+`)
	usesSelfCheckout   = regexp.MustCompile(`uses:\s*\./\.hashbot-action\b`)
	usesThisWorkflow   = regexp.MustCompile(`uses:\s*hashbot-nix/hashbot/\.github/workflows/hashbot-reusable\.yml@\S+`)
	usesPinnedByCommit = regexp.MustCompile(`uses:\s*([\w.-]+/[\w./-]+)@[0-9a-f]{40}\s*#\s*(v\d+)\S*`)
)

// docsWorkflows returns the ```yaml blocks of the adoption guide that are
// whole workflows (they have jobs:).
func docsWorkflows(t *testing.T, root string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "github-action.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, part := range strings.Split(string(b), "```yaml\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		if ok && strings.Contains(block, "\njobs:") {
			blocks = append(blocks, block)
		}
	}
	return blocks
}

func TestDocumentedWorkflowsPassActionlint(t *testing.T) {
	root := repoRoot(t)
	blocks := docsWorkflows(t, root)
	if len(blocks) == 0 {
		t.Fatal("docs/github-action.md shows no workflow to lint")
	}
	for i, block := range blocks {
		t.Run(fmt.Sprint("example ", i+1), func(t *testing.T) {
			// Checked against the local action.yml: its inputs must exist.
			local := usesThisAction.ReplaceAllString(block, "uses: ./")
			local = usesThisWorkflow.ReplaceAllString(local, "uses: ./.github/workflows/hashbot-reusable.yml")
			local = usesPinnedByCommit.ReplaceAllString(local, "uses: $1@$2")
			path := filepath.Join(root, ".github", "workflows", fmt.Sprintf("docs-example-%d.yml", i+1))
			for _, msg := range lint(t, root, path, []byte(local)) {
				t.Errorf("%s\nexample:\n%s", msg, block)
			}
		})
	}
}

// TestLinterCatchesMistakes makes sure the lint tests above can fail: the
// linter, as set up here, reports each mistake below.
func TestLinterCatchesMistakes(t *testing.T) {
	root := repoRoot(t)
	tests := []struct {
		name, workflow, wantKind string
	}{
		{
			name:     "script injection",
			wantKind: "expression",
			workflow: `on: issues
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.issue.title }}"
`,
		},
		{
			name:     "unknown input of the local action",
			wantKind: "action",
			workflow: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: ./
        with:
          comand: check
`,
		},
		{
			name:     "unknown input of a popular action pinned by commit",
			wantKind: "action",
			workflow: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v6.1.0
        with:
          persist-credential: false
`,
		},
		{
			name:     "unknown property of the job context",
			wantKind: "expression",
			workflow: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$SHA"
        env:
          SHA: ${{ job.workflow_shaa }}
`,
		},
		{
			name:     "needs an unknown job",
			wantKind: "job-needs",
			workflow: `on: push
jobs:
  a:
    needs: [nope]
    runs-on: ubuntu-latest
    steps:
      - run: "true"
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(root, ".github", "workflows", "mistake.yml")
			// As TestWorkflowsPassActionlint prepares the workflows.
			workflow := usesPinnedByCommit.ReplaceAllString(tt.workflow, "uses: $1@$2")
			msgs := lint(t, root, path, []byte(workflow))
			for _, m := range msgs {
				if strings.HasSuffix(m, "["+tt.wantKind+"]") {
					return
				}
			}
			t.Errorf("no [%s] error; got %q", tt.wantKind, msgs)
		})
	}
}
