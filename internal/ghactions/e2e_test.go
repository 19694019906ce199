package ghactions_test

// An end-to-end run of the reusable workflow as a packaging repository
// adopts it: every step's exact script, in order, job after job, with the
// composite action's own steps, in a checkout of the examples repository
// (not hashbot's), against the stand-in GitHub, real Nix and a bare remote.
// The actions GitHub provides (checkout, artifacts, the App token) are
// played by the runner below; expressions are evaluated with actionlint's
// parser.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// e2eStep is a workflow or composite-action step as the runner reads it.
type e2eStep struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
}

type e2eJob struct {
	If       string `yaml:"if"`
	Strategy struct {
		Matrix struct {
			Include string `yaml:"include"`
		} `yaml:"matrix"`
	} `yaml:"strategy"`
	Outputs map[string]string `yaml:"outputs"`
	Steps   []e2eStep         `yaml:"steps"`
}

type e2eWorkflow struct {
	On struct {
		WorkflowCall struct {
			Inputs map[string]struct {
				Type    string `yaml:"type"`
				Default any    `yaml:"default"`
			} `yaml:"inputs"`
		} `yaml:"workflow_call"`
	} `yaml:"on"`
	Env  map[string]string `yaml:"env"`
	Jobs map[string]e2eJob `yaml:"jobs"`
}

type e2eAction struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Steps []e2eStep `yaml:"steps"`
	} `yaml:"runs"`
}

// The reusable workflow's own repository and commit, as GitHub sets them
// in the job context (job.workflow_repository, job.workflow_sha).
const (
	e2eWorkflowRepository = "hashbot-nix/hashbot"
	e2eWorkflowSHA        = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
)

// runner plays GitHub's runner for one workflow run.
type runner struct {
	t         *testing.T
	jobs      int    // jobs run so far, to name their directories
	root      string // hashbot's repository: what a checkout of it at the workflow's commit holds
	remote    string // the caller's bare remote
	artifacts string
	env       []string // the machine's environment
	action    e2eAction
	// mayFail lets a step fail as GitHub would: the job stops there and
	// failed holds the step's label and log, instead of the test failing.
	mayFail bool
	failed  string
}

// ctx is what expressions see.
type ctx map[string]any

// eval evaluates one expression (without ${{ }}) in c.
func (r *runner) eval(src string, c ctx) any {
	r.t.Helper()
	node, err := actionlint.NewExprParser().Parse(actionlint.NewExprLexer(src + "}}"))
	if err != nil {
		r.t.Fatalf("parsing ${{ %s }}: %v", src, err)
	}
	return r.node(node, c)
}

func (r *runner) node(n actionlint.ExprNode, c ctx) any {
	switch n := n.(type) {
	case *actionlint.VariableNode:
		return c[strings.ToLower(n.Name)]
	case *actionlint.ObjectDerefNode:
		obj, _ := r.node(n.Receiver, c).(map[string]any)
		return obj[n.Property]
	case *actionlint.StringNode:
		return n.Value
	case *actionlint.BoolNode:
		return n.Value
	case *actionlint.NullNode:
		return nil
	case *actionlint.NotOpNode:
		return !truthy(r.node(n.Operand, c))
	case *actionlint.LogicalOpNode:
		left := r.node(n.Left, c)
		if (n.Kind == actionlint.LogicalOpNodeKindAnd) != truthy(left) {
			return left
		}
		return r.node(n.Right, c)
	case *actionlint.CompareOpNode:
		l, rr := r.node(n.Left, c), r.node(n.Right, c)
		eq := fmt.Sprint(l) == fmt.Sprint(rr) && (l == nil) == (rr == nil)
		switch n.Kind {
		case actionlint.CompareOpNodeKindEq:
			return eq
		case actionlint.CompareOpNodeKindNotEq:
			return !eq
		}
	case *actionlint.FuncCallNode:
		switch strings.ToLower(n.Callee) {
		case "cancelled":
			return false
		case "success", "always":
			return true
		case "fromjson":
			var v any
			if err := json.Unmarshal([]byte(fmt.Sprint(r.node(n.Args[0], c))), &v); err != nil {
				r.t.Fatalf("fromJSON: %v", err)
			}
			return v
		}
	}
	r.t.Fatalf("the runner cannot evaluate %T in an expression", n)
	return nil
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case float64:
		return v != 0
	}
	return true
}

