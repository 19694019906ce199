package ghactions_test

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// TestReusableWorkflowFixesADependabotPullRequest runs the reusable
// workflow's fix jobs as a repository that packages itself adopts them:
// fix-compute for a Dependabot pull request bumping go.mod and go.sum
// (fix: compute, the pull_request caller, a read-only token), one job per
// platform, then fix-push (fix: push, the workflow_run caller, the App's
// token) with every platform's results as the artifacts carried them,
// merged into one commit. The caller repository and the bump are
// fix.txtar's, hashbot's own script of the command, with its vendor FOD
// made per-system (x86_64-linux and aarch64-linux, a hash literal each).
func TestReusableWorkflowFixesADependabotPullRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a go mod vendor FOD with real Nix and the Go module proxy")
	}
	testutil.RequireNixForExamples(t)
	testutil.RequireGit(t)
	for _, tool := range []string{"go", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	root := repoRoot(t)
	work := t.TempDir()
	files, remote := callerFromScript(t, root, work, "fix.txtar", func(seed string) { perSystem(t, seed) })
	const branch = "dependabot/go_modules/github.com/google/uuid-1.5.0"
	dep := filepath.Join(work, "dep")
	git(t, "", "clone", "-q", remote, dep)
	git(t, dep, "checkout", "-q", "-b", branch)
	writeFile(t, filepath.Join(dep, "go.mod"), files["v1.5.0/go.mod"])
	writeFile(t, filepath.Join(dep, "go.sum"), files["v1.5.0/go.sum"])
	git(t, dep, "commit", "-q", "-am", "Bump github.com/google/uuid from 1.4.0 to 1.5.0")
	git(t, dep, "push", "-q", "origin", branch)
	head := git(t, dep, "rev-parse", "HEAD")

	srv := ghfake.New(t)
	srv.AddRepo("me/app", "main")
	srv.AddPullRequest("me/app", ghfake.PullRequest{Number: 1, Head: branch, HeadSHA: head, User: "dependabot[bot]"})

	r, wf, defaults := newWorkflowRunner(t, root, remote, work, srv.URL)
	// This machine is x86_64-linux: it plays the arm runner the way a
	// repository without arm runners would, emulating (here: with a host
	// builder, extra-platforms), as in the release flow's test.
	defaults["platforms"] = `[{"system": "x86_64-linux", "runner": "ubuntu-latest"}, {"system": "aarch64-linux", "runner": "ubuntu-latest", "emulate": true}]`
	run := func(jobName string, inputs map[string]any, event map[string]any, matrix map[string]any) {
		t.Helper()
		in := maps.Clone(defaults)
		maps.Copy(in, inputs)
		j := r.newJob(jobName)
		c := ctx{
			"inputs":  in,
			"matrix":  matrix,
			"needs":   map[string]any{},
			"secrets": map[string]any{"app-private-key": "-----BEGIN RSA PRIVATE KEY-----"},
			"github":  map[string]any{"token": "test-token", "repository": "me/app", "run_id": "7", "run_attempt": "1", "event": event},
			"runner":  map[string]any{"temp": j.temp, "os": "Linux", "arch": "X64"},
			"job":     map[string]any{"workflow_repository": e2eWorkflowRepository, "workflow_sha": e2eWorkflowSHA},
		}
		for name, job := range wf.Jobs {
			if ran := r.cond(job.If, c); ran != (name == jobName) {
				t.Fatalf("with %v, job %s runs: %v (if %s)", inputs, name, ran, job.If)
			}
		}
		r.runSteps(j, wf.Jobs[jobName].Steps, c, maps.Clone(wf.Env))
	}

	include := wf.Jobs["fix-compute"].Strategy.Matrix.Include
	platforms, _ := r.eval(include[len("${{ "):len(include)-len(" }}")], ctx{"inputs": defaults}).([]any)
	if len(platforms) != 2 {
		t.Fatalf("fix-compute's matrix %v, want two platforms", platforms)
	}
	for _, p := range platforms {
		run("fix-compute", map[string]any{"fix": "compute", "pull-request": "1"}, map[string]any{"number": 1}, p.(map[string]any))
	}
	if got := git(t, remote, "rev-parse", branch); got != head {
		t.Fatalf("the computing jobs moved the branch to %s", got)
	}
	for _, sys := range []string{"x86_64-linux", "aarch64-linux"} {
		data, err := os.ReadFile(filepath.Join(r.artifacts, "hashbot-fix-results-"+sys, sys+".json"))
		if err != nil || !strings.Contains(string(data), `"systems": [`) || !strings.Contains(string(data), `"system": "`+sys+`"`) {
			t.Fatalf("the artifact of %s's job: %v\n%s", sys, err, data)
		}
	}
	run("fix-push", map[string]any{"fix": "push", "app-id": "4242"},
		map[string]any{"workflow_run": map[string]any{"id": 6, "head_sha": head, "conclusion": "success"}}, nil)

	if got := git(t, remote, "log", "-1", "--format=%s %P", branch); got != "hashbot: update FOD hashes for vendor "+head {
		t.Errorf("the branch's tip: %q, want hashbot's commit on the pull request's head %s", got, head)
	}
	if files := git(t, remote, "diff", "--name-only", head, branch); files != "default.nix\nhashbot.json" {
		t.Errorf("hashbot's commit changes %q, want the hash literal's file and the pins", files)
	}
	// Both jobs' hashes, in the one commit.
	nix := git(t, remote, "show", branch+":default.nix")
	for _, sys := range []string{"x86_64-linux", "aarch64-linux"} {
		if !strings.Contains(nix, sys+` = "sha256-`) || strings.Contains(nix, "AAAAAAAAAAAA") {
			t.Errorf("default.nix on the branch lacks Nix's hash for %s:\n%s", sys, nix)
		}
	}
}

// perSystem makes the vendor FOD of fix.txtar's repository in dir one
// with a hash per system, as a repository computing on two platforms has.
func perSystem(t *testing.T, dir string) {
	t.Helper()
	edit := func(name, old, new string) {
		t.Helper()
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s: %v; want %q in it", name, err, old)
		}
		writeFile(t, p, []byte(strings.Replace(string(data), old, new, 1)))
	}
	edit("hashbot.toml", `attr = "app.goModules"`, `attr = "app.goModules"`+"\n"+`systems = ["x86_64-linux", "aarch64-linux"]`)
	const fake = `"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="`
	edit("default.nix", "vendorHash = "+fake+";",
		"vendorHash =\n    {\n      x86_64-linux = "+fake+";\n      aarch64-linux = "+fake+";\n    }\n    .${system};")
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// callerFromScript makes the caller repository of one of hashbot's
// testscripts (cmd/hashbot/testdata/script): its archive's seed/ files,
// edited by prepare when it is not nil, committed and pushed to a new bare
// remote, work/me/app.git. It returns the archive's files by name (the
// later commits' contents) and the remote.
func callerFromScript(t *testing.T, root, work, script string, prepare func(seed string)) (map[string][]byte, string) {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join(root, "cmd", "hashbot", "testdata", "script", script))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range ar.Files {
		files[f.Name] = f.Data
	}
	seed := filepath.Join(work, "seed")
	for name, data := range files {
		if rel, ok := strings.CutPrefix(name, "seed/"); ok {
			writeFile(t, filepath.Join(seed, rel), data)
		}
	}
	if prepare != nil {
		prepare(seed)
	}
	remote := filepath.Join(work, "me", "app.git")
	pushSeed(t, seed, remote, "app")
	return files, remote
}
