package ghactions_test

// No silent downgrade through GitHub Actions: a version older than the
// pinned one, whether a relay's repository_dispatch payload or a person's
// workflow_dispatch input carries it, is refused unless the
// allow-downgrade input (a person's choice, never a payload's) asks for it.

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// callerWorkflow is the part of hashbot.yml that starts the reusable
// workflow.
type callerWorkflow struct {
	Jobs map[string]struct {
		With map[string]string `yaml:"with"`
	} `yaml:"jobs"`
}

// TestDispatchedOlderVersionIsRefused runs the check job of the reusable
// workflow as this repository's hashbot.yml starts it (its with: evaluated
// for the event), with the real composite action and hashbot, for the
// examples repository pinned at 1.1.0 while upstream has 1.0.0, 1.0.1 and
// 1.1.0. Check is the first job: when it refuses, nothing is computed or
// published.
func TestDispatchedOlderVersionIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hashbot and runs the check job")
	}
	goCaches := goCacheEnv(t) // before RequireGit gives the test a HOME of its own
	testutil.RequireGit(t)
	for _, tool := range []string{"go", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	const refusal = "version 1.0.1 is older than the pinned version 1.1.0: refusing to downgrade"
	tests := []struct {
		name    string
		event   map[string]any // github.event
		inputs  map[string]any // the workflow_dispatch inputs
		refused bool
	}{
		{name: "a relay's backport", event: map[string]any{"client_payload": map[string]any{"version": "1.0.1"}},
			inputs: map[string]any{}, refused: true},
		{name: "a relay's payload cannot allow a downgrade",
			event:  map[string]any{"client_payload": map[string]any{"version": "1.0.1", "allow-downgrade": true, "allow_downgrade": true}},
			inputs: map[string]any{}, refused: true},
		{name: "a person's older version", event: map[string]any{},
			inputs: map[string]any{"version": "1.0.1", "dry-run": false, "allow-downgrade": false}, refused: true},
		{name: "a person's older version with allow-downgrade", event: map[string]any{},
			inputs: map[string]any{"version": "1.0.1", "dry-run": false, "allow-downgrade": true}},
	}
	root := repoRoot(t)
	srv, remote := downgradeFixture(t, root)
	var caller callerWorkflow
	decode(t, filepath.Join(root, ".github", "workflows", "hashbot.yml"), &caller)
	var wf e2eWorkflow
	decode(t, filepath.Join(root, ".github", "workflows", "hashbot-reusable.yml"), &wf)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &runner{t: t, root: root, remote: remote, artifacts: t.TempDir(), mayFail: true, env: e2eEnv(srv, goCaches)}
			decode(t, filepath.Join(root, "action.yml"), &r.action)

			// hashbot.yml's with:, as GitHub evaluates it for the event
			// and converts it to the reusable workflow's input types.
			callerCtx := ctx{"inputs": tt.inputs, "github": map[string]any{"event": tt.event},
				"vars": map[string]any{"HASHBOT_APP_ID": "4242"}}
			inputs := map[string]any{}
			for name, in := range wf.On.WorkflowCall.Inputs {
				inputs[name] = in.Default
			}
			for name, expr := range caller.Jobs["hashbot"].With {
				v := r.interpolate(expr, callerCtx)
				if wf.On.WorkflowCall.Inputs[name].Type == "boolean" {
					inputs[name] = v == "true"
				} else {
					inputs[name] = v
				}
			}

			j := r.newJob("check")
			c := ctx{"inputs": inputs, "needs": map[string]any{},
				"github": map[string]any{"token": "test-token", "repository": "hashbot-nix/example-nix", "run_id": "1", "run_attempt": "1"},
				"runner": map[string]any{"temp": j.temp, "os": "Linux", "arch": "X64"},
				"job":    map[string]any{"workflow_repository": e2eWorkflowRepository, "workflow_sha": e2eWorkflowSHA}}
			job := wf.Jobs["check"]
			r.runSteps(j, job.Steps, c, maps.Clone(wf.Env))
			outputs := map[string]string{}
			for k, v := range job.Outputs {
				outputs[k] = r.interpolate(v, c)
			}
			if tt.refused {
				if !strings.Contains(r.failed, refusal) {
					t.Fatalf("the check job did not refuse the downgrade (outputs %v):\n%s", outputs, r.failed)
				}
				if outputs["stale"] == "true" {
					t.Errorf("a refused check says stale: the compute and publish jobs would run")
				}
				return
			}
			if r.failed != "" {
				t.Fatalf("the check job failed:\n%s", r.failed)
			}
			if outputs["stale"] != "true" || outputs["version"] != "1.0.1" {
				t.Errorf("check outputs %v, want stale at 1.0.1", outputs)
			}
		})
	}
}