// str renders a value as GitHub puts it into a string.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	return fmt.Sprint(v)
}

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// interpolate replaces every ${{ }} in s.
func (r *runner) interpolate(s string, c ctx) string {
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		return str(r.eval(exprRE.FindStringSubmatch(m)[1], c))
	})
}

// cond evaluates an if: (empty: success()).
func (r *runner) cond(s string, c ctx) bool {
	if s == "" {
		return true
	}
	if m := exprRE.FindStringSubmatch(s); m != nil && m[0] == strings.TrimSpace(s) {
		s = m[1]
	}
	return truthy(r.eval(s, c))
}

// jobEnv is one job's machine: its workspace, RUNNER_TEMP and the
// variables steps add through $GITHUB_ENV.
type jobEnv struct {
	workspace, temp string
	added           map[string]string
}

// pushSeed commits the tree seed as the first commit of main, with the
// message msg, and pushes it to a new bare repository at remote.
func pushSeed(t *testing.T, seed, remote, msg string) {
	t.Helper()
	git(t, "", "init", "-q", "--bare", "-b", "main", remote)
	git(t, seed, "init", "-q", "-b", "main")
	git(t, seed, "add", ".")
	git(t, seed, "commit", "-q", "-m", msg)
	git(t, seed, "push", "-q", remote, "main")
}

// newWorkflowRunner reads the reusable workflow and the action, and makes a
// runner for the caller's remote whose jobs see the stand-in GitHub at
// apiURL, Go's caches as actions/cache would restore them (each job has a
// HOME of its own), and none of the test environment's token or HASHBOT_
// settings. inputs are the workflow's inputs at their defaults.
func newWorkflowRunner(t *testing.T, root, remote, work, apiURL string) (r *runner, wf e2eWorkflow, inputs map[string]any) {
	t.Helper()
	decode(t, filepath.Join(root, ".github", "workflows", "hashbot-reusable.yml"), &wf)
	r = &runner{t: t, root: root, remote: remote, artifacts: filepath.Join(work, "artifacts")}
	decode(t, filepath.Join(root, "action.yml"), &r.action)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "GITHUB_TOKEN" && !strings.HasPrefix(k, "HASHBOT_") {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "GITHUB_API_URL="+strings.TrimSuffix(apiURL, "/"))
	for _, v := range []string{"GOMODCACHE", "GOCACHE"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		r.env = append(r.env, v+"="+strings.TrimSpace(string(out)))
	}
	inputs = map[string]any{}
	for name, in := range wf.On.WorkflowCall.Inputs {
		inputs[name] = in.Default
	}
	return r, wf, inputs
}

func (r *runner) newJob(name string) *jobEnv {
	r.jobs++
	dir := filepath.Join(r.t.TempDir(), fmt.Sprintf("%d-%s", r.jobs, name))
	j := &jobEnv{workspace: filepath.Join(dir, "work"), temp: filepath.Join(dir, "tmp"), added: map[string]string{}}
	for _, d := range []string{j.workspace, j.temp, filepath.Join(dir, "home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			r.t.Fatal(err)
		}
	}
	j.added["HOME"] = filepath.Join(dir, "home")
	return j
}

// runSteps runs steps in c (its "steps" context filled in as they go) and
// reports whether every step succeeded.
func (r *runner) runSteps(j *jobEnv, steps []e2eStep, c ctx, env map[string]string) {
	r.t.Helper()
	stepCtx := map[string]any{}
	c["steps"] = stepCtx
	for i, s := range steps {
		if r.failed != "" || !r.cond(s.If, c) {
			continue
		}
		label := fmt.Sprintf("step %d (%s%s)", i+1, s.Name, s.Uses)
		outputs := map[string]any{}
		switch {
		case s.Run != "":
			stepEnv := maps.Clone(env)
			for k, v := range s.Env {
				stepEnv[k] = r.interpolate(v, c)
			}
			dir := j.workspace
			if s.WorkingDirectory != "" {
				dir = r.interpolate(s.WorkingDirectory, c)
			}
			maps.Copy(outputs, r.script(j, label, s.Run, dir, stepEnv))
		default:
			with := map[string]string{}
			for k, v := range s.With {
				with[k] = r.interpolate(v, c)
			}
			maps.Copy(outputs, r.uses(j, label, s.Uses, with, c, env))
		}
		if s.ID != "" {
			stepCtx[s.ID] = map[string]any{"outputs": outputs}
		}
	}
}

