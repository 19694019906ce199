package nix_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// script is what console-scripts.sh writes for module:attr, run by python.
func script(python, module, head, attr string) string {
	return "#!" + python + "\nimport sys\nfrom " + module + " import " + head +
		"\nif __name__ == \"__main__\":\n    sys.exit(" + attr + "())\n"
}

// TestConsoleScriptsRecreateTheVenvBin runs nix/console-scripts.sh (what
// authentik-django.nix uses to give back the bin/ that python-deps had to
// delete) on a site-packages of entry_points.txt files and compares bin/.
func TestConsoleScriptsRecreateTheVenvBin(t *testing.T) {
	const python = "/nix/store/00000000000000000000000000000000-authentik-django/bin/python3.14"
	tests := []struct {
		name  string
		dists map[string]string // dist-info directory -> entry_points.txt
		want  map[string]string // bin/ file -> content
	}{
		{
			name: "gunicorn, the one the Go server starts",
			dists: map[string]string{"gunicorn-25.0.3.dist-info": "[console_scripts]\ngunicorn = gunicorn.app.wsgiapp:run\n\n" +
				"[paste.server_runner]\nmain = gunicorn.app.pasterapp:serve\n"},
			want: map[string]string{"gunicorn": script(python, "gunicorn.app.wsgiapp", "run", "run")},
		},
		{
			name: "spacing, comments, extras and a dotted attribute",
			dists: map[string]string{"foo-1.dist-info": "# comment\n[ console_scripts ]\n  foo-cli=foo.cli:Main.run [extra1,extra2]\n" +
				"; comment\n[gui_scripts]\nfoo-gui = foo.gui:main\n"},
			want: map[string]string{"foo-cli": script(python, "foo.cli", "Main", "Main.run")},
		},
		{
			name: "the python symlinks are never replaced",
			dists: map[string]string{"evil-1.dist-info": "[console_scripts]\npython3.14 = evil:main\npython = evil:main\n" +
				"../escape = evil:main\nno-function = evil\n"},
			want: map[string]string{},
		},
		{
			name: "one script of a name shared by two distributions",
			dists: map[string]string{
				"a-1.dist-info": "[console_scripts]\ntool = a.cli:main\n",
				"b-1.dist-info": "[console_scripts]\ntool = b.cli:main\nbtool = b.cli:other\n",
			},
			want: map[string]string{
				"tool":  script(python, "a.cli", "main", "main"),
				"btool": script(python, "b.cli", "other", "other"),
			},
		},
		{
			name:  "no entry points at all",
			dists: map[string]string{},
			want:  map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sp, bin := filepath.Join(dir, "site-packages"), filepath.Join(dir, "bin")
			for dist, text := range tt.dists {
				writeFile(t, filepath.Join(sp, dist, "entry_points.txt"), text)
			}
			if err := os.MkdirAll(sp, 0o755); err != nil {
				t.Fatal(err)
			}
			// bin/ as authentik-django.nix has it when the script runs.
			for _, name := range []string{"python3.14", "python3", "python"} {
				writeFile(t, filepath.Join(bin, name), "python")
			}
			cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(repoRoot(t), "nix", "console-scripts.sh"), sp, bin, python)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("console-scripts.sh: %v\n%s", err, out)
			}
			got := map[string]string{}
			entries, err := os.ReadDir(bin)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				data, err := os.ReadFile(filepath.Join(bin, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				if string(data) == "python" {
					continue // a python symlink stand-in, untouched
				}
				got[e.Name()] = string(data)
				if info, _ := e.Info(); info.Mode().Perm()&0o111 == 0 {
					t.Errorf("bin/%s is not executable (%v)", e.Name(), info.Mode())
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("bin/ (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
				t.Errorf("a script was written outside bin/")
			}
		})
	}
}

// writeFile writes text to path, creating its directory.
func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