// downgradeFixture is the stand-in GitHub with upstream releases 1.0.0,
// 1.0.1 and 1.1.0, and the caller's bare remote: the examples repository
// pinned at 1.1.0.
func downgradeFixture(t *testing.T, root string) (*ghfake.Server, string) {
	t.Helper()
	srv := ghfake.New(t)
	srv.AddRepo("hashbot-nix/example-nix", "main")
	for _, tag := range []string{"v1.0.0", "v1.0.1", "v1.1.0"} {
		if err := srv.AddDir("hashbot-nix/example-app", tag, filepath.Join(root, "examples", "upstream")); err != nil {
			t.Fatal(err)
		}
		srv.AddRelease("hashbot-nix/example-app", ghfake.Release{Tag: tag})
	}
	work := t.TempDir()
	seed := filepath.Join(work, "seed")
	copyTree(t, filepath.Join(root, "examples"), seed)
	pinsFile := filepath.Join(seed, "nix", "sources.json")
	data, err := os.ReadFile(pinsFile)
	if err != nil {
		t.Fatal(err)
	}
	pinned := strings.Replace(string(data), `"version": "1.0.0"`, `"version": "1.1.0"`, 1)
	if pinned == string(data) {
		t.Fatal(`examples/nix/sources.json no longer pins "version": "1.0.0"`)
	}
	if err := os.WriteFile(pinsFile, []byte(pinned), 0o644); err != nil {
		t.Fatal(err)
	}
	remote := filepath.Join(work, "hashbot-nix", "example-nix.git")
	pushSeed(t, seed, remote, "packaging")
	return srv, remote
}

// goCacheEnv is Go's caches of the machine, as actions/cache would
// restore them: GOMODCACHE and GOCACHE settings.
func goCacheEnv(t *testing.T) []string {
	t.Helper()
	var env []string
	for _, v := range []string{"GOMODCACHE", "GOCACHE"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, v+"="+strings.TrimSpace(string(out)))
	}
	return env
}

// e2eEnv is the machine's environment for the runner: no token or hashbot
// setting of the test's own, GitHub at srv, and goCaches.
func e2eEnv(srv *ghfake.Server, goCaches []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "GITHUB_TOKEN" && !strings.HasPrefix(k, "HASHBOT_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "GITHUB_API_URL="+strings.TrimSuffix(srv.URL, "/")), goCaches...)
}

// TestActionStepPassesAllowDowngradeToEveryCommand runs the composite
// action's script with a stand-in hashbot that records its arguments: the
// allow-downgrade input reaches each command the reusable workflow runs
// (check, then update and apply with check's version, then publish), and
// nothing else does.
func TestActionStepPassesAllowDowngradeToEveryCommand(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq not installed (scripts/install-deps installs it)")
	}
	root := repoRoot(t)
	for _, command := range []string{"run", "check", "update", "apply", "publish"} {
		for _, allow := range []string{"true", "false", ""} {
			t.Run(command+" allow-downgrade="+allow, func(t *testing.T) {
				temp := t.TempDir()
				bin := filepath.Join(temp, "hashbot-action", "hashbot")
				argv := filepath.Join(temp, "argv")
				stub := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGV_FILE\"\necho '{\"candidate\": \"1.0.1\", \"stale\": {}}'\n"
				if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(bin, []byte(stub), 0o755); err != nil {
					t.Fatal(err)
				}
				results := filepath.Join(temp, "results")
				if err := os.MkdirAll(results, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(results, "x86_64-linux.json"), []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(root, "scripts", "action-step"))
				cmd.Env = append(os.Environ(), "RUNNER_TEMP="+temp, "GITHUB_OUTPUT="+filepath.Join(temp, "output"), "ARGV_FILE="+argv,
					"INPUT_COMMAND="+command, "INPUT_VERSION=1.0.1", "INPUT_ALLOW_DOWNGRADE="+allow, "INPUT_RESULTS="+results)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("action-step: %v\n%s", err, out)
				}
				data, err := os.ReadFile(argv)
				if err != nil {
					t.Fatal(err)
				}
				args := strings.Fields(string(data))
				if got, want := slices.Contains(args, "--allow-downgrade"), allow == "true"; got != want {
					t.Errorf("hashbot %s: --allow-downgrade passed %v, want %v", strings.Join(args, " "), got, want)
				}
			})
		}
	}
}