// script runs a run: step as the runner does (bash --noprofile --norc -eo
// pipefail) and returns what it wrote to $GITHUB_OUTPUT.
func (r *runner) script(j *jobEnv, label, script, dir string, env map[string]string) map[string]any {
	r.t.Helper()
	out := filepath.Join(j.temp, "output")
	envFile := filepath.Join(j.temp, "env")
	_ = os.WriteFile(out, nil, 0o644)
	_ = os.WriteFile(envFile, nil, 0o644)
	file := filepath.Join(j.temp, "step.sh")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		r.t.Fatal(err)
	}
	cmd := exec.CommandContext(r.t.Context(), "bash", "--noprofile", "--norc", "-eo", "pipefail", file)
	cmd.Dir = dir
	cmd.Env = append([]string(nil), r.env...)
	for k, v := range j.added {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "GITHUB_OUTPUT="+out, "GITHUB_ENV="+envFile, "RUNNER_TEMP="+j.temp,
		"GITHUB_WORKSPACE="+j.workspace, "GITHUB_STEP_SUMMARY="+filepath.Join(j.temp, "summary"), "GITHUB_ACTIONS=true")
	log, err := cmd.CombinedOutput()
	switch {
	case err != nil && r.mayFail:
		r.failed = fmt.Sprintf("%s failed: %v\n%s", label, err, log)
		return map[string]any{}
	case err != nil:
		r.t.Fatalf("%s failed: %v\n%s", label, err, log)
	}
	r.t.Logf("%s:\n%s", label, log)
	for k, v := range readKeyValues(r.t, envFile) {
		j.added[k] = v
	}
	outputs := map[string]any{}
	for k, v := range readKeyValues(r.t, out) {
		outputs[k] = v
	}
	return outputs
}

// readKeyValues reads a $GITHUB_OUTPUT or $GITHUB_ENV file: name=value
// lines and name<<DELIM blocks.
func readKeyValues(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var lines []string
			for sc.Scan() && sc.Text() != delim {
				lines = append(lines, sc.Text())
			}
			kv[name] = strings.Join(lines, "\n")
			continue
		}
		if name, value, ok := strings.Cut(line, "="); ok {
			kv[name] = value
		}
	}
	return kv
}

// uses plays the actions a step uses: hashbot's own composite action for
// real, the rest as GitHub does what they do here.
func (r *runner) uses(j *jobEnv, label, uses string, with map[string]string, c ctx, env map[string]string) map[string]any {
	r.t.Helper()
	name, _, _ := strings.Cut(uses, "@")
	switch name {
	case "./.hashbot-action":
		// hashbot's action, from the checkout an earlier step made.
		dir := filepath.Join(j.workspace, name)
		if _, err := os.Stat(filepath.Join(dir, "action.yml")); err != nil {
			r.t.Fatalf("%s: no action there: %v", label, err)
		}
		return r.composite(j, dir, with, c, env)
	case "actions/checkout":
		dst := filepath.Join(j.workspace, with["path"])
		switch with["repository"] {
		case "":
			// The caller's repository, into the workspace: it must come
			// first (the real checkout empties a workspace that is not
			// its repository).
			git(r.t, "", "clone", "-q", r.remote, dst)
		case e2eWorkflowRepository:
			// hashbot at the workflow's commit: this tree's files play it,
			// copied into the caller's workspace as the real checkout is.
			if with["ref"] != e2eWorkflowSHA {
				r.t.Fatalf("%s: hashbot checked out at %q, want the workflow's commit %s", label, with["ref"], e2eWorkflowSHA)
			}
			copySource(r.t, r.root, dst)
		default:
			r.t.Fatalf("%s: checkout of %q", label, with["repository"])
		}
	case "actions/upload-artifact":
		dst := filepath.Join(r.artifacts, with["name"])
		_ = os.MkdirAll(dst, 0o755)
		data, err := os.ReadFile(with["path"])
		if err != nil {
			r.t.Fatalf("%s: %v", label, err)
		}
		_ = os.WriteFile(filepath.Join(dst, filepath.Base(with["path"])), data, 0o644)
	case "actions/download-artifact":
		_ = os.MkdirAll(with["path"], 0o755)
		pattern := with["pattern"]
		if pattern == "" {
			pattern = with["name"] // one artifact by its name
		}
		dirs, _ := os.ReadDir(r.artifacts)
		for _, d := range dirs {
			if ok, _ := path.Match(pattern, d.Name()); ok {
				files, _ := os.ReadDir(filepath.Join(r.artifacts, d.Name()))
				for _, f := range files {
					data, _ := os.ReadFile(filepath.Join(r.artifacts, d.Name(), f.Name()))
					_ = os.WriteFile(filepath.Join(with["path"], f.Name()), data, 0o644)
				}
			}
		}
	case "actions/create-github-app-token":
		// GitHub would mint an installation token; the stand-in takes any.
		return map[string]any{"token": "ghs_installation_token_for_the_test"}
	case "cachix/install-nix-action":
		j.added["NIX_CONFIG"] = testutil.NixConfigNoSandbox + "\n" + with["extra_nix_config"]
	case "actions/setup-go", "actions/cache", "docker/setup-qemu-action":
		// Go is installed and caches are only speed; no emulation here.
	default:
		r.t.Fatalf("%s: the runner does not know %s", label, uses)
	}
	return map[string]any{}
}

