package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// AuthentikFixtures returns the directory of the project's own miniature
// authentik releases (testdata/authentik/version-*: uv.lock, pyproject.toml,
// web/package.json, web/package-lock.json, go.mod, go.sum; see its
// SOURCE.md for what each release changes).
func AuthentikFixtures(t testing.TB) string {
	t.Helper()
	return filepath.Join(packageDir(t), "testdata", "authentik")
}

// SharedFixtures returns shared/fixtures/sub, the real authentik lock files
// and octokit's webhook payloads that sit next to a checkout of this
// repository on the project's own machines, or skips the test, naming the
// directory it looked for: a clone of the repository does not have them.
func SharedFixtures(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(packageDir(t)))), "shared", "fixtures", sub)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("needs the real fixtures in %s, which a clone of this repository does not have", dir)
	}
	return dir
}

// packageDir is this package's source directory.
func packageDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testutil: cannot find its own source directory")
	}
	return filepath.Dir(file)
}
