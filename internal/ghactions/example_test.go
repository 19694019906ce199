package ghactions_test

import (
	"fmt"
	"os"

	"github.com/hashbot-nix/hashbot/internal/ghactions"
)

// This is how a command reports a build inside GitHub Actions: the Nix log
// folded and inert, a failure as an annotation. A real caller passes
// os.LookupEnv (the default) and its standard error.
func Example() {
	env := map[string]string{"GITHUB_ACTIONS": "true"}
	gha := ghactions.New(ghactions.Options{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Out:       os.Stdout,
		Token:     func() string { return "t0k3n" },
	})

	log := gha.Fold("nix-build: layer 1, 4 targets")
	fmt.Fprintln(log, "building '/nix/store/abc-python-deps.drv'...")
	log.Close()
	gha.Error("builder failed with exit code 1", ghactions.Annotation{
		Title: "python-deps (aarch64-linux): failed",
		File:  "nix/sources.json",
	})
	// Output:
	// ::group::nix-build: layer 1, 4 targets
	// ::stop-commands::t0k3n
	// building '/nix/store/abc-python-deps.drv'...
	// ::t0k3n::
	// ::endgroup::
	// ::error file=nix/sources.json,title=python-deps (aarch64-linux)%3A failed::builder failed with exit code 1
}

func ExampleMarkdownTable() {
	fmt.Print(ghactions.MarkdownTable(
		[]string{"FOD", "system", "status"},
		[][]string{{"python-deps", "x86_64-linux", "changed"}},
	))
	// Output:
	// | FOD | system | status |
	// | --- | --- | --- |
	// | python-deps | x86_64-linux | changed |
}
