package nix_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// phaseNames are the stdenv phases and hooks a derivation may script.
var phaseNames = []string{
	"postUnpack", "prePatch", "postPatch", "preConfigure", "configurePhase", "postConfigure",
	"preBuild", "buildPhase", "postBuild", "preCheck", "checkPhase", "postCheck",
	"preInstall", "installPhase", "postInstall", "preFixup", "fixupPhase", "postFixup",
	"preInstallCheck", "installCheckPhase", "postInstallCheck",
}

// buildScripts evaluates every derivation of test-build.nix (the vendor
// FODs included) with the stub pkgs and returns its non-empty phase
// scripts, as "component.phase" -> script, and the API hook's setup script.
func buildScripts(t *testing.T) map[string]string {
	t.Helper()
	testutil.RequireNix(t)
	var got map[string]map[string]string
	evalJSON(t, `{ stubFile, phases }:
let
  a = import ./nix/test-build.nix {
    system = "x86_64-linux";
    pkgs = import stubFile { system = "x86_64-linux"; };
  };
  scriptsOf = d: builtins.listToAttrs (map (n: { name = n; value = d.${n}; })
    (builtins.filter (n: d ? ${n} && builtins.isString d.${n} && d.${n} != "") phases));
  drvs = {
    inherit (a) client-go client-ts python-deps authentik-django webui-deps webui server worker assembled hashbot;
    server-vendor = a.server.goModules;
    hashbot-vendor = a.hashbot.goModules;
    worker-vendor = a.worker.cargoDeps;
  };
in
builtins.mapAttrs (_: scriptsOf) drvs // {
  api-go-vendor-hook = { setupHook = a.api-go-vendor-hook.script.text; };
}`, &got, "--argstr", "stubFile", writeStub(t), "--arg", "phases", nixList(phaseNames))
	out := map[string]string{}
	for comp, phases := range got {
		for phase, script := range phases {
			out[comp+"."+phase] = script
		}
	}
	return out
}

// shellPreamble declares what stdenv sets before every phase, so that
// shellcheck checks the script and not the environment it runs in.
const shellPreamble = "# shellcheck shell=bash\n# shellcheck disable=SC2034\ndeclare out src TMPDIR NIX_BUILD_TOP sourceRoot\n"

// TestEveryBuildScriptPassesBashAndShellcheck runs `bash -n` and
// shellcheck (warnings and errors) over every phase script of every
// derivation, as Nix hands it to bash, and over the scripts in nix/.
func TestEveryBuildScriptPassesBashAndShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck not installed (apt-get install shellcheck; scripts/install-deps does)")
	}
	dir := t.TempDir()
	scripts := buildScripts(t)
	if len(scripts) < 20 {
		t.Fatalf("found %d build scripts, want every phase of every derivation: %v", len(scripts), sortedKeys(scripts))
	}
	var files []string
	for name, script := range scripts {
		path := filepath.Join(dir, name+".sh")
		if err := os.WriteFile(path, []byte(shellPreamble+script), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	shFiles, err := filepath.Glob(filepath.Join(repoRoot(t), "nix", "*.sh"))
	if err != nil || len(shFiles) < 3 {
		t.Fatalf("nix/*.sh: %v, %v", shFiles, err)
	}
	files = append(files, shFiles...)
	sort.Strings(files)
	for _, f := range files {
		if out, err := exec.CommandContext(t.Context(), "bash", "-n", f).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", filepath.Base(f), err, out)
		}
	}
	args := append([]string{"--severity=warning", "--format=gcc"}, files...)
	if out, err := exec.CommandContext(t.Context(), "shellcheck", args...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// pythonWithInstaller finds a Python that has pypa/installer (Debian's
// python3-installer), as authentik-django's buildPython has.
func pythonWithInstaller(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import installer").Run() == nil {
			return path
		}
	}
	t.Skip("no python3 with the installer module (apt-get install python3-installer; scripts/install-deps does)")
	return ""
}

