package ghactions_test

// Structural checks of the workflow and the composite action that actionlint
// does not make: the shape docs/github-action.md promises, and no
// expression interpolated into a shell script.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v4"
)

// step is the part of a workflow or composite-action step checked here.
type step struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	With  map[string]string `yaml:"with"`
}

// workflow is the part of a workflow file checked here.
type workflow struct {
	On struct {
		WorkflowCall struct {
			Inputs map[string]struct {
				Type    string `yaml:"type"`
				Default any    `yaml:"default"`
			} `yaml:"inputs"`
			Secrets map[string]struct {
				Required bool `yaml:"required"`
			} `yaml:"secrets"`
		} `yaml:"workflow_call"`
		Schedule         []map[string]string `yaml:"schedule"`
		WorkflowDispatch struct {
			Inputs map[string]struct {
				Type string `yaml:"type"`
			} `yaml:"inputs"`
		} `yaml:"workflow_dispatch"`
		RepositoryDispatch struct {
			Types []string `yaml:"types"`
		} `yaml:"repository_dispatch"`
	} `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Concurrency struct {
		Group string `yaml:"group"`
	} `yaml:"concurrency"`
	Jobs map[string]struct {
		Needs       any               `yaml:"needs"`
		Uses        string            `yaml:"uses"`
		With        map[string]any    `yaml:"with"`
		Permissions map[string]string `yaml:"permissions"`
		Strategy    struct {
			Matrix struct {
				Include any `yaml:"include"` // a list, or an expression
			} `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []step `yaml:"steps"`
	} `yaml:"jobs"`
}

// action is the part of action.yml checked here.
type action struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

// decode reads the YAML file at path into v, failing on unknown structure.
func decode(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
}

func TestRunScriptsTakeNoExpressions(t *testing.T) {
	root := repoRoot(t)
	steps := map[string][]step{}
	for _, path := range workflowFiles(t, root) {
		var wf workflow
		decode(t, path, &wf)
		for name, job := range wf.Jobs {
			steps[filepath.Base(path)+" job "+name] = job.Steps
		}
	}
	for i, block := range docsWorkflows(t, root) {
		var wf workflow
		if err := yaml.Unmarshal([]byte(block), &wf); err != nil {
			t.Fatalf("parsing docs/github-action.md example %d: %v", i+1, err)
		}
		for name, job := range wf.Jobs {
			steps[fmt.Sprintf("docs example %d job %s", i+1, name)] = job.Steps
		}
	}
	var act action
	decode(t, filepath.Join(root, "action.yml"), &act)
	steps["action.yml"] = act.Runs.Steps
	for where, ss := range steps {
		for i, s := range ss {
			// An expression in a script is pasted into it before the shell
			// parses it: untrusted text (a tag, an input) would run as code.
			// Scripts read such values from env: instead.
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s, step %d (%s): run script interpolates an expression; pass it through env:", where, i+1, s.Name)
			}
		}
	}
}

// TestWorkflowShape checks this repository's own workflow: it adopts
// hashbot as any other repository would, by calling the reusable workflow,
// on the schedule, by hand and on a relay's dispatch, one run at a time,
// with read-only permissions.
func TestWorkflowShape(t *testing.T) {
	root := repoRoot(t)
	var wf workflow
	decode(t, filepath.Join(root, ".github", "workflows", "hashbot.yml"), &wf)

	if len(wf.On.Schedule) == 0 || wf.On.Schedule[0]["cron"] == "" {
		t.Error("no schedule cron")
	}
	for input, typ := range map[string]string{"version": "string", "dry-run": "boolean", "allow-downgrade": "boolean"} {
		if got := wf.On.WorkflowDispatch.Inputs[input].Type; got != typ {
			t.Errorf("workflow_dispatch input %q has type %q, want %q", input, got, typ)
		}
	}
	if diff := cmp.Diff([]string{"upstream-release"}, wf.On.RepositoryDispatch.Types); diff != "" {
		t.Errorf("repository_dispatch types (-want +got):\n%s", diff)
	}
	if len(wf.Permissions) != 0 {
		t.Errorf("top-level permissions %v: want none, each job asks for its own", wf.Permissions)
	}
	if wf.Concurrency.Group == "" {
		t.Error("no concurrency group: two runs could push at once")
	}
	job, ok := wf.Jobs["hashbot"]
	if len(wf.Jobs) != 1 || !ok || job.Uses != "./.github/workflows/hashbot-reusable.yml" {
		t.Errorf("jobs %v: want one, hashbot, calling ./.github/workflows/hashbot-reusable.yml", wf.Jobs)
	}
	checkReadOnly(t, "hashbot.yml job hashbot", job.Permissions)
}

// checkReadOnly fails for a permission set that writes: the default token
// only reads, the App's token writes.
func checkReadOnly(t *testing.T, where string, perms map[string]string) {
	t.Helper()
	if perms == nil {
		t.Errorf("%s sets no permissions", where)
	}
	for perm, level := range perms {
		if level == "write" {
			t.Errorf("%s: %s: write; the default token only reads, the App token writes", where, perm)
		}
	}
}

