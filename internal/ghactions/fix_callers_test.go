package ghactions_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v4"
)

// usesDocumentedWorkflow matches the documented callers' `uses:` line, whose
// pin is a placeholder (`@<40-hex SHA> # v1.x.y`), to the end of the line.
var usesDocumentedWorkflow = regexp.MustCompile(`uses:\s*hashbot-nix/hashbot/\.github/workflows/hashbot-reusable\.yml@.*`)

// fixDocsCallers returns docs/fix.md's caller workflows by the file name
// their first line gives (# .github/workflows/NAME).
func fixDocsCallers(t *testing.T, root string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "fix.md"))
	if err != nil {
		t.Fatal(err)
	}
	callers := map[string]string{}
	for _, part := range strings.Split(string(b), "```yaml\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		first, _, _ := strings.Cut(block, "\n")
		if name, ok := strings.CutPrefix(first, "# .github/workflows/"); ok {
			callers[name] = block
		}
	}
	return callers
}

// TestFixCallersAreTheDocumentedOnes: hashbot fixes its own dependency pull
// requests with docs/fix.md's three callers (compute, push, and the refresh
// when main moves). Each workflow is the documented
// one but for the reusable workflow, called by path here as hashbot.yml
// calls it (another repository pins it by SHA), and the paths compute
// watches, which are this repository's FODs' inputs: at least what
// Dependabot bumps (go.mod, go.sum, flake.lock) and the Go imports that
// hashbot-vendor fingerprints.
func TestFixCallersAreTheDocumentedOnes(t *testing.T) {
	root := repoRoot(t)
	docs := fixDocsCallers(t, root)
	for _, name := range []string{"hashbot-fix-compute.yml", "hashbot-fix-push.yml", "hashbot-fix-refresh.yml"} {
		t.Run(name, func(t *testing.T) {
			block, ok := docs[name]
			if !ok {
				t.Fatalf("docs/fix.md shows no caller %s; it shows %v", name, slices.Sorted(maps.Keys(docs)))
			}
			var want, got map[string]any
			local := usesDocumentedWorkflow.ReplaceAllString(block, "uses: ./.github/workflows/hashbot-reusable.yml")
			if err := yaml.Unmarshal([]byte(local), &want); err != nil {
				t.Fatalf("docs/fix.md's %s: %v", name, err)
			}
			decode(t, filepath.Join(root, ".github", "workflows", name), &got)
			paths := takePaths(want)
			if have := takePaths(got); paths != nil {
				for _, p := range []string{"go.mod", "go.sum", "flake.lock", "**.go"} {
					if !slices.Contains(have, p) {
						t.Errorf("on.pull_request.paths %v: no %q", have, p)
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s differs from docs/fix.md's caller (-docs +repo):\n%s", name, diff)
			}
		})
	}
}

// takePaths removes on.pull_request.paths from a workflow and returns it
// (nil when there is none).
func takePaths(wf map[string]any) []string {
	on, _ := wf["on"].(map[string]any)
	pr, _ := on["pull_request"].(map[string]any)
	raw, ok := pr["paths"].([]any)
	if !ok {
		return nil
	}
	delete(pr, "paths")
	paths := make([]string, 0, len(raw))
	for _, p := range raw {
		s, _ := p.(string)
		paths = append(paths, s)
	}
	return paths
}