// writeWheel writes a pure-Python wheel of name 1.0 with one module into
// dir, RECORD and all, and returns its path.
func writeWheel(t *testing.T, dir, name string) string {
	t.Helper()
	files := map[string]string{
		name + "/__init__.py":            "VALUE = " + fmt.Sprintf("%q", name) + "\n",
		name + "-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: " + name + "\nVersion: 1.0\n",
		name + "-1.0.dist-info/WHEEL":    "Wheel-Version: 1.0\nGenerator: hashbot-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
	}
	var record strings.Builder
	for _, p := range sortedKeys(files) {
		sum := sha256.Sum256([]byte(files[p]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[p]))
	}
	recordPath := name + "-1.0.dist-info/RECORD"
	record.WriteString(recordPath + ",,\n")
	files[recordPath] = record.String()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range sortedKeys(files) {
		w, err := zw.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[p])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+"-1.0-py3-none-any.whl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInstallWheelsInstallsEveryWheel runs nix/install-wheels.sh, as
// authentik-django's installPhase does for its four in-tree packages, with
// Debian's pypa/installer on wheels made here: each lands under the
// prefix. The control: installer itself refuses more than one wheel, which
// is what the phase did before.
func TestInstallWheelsInstallsEveryWheel(t *testing.T) {
	python := pythonWithInstaller(t)
	dist := t.TempDir()
	names := []string{"ak_guardian", "django_channels_postgres", "django_dramatiq_postgres", "django_postgres_cache"}
	var wheels []string
	for _, n := range names {
		wheels = append(wheels, writeWheel(t, dist, n))
	}

	control := exec.CommandContext(t.Context(), python, append([]string{"-m", "installer", "--prefix", t.TempDir(), "--no-compile-bytecode"}, wheels...)...)
	if out, err := control.CombinedOutput(); err == nil || !strings.Contains(string(out), "unrecognized arguments") {
		t.Errorf("python -m installer with %d wheels: %v\n%s\nwant it to refuse more than one (the bug install-wheels.sh fixes)", len(wheels), err, out)
	}

	prefix := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "bash", append([]string{filepath.Join(repoRoot(t), "nix", "install-wheels.sh"), python, prefix}, wheels...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("install-wheels.sh: %v\n%s", err, out)
	}
	for _, n := range names {
		found, _ := filepath.Glob(filepath.Join(prefix, "*", "*", "*", n, "__init__.py"))
		found2, _ := filepath.Glob(filepath.Join(prefix, "*", "*", "*", "*", n, "__init__.py"))
		if len(found)+len(found2) != 1 {
			t.Errorf("%s is not installed under the prefix once (%v %v); install-wheels.sh said:\n%s", n, found, found2, out)
		}
	}
	_ = filepath.WalkDir(prefix, func(p string, d os.DirEntry, err error) error {
		if err == nil && (d.Name() == "__pycache__" || strings.HasSuffix(p, ".pyc")) {
			t.Errorf("byte code was written: %s", p)
		}
		return nil
	})

	bad := exec.CommandContext(t.Context(), "bash", filepath.Join(repoRoot(t), "nix", "install-wheels.sh"), python, prefix, filepath.Join(dist, "*.whl"))
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "is not a file") {
		t.Errorf("install-wheels.sh with a glob that matched nothing: %v\n%s\nwant it to say the wheel is not a file", err, out)
	}
}

// fakeRemoveReferencesTo is what nixpkgs' remove-references-to does, for
// the test: each -t STORE_DIR/<hash>-… target's 32-character hash is
// overwritten with e's in every regular file given.
const fakeRemoveReferencesTo = `#!/usr/bin/env bash
set -euo pipefail
targets=()
while getopts t: o; do
  case "$o" in
    t) id=$(printf '%s' "$OPTARG" | sed -n "s|^$STORE_DIR/\([a-z0-9]\{32\}\)-.*|\1|p")
       [ -n "$id" ] || { echo "-t argument must be a Nix store path" >&2; exit 1; }
       targets+=("$id") ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
for f in "$@"; do
  [ -f "$f" ] && [ ! -L "$f" ] || continue
  for id in "${targets[@]}"; do sed -i "s|$id|eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee|g" "$f"; done
done
`