// composite runs the action.yml in dir (run by a local path: no ref) with
// its inputs and returns its outputs.
func (r *runner) composite(j *jobEnv, dir string, with map[string]string, caller ctx, env map[string]string) map[string]any {
	r.t.Helper()
	inputs := map[string]any{}
	github, _ := caller["github"].(map[string]any)
	github = maps.Clone(github)
	github["action_path"], github["action_ref"] = dir, ""
	c := ctx{"github": github, "runner": caller["runner"], "inputs": inputs}
	for name, in := range r.action.Inputs {
		inputs[name] = r.interpolate(in.Default, c)
	}
	for k, v := range with {
		inputs[k] = v
	}
	actionEnv := maps.Clone(env)
	actionEnv["GITHUB_ACTION_PATH"] = dir
	r.runSteps(j, r.action.Runs.Steps, c, actionEnv)
	outputs := map[string]any{}
	for name, out := range r.action.Outputs {
		outputs[name] = r.interpolate(out.Value, c)
	}
	return outputs
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestReusableWorkflowOpensOnePullRequest runs the reusable workflow for
// the examples repository after its upstream released v1.1.0: check finds
// it stale, each platform computes its hashes, publish merges them and
// opens one pull request whose pins hold both platforms' hashes.
func TestReusableWorkflowOpensOnePullRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the examples' FODs with real Nix, npm and the Go module proxy")
	}
	testutil.RequireNixForExamples(t)
	testutil.RequireGit(t)
	for _, tool := range []string{"go", "jq", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	root := repoRoot(t)
	work := t.TempDir()

	// The upstream: v1.0.0 (what examples/ pins) and v1.1.0.
	srv := ghfake.New(t)
	srv.AddRepo("hashbot-nix/example-nix", "main")
	if err := srv.AddDir("hashbot-nix/example-app", "v1.0.0", filepath.Join(root, "examples", "upstream")); err != nil {
		t.Fatal(err)
	}
	srv.AddRelease("hashbot-nix/example-app", ghfake.Release{Tag: "v1.0.0"})
	newer := filepath.Join(work, "upstream-1.1.0")
	copyTree(t, filepath.Join(root, "examples", "upstream"), newer)
	for _, f := range []string{"web/package.json", "web/package-lock.json"} {
		p := filepath.Join(newer, f)
		data, _ := os.ReadFile(p)
		_ = os.WriteFile(p, []byte(strings.ReplaceAll(string(data), `"version": "1.0.0"`, `"version": "1.1.0"`)), 0o644)
	}
	if err := srv.AddDir("hashbot-nix/example-app", "v1.1.0", newer); err != nil {
		t.Fatal(err)
	}
	srv.AddRelease("hashbot-nix/example-app", ghfake.Release{Tag: "v1.1.0"})

	// The caller: examples/ as a repository of its own, with the 1.1.0
	// source in its upstream/ (its src FOD reads it from there), pushed to
	// a bare remote named like its GitHub repository.
	seed := filepath.Join(work, "seed")
	copyTree(t, filepath.Join(root, "examples"), seed)
	_ = os.RemoveAll(filepath.Join(seed, "upstream"))
	copyTree(t, newer, filepath.Join(seed, "upstream"))
	remote := filepath.Join(work, "hashbot-nix", "example-nix.git")
	pushSeed(t, seed, remote, "packaging")

	r, wf, inputs := newWorkflowRunner(t, root, remote, work, srv.URL)
	inputs["app-id"] = "4242"
	// This machine is x86_64-linux: it plays the arm runner the way a
	// repository without arm runners would, emulating (here: with a host
	// builder, extra-platforms).
	inputs["platforms"] = `[{"system": "x86_64-linux", "runner": "ubuntu-latest"}, {"system": "aarch64-linux", "runner": "ubuntu-latest", "emulate": true}]`
	needs := map[string]any{}
	base := func(job *jobEnv) ctx {
		return ctx{
			"inputs":  inputs,
			"needs":   needs,
			"secrets": map[string]any{"app-private-key": "-----BEGIN RSA PRIVATE KEY-----"},
			"github":  map[string]any{"token": "test-token", "repository": "hashbot-nix/example-nix", "run_id": "1", "run_attempt": "1"},
			"runner":  map[string]any{"temp": job.temp, "os": "Linux", "arch": "X64"},
			"job": map[string]any{
				"workflow_repository": e2eWorkflowRepository,
				"workflow_sha":        e2eWorkflowSHA,
				"workflow_ref":        e2eWorkflowRepository + "/.github/workflows/hashbot-reusable.yml@refs/tags/v1",
				"workflow_file_path":  ".github/workflows/hashbot-reusable.yml",
			},
		}
	}
	runJob := func(name string, matrix map[string]any) {
		t.Helper()
		job := wf.Jobs[name]
		j := r.newJob(name)
		c := base(j)
		c["matrix"] = matrix
		if !r.cond(job.If, c) {
			t.Fatalf("job %s did not run: if %s", name, job.If)
		}
		env := maps.Clone(wf.Env)
		r.runSteps(j, job.Steps, c, env)
		outputs := map[string]any{}
		for k, v := range job.Outputs {
			outputs[k] = r.interpolate(v, c)
		}
		needs[name] = map[string]any{"outputs": outputs, "result": "success"}
	}

	runJob("check", nil)
	check := needs["check"].(map[string]any)["outputs"].(map[string]any)
	if check["stale"] != "true" || check["version"] != "1.1.0" {
		t.Fatalf("check outputs %v, want stale at 1.1.0", check)
	}
	platforms := r.eval(wf.Jobs["compute"].Strategy.Matrix.Include[len("${{ "):len(wf.Jobs["compute"].Strategy.Matrix.Include)-len(" }}")], base(r.newJob("matrix")))
	list, _ := platforms.([]any)
	if len(list) != 2 {
		t.Fatalf("platforms %v, want two", platforms)
	}
	for _, p := range list {
		runJob("compute", p.(map[string]any))
	}
	runJob("publish", nil)

	prs := srv.PullRequests("hashbot-nix/example-nix")
	if len(prs) != 1 || prs[0].State != "open" || prs[0].Head != "hashbot/example-app-1.1.0" || prs[0].Title != "example-app: 1.0.0 -> 1.1.0" {
		t.Fatalf("pull requests %+v, want one open for 1.1.0", prs)
	}
	pinsOnBranch := git(t, remote, "show", "hashbot/example-app-1.1.0:nix/sources.json")
	for _, want := range []string{`"version": "1.1.0"`, `"x86_64-linux": "sha256-`, `"aarch64-linux": "sha256-`} {
		if !strings.Contains(pinsOnBranch, want) {
			t.Errorf("the branch's pins lack %s:\n%s", want, pinsOnBranch)
		}
	}
	if files := git(t, remote, "diff", "--name-only", "main", "hashbot/example-app-1.1.0"); files != "nix/sources.json" {
		t.Errorf("the branch changes %q, want the pins only", files)
	}
	// Each platform's job built the check for its system; apply merged
	// them and publish said it, first, on a ready pull request.
	if !strings.Contains(prs[0].Body, "The hashes are Nix's own, and `app` built on aarch64-linux and x86_64-linux.") ||
		!strings.Contains(prs[0].Body, "### Build check") || prs[0].Draft {
		t.Errorf("the pull request (draft: %v) does not say the check built on both systems:\n%s", prs[0].Draft, prs[0].Body)
	}
}

// copySource copies the files of the git tree src that a checkout would
// hold (tracked and not ignored, as they are on disk) to dst.
func copySource(t *testing.T, src, dst string) {
	t.Helper()
	for _, rel := range strings.Split(git(t, src, "ls-files", "-z", "--cached", "--others", "--exclude-standard"), "\x00") {
		from := filepath.Join(src, rel)
		fi, err := os.Lstat(from)
		if rel == "" || err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the tree, or not a file
		}
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

// copyTree copies the regular files under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