// TestReusableWorkflowShape checks what docs/github-action.md promises of
// the reusable workflow: check, compute per platform and publish, each
// reading only; every action pinned (by commit SHA: TestActionsPinnedByCommit),
// hashbot itself from the composite action; the platforms' default the two
// native runners.
func TestReusableWorkflowShape(t *testing.T) {
	root := repoRoot(t)
	var wf workflow
	decode(t, filepath.Join(root, ".github", "workflows", "hashbot-reusable.yml"), &wf)
	var platforms []map[string]any
	def, _ := wf.On.WorkflowCall.Inputs["platforms"].Default.(string)
	if err := json.Unmarshal([]byte(def), &platforms); err != nil {
		t.Fatalf("the platforms input's default %q is not JSON: %v", def, err)
	}
	want := []map[string]any{
		{"runner": "ubuntu-latest", "system": "x86_64-linux"},
		{"runner": "ubuntu-24.04-arm", "system": "aarch64-linux"},
	}
	if diff := cmp.Diff(want, platforms); diff != "" {
		t.Errorf("default platforms (-want +got):\n%s", diff)
	}
	for name, typ := range map[string]string{"platforms": "string", "version": "string", "dry-run": "boolean", "allow-downgrade": "boolean", "fix": "string", "pull-request": "string",
		"repo": "string", "app-id": "string"} {
		if got := wf.On.WorkflowCall.Inputs[name].Type; got != typ {
			t.Errorf("input %q has type %q, want %q", name, got, typ)
		}
	}
	if _, ok := wf.On.WorkflowCall.Secrets["app-private-key"]; !ok {
		t.Error("no app-private-key secret")
	}
	if len(wf.Permissions) != 0 {
		t.Errorf("top-level permissions %v: want none", wf.Permissions)
	}
	var jobs []string
	for name, job := range wf.Jobs {
		jobs = append(jobs, name)
		checkReadOnly(t, "job "+name, job.Permissions)
		for _, s := range job.Steps {
			if s.Uses != "" && !strings.HasPrefix(s.Uses, "./") && !strings.Contains(s.Uses, "@") {
				t.Errorf("job %s: %s is not pinned to a version", name, s.Uses)
			}
			// upload-artifact refuses a name that exists in the run, and
			// "Re-run failed jobs" is the same run.
			if strings.HasPrefix(s.Uses, "actions/upload-artifact@") && s.With["overwrite"] != "true" {
				t.Errorf("job %s: %s without overwrite: true fails when the job is re-run", name, s.Uses)
			}
			if s.Run != "" && strings.Contains(s.Run, "go build") {
				t.Errorf("job %s builds hashbot itself; the composite action does, from its own checkout", name)
			}
		}
	}
	slices.Sort(jobs)
	if diff := cmp.Diff([]string{"check", "compute", "fix-compute", "fix-push", "fix-refresh", "publish"}, jobs); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
	for _, name := range []string{"compute", "fix-compute"} {
		if include, ok := wf.Jobs[name].Strategy.Matrix.Include.(string); !ok || !strings.Contains(include, "fromJSON(inputs.platforms)") {
			t.Errorf("%s matrix include = %v, want the platforms input", name, wf.Jobs[name].Strategy.Matrix.Include)
		}
	}
	// One artifact per system, every one of them downloaded, for the
	// release flow and for fix alike.
	for _, flow := range []struct{ compute, merge, prefix string }{
		{"compute", "publish", "hashbot-results-"},
		{"fix-compute", "fix-push", "hashbot-fix-results-"},
	} {
		if got := stepWith(wf.Jobs[flow.compute].Steps, "actions/upload-artifact@", "name"); got != flow.prefix+"${{ matrix.system }}" {
			t.Errorf("%s uploads %q, want %s<system>", flow.compute, got, flow.prefix)
		}
		if got := stepWith(wf.Jobs[flow.merge].Steps, "actions/download-artifact@", "pattern"); got != flow.prefix+"*" ||
			stepWith(wf.Jobs[flow.merge].Steps, "actions/download-artifact@", "merge-multiple") != "true" {
			t.Errorf("%s downloads %q, want every %s* merged into one directory", flow.merge, got, flow.prefix)
		}
	}
}

func TestActionMetadata(t *testing.T) {
	root := repoRoot(t)
	var act action
	decode(t, filepath.Join(root, "action.yml"), &act)
	if act.Name == "" || act.Description == "" {
		t.Error("action.yml needs a name and a description (the Marketplace shows them)")
	}
	for _, in := range []string{"command", "version", "allow-downgrade", "dry-run", "system", "fods", "sources", "results", "repo", "token", "go-version"} {
		i, ok := act.Inputs[in]
		if !ok {
			t.Errorf("input %q missing", in)
		} else if i.Description == "" {
			t.Errorf("input %q has no description", in)
		}
	}
	if act.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", act.Runs.Using)
	}
	ids := map[string]bool{}
	for i, s := range act.Runs.Steps {
		switch {
		case s.Run != "" && s.Shell == "":
			t.Errorf("step %d (%s): a composite action's run step needs shell:", i+1, s.Name)
		case s.Run == "" && s.Uses == "":
			t.Errorf("step %d (%s): neither run nor uses", i+1, s.Name)
		}
		if s.ID != "" {
			ids[s.ID] = true
		}
	}
	for name, out := range act.Outputs {
		id, _, _ := strings.Cut(strings.TrimPrefix(out.Value, "${{ steps."), ".")
		if !ids[id] {
			t.Errorf("output %q reads step %q, which does not exist", name, id)
		}
	}
	// setup-go's cache looks for go.sum in the workspace; hashbot's is in
	// the action's checkout, so that cache would silently never work.
	for i, s := range act.Runs.Steps {
		if strings.HasPrefix(s.Uses, "actions/setup-go@") && s.With["cache"] != "false" {
			t.Errorf("step %d (%s): setup-go's cache on; it cannot find go.sum outside the workspace", i+1, s.Name)
		}
	}
}

// stepWith is the with: key of the first step using the action uses.
func stepWith(steps []step, uses, key string) string {
	for _, s := range steps {
		if strings.HasPrefix(s.Uses, uses) {
			return s.With[key]
		}
	}
	return ""
}