// TestStripStoreRefsFindsAndRemovesEveryReference runs
// nix/strip-store-refs.sh (python-deps' installPhase) on files naming
// store paths in text, in binary and twice over: afterwards none is real,
// and the sizes are unchanged. With a remove-references-to that removes
// nothing, the script fails naming the file.
func TestStripStoreRefsFindsAndRemovesEveryReference(t *testing.T) {
	const storeDir = "/nix/store"
	hashA := strings.Repeat("a", 32)
	hashB := "0123456789abcdfghijklmnpqrsvwxyz"
	files := map[string]string{
		"lib/site-packages/lxml/etree.so":     "\x7fELF\x00\x00RPATH=" + storeDir + "/" + hashA + "-libxml2-2.13/lib:" + storeDir + "/" + hashB + "-zlib-1.3/lib\x00",
		"lib/site-packages/x/direct_url.json": `{"url": "file://` + storeDir + "/" + hashB + `-source"}`,
		"lib/site-packages/clean.py":          "print('no reference here: /nix/stor e')\n",
	}
	for _, tt := range []struct {
		name    string
		rrt     string // the remove-references-to on PATH
		wantErr string
	}{
		{name: "every reference removed", rrt: fakeRemoveReferencesTo},
		{name: "a reference left is an error", rrt: "#!/bin/sh\nexit 0\n", wantErr: "still refer to the Nix store"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			for p, c := range files {
				full := filepath.Join(out, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			bin := t.TempDir()
			if err := os.WriteFile(filepath.Join(bin, "remove-references-to"), []byte(tt.rrt), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(repoRoot(t), "nix", "strip-store-refs.sh"), storeDir, out)
			cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "STORE_DIR="+storeDir)
			log, err := cmd.CombinedOutput()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(string(log), tt.wantErr) || !strings.Contains(string(log), "etree.so") {
					t.Fatalf("strip-store-refs.sh: %v\n%s\nwant it to fail naming etree.so", err, log)
				}
				return
			}
			if err != nil {
				t.Fatalf("strip-store-refs.sh: %v\n%s", err, log)
			}
			if !strings.Contains(string(log), "removing 2 store references") {
				t.Errorf("log %q, want it to count the 2 distinct references", log)
			}
			for p, c := range files {
				got, err := os.ReadFile(filepath.Join(out, p))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(c) {
					t.Errorf("%s: %d bytes, was %d", p, len(got), len(c))
				}
				if strings.Contains(string(got), hashA) || strings.Contains(string(got), hashB) {
					t.Errorf("%s still names a store path: %q", p, got)
				}
			}
		})
	}
}

// pythonWithTomllib finds a Python 3.11+ (tomllib), as python314 is.
func pythonWithTomllib(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import tomllib").Run() == nil {
			return path
		}
	}
	t.Skip("no python3 with tomllib (3.11 or newer)")
	return ""
}

// TestUvExcludeNewerIsTheLocksNewestUpload runs nix/uv-exclude-newer.py,
// whose answer python-deps gives uv as UV_EXCLUDE_NEWER, on locks written
// here and on authentik's real ones.
func TestUvExcludeNewerIsTheLocksNewestUpload(t *testing.T) {
	python := pythonWithTomllib(t)
	script := filepath.Join(repoRoot(t), "nix", "uv-exclude-newer.py")
	run := func(lock string) (string, error) {
		cmd := exec.CommandContext(t.Context(), python, script, lock)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err != nil {
			return stderr.String(), err
		}
		return strings.TrimSpace(stdout.String()), nil
	}
	for _, tt := range []struct {
		name, lock, want, wantErr string
	}{
		{name: "newest of sdists and wheels, by instant", lock: `version = 1
[[package]]
name = "a"
sdist = { url = "https://files/a.tar.gz", hash = "sha256:00", upload-time = "2026-03-01T10:00:00.5Z" }
wheels = [{ url = "https://files/a.whl", hash = "sha256:01", upload-time = "2026-03-22T15:56:50.638Z" }]
[[package]]
name = "b"
wheels = [{ url = "https://files/b.whl", hash = "sha256:02", upload-time = "2026-03-22T16:00:00+02:00" }]
[[package]]
name = "local"
source = { editable = "." }
`, want: "2026-03-22T15:56:50.638Z"},
		{name: "a lock without upload times", lock: "version = 1\n[[package]]\nname = \"a\"\nsdist = { url = \"u\" }\n", wantErr: "no upload-time in the lock"},
		{name: "not TOML", lock: "version = = 1\n", wantErr: "uv-exclude-newer:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "uv.lock")
			if err := os.WriteFile(path, []byte(tt.lock), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := run(path)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(got, tt.wantErr)):
				t.Errorf("uv-exclude-newer.py = %q, %v; want an error saying %q", got, err, tt.wantErr)
			case tt.wantErr == "" && (err != nil || got != tt.want):
				t.Errorf("uv-exclude-newer.py = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("authentik's locks", func(t *testing.T) {
		dir := testutil.SharedFixtures(t, "authentik")
		for version, want := range map[string]string{
			"2025.12.4": "2026-02-03T13:52:50.554Z", // a backport: newer than its line's first release
			"2026.2.1":  "2026-02-10T19:18:38.255Z",
			"2026.2.2":  "2026-03-22T15:56:50.638Z",
		} {
			got, err := run(filepath.Join(dir, "version-"+version, "uv.lock"))
			if err != nil || got != want {
				t.Errorf("uv-exclude-newer.py of authentik %s's uv.lock = %q, %v; want %q", version, got, err, want)
			}
		}
	})
}

// TestPythonDepsPinsWhatTheLockDoesNot reads python-deps' build script:
// uv gets the lock's cutoff for the sdists' build tools, and GCC a fixed
// seed set after stdenv's hooks (whose seed follows $out, which differs
// between the empty-hash build and the real one).
func TestPythonDepsPinsWhatTheLockDoesNot(t *testing.T) {
	build := buildScripts(t)["python-deps.buildPhase"]
	exclude := strings.Index(build, "uv-exclude-newer.py uv.lock)")
	seed := strings.Index(build, "-frandom-seed=authentik-python-deps")
	sync := strings.Index(build, "uv sync --frozen")
	if exclude < 0 || !strings.Contains(build, "export UV_EXCLUDE_NEWER") || seed < 0 || sync < 0 || exclude > sync || seed > sync {
		t.Errorf("python-deps' buildPhase must set UV_EXCLUDE_NEWER from uv-exclude-newer.py and a fixed -frandom-seed before uv sync:\n%s", build)
	}
	if !strings.Contains(build, `NIX_CFLAGS_COMPILE="${NIX_CFLAGS_COMPILE-} -frandom-seed=`) {
		t.Errorf("the seed must be appended to NIX_CFLAGS_COMPILE in the phase (after stdenv's hooks add theirs):\n%s", build)
	}
}

// TestWebuiInstallsTheIcons runs webui's installPhase in a tree made here:
// the brand icons the e-mail templates embed are installed with the
// bundles.
func TestWebuiInstallsTheIcons(t *testing.T) {
	install := buildScripts(t)["webui.installPhase"]
	tree, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	for _, p := range []string{"dist/assets/app.js", "authentik/sources/saml.png", "icons/icon_left_brand.png"} {
		full := filepath.Join(tree, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), "bash", "-euo", "pipefail", "-c", "runHook() { :; }\n"+install)
	cmd.Dir = tree
	cmd.Env = append(os.Environ(), "out="+out)
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("webui installPhase: %v\n%s", err, log)
	}
	for _, p := range []string{"dist/assets/app.js", "authentik/sources/saml.png", "icons/icon_left_brand.png"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("webui's output lacks %s: %v", p, err)
		}
	}
}

// TestRuntimeFixesAreInTheDerivations reads the phases that carry the
// runtime fixes that cannot run here (they need nixpkgs' makeWrapper and
// substituteInPlace, or authentik's tree): each is where a maintainer
// would look for it.
func TestRuntimeFixesAreInTheDerivations(t *testing.T) {
	scripts := buildScripts(t)
	for _, tt := range []struct{ script, want, why string }{
		{"assembled.installPhase", "--set-default TMPDIR /dev/shm", "lifecycle/ak writes $TMPDIR/authentik-mode, / under systemd"},
		{"assembled.installPhase", "-authentik-worker-2026.5.6/bin/authentik $out/bin/authentik-worker", "2026.5's worker is the Rust binary run as `authentik worker`"},
		{"assembled.installPhase", "--add-flags worker", "authentik-worker runs `authentik worker`"},
		{"assembled.installPhase", "--prefix PYTHONPATH : /nix/store/00000000000000000000000000000000-authentik-django-2026.5.6/lib/python3.14/site-packages", "the worker embeds Python and imports authentik from the backend"},
		{"authentik-django.postPatch", "substituteInPlace authentik/admin/files/backends/file.py", "uploads need the data directory to be a mount point"},
		{"authentik-django.postPatch", "'and (self._base_dir.is_mount() or (self._base_dir / self.usage.value).is_mount())' \"\"", "the mount-point condition is dropped"},
		{"authentik-django.installPhase", "cp -r locale $out/locale", "LOCALE_PATHS is ./locale, the wrapper's working directory"},
		{"authentik-django.installPhase", "/icons $out/web/icons", "web/icons next to dist and authentik"},
		{"authentik-django.installPhase", "install-wheels.sh", "one wheel per installer run"},
		{"authentik-django.installCheckPhase", "-*.dist-info", "every in-tree package installed"},
	} {
		if !strings.Contains(scripts[tt.script], tt.want) {
			t.Errorf("%s lacks %q (%s):\n%s", tt.script, tt.want, tt.why, scripts[tt.script])
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
