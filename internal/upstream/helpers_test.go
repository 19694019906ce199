package upstream_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/ghclient"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/testutil"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

const (
	repo   = "goauthentik/authentik"
	prefix = "version/"
)

// authentikFiles are the upstream inputs of the authentik FODs.
var authentikFiles = []string{"uv.lock", "pyproject.toml", "web/package-lock.json", "web/package.json", "go.mod", "go.sum"}

// authentikTOML matches the FODs of the authentik packaging.
const authentikTOML = `
[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.src]
attr = "src"

[fod.python-deps]
attr = "python-deps"
systems = ["x86_64-linux", "aarch64-linux"]
inputs = ["uv.lock", "pyproject.toml"]

[fod.webui-deps]
attr = "webui-deps"
systems = ["x86_64-linux", "aarch64-linux"]
inputs = ["web/package-lock.json", "web/package.json"]

[fod.server-vendor]
attr = "server.goModules"
inputs = ["go.mod", "go.sum"]
`

// fixtureSet is a tree of authentik releases (version-<v>/) to serve: the
// project's own miniature one, or the real lock files.
type fixtureSet struct {
	name string
	root string
	// goSumAdded and goSumRemoved are git diff --numstat's count for go.sum
	// from 2025.12.4 to 2026.2.2.
	goSumAdded, goSumRemoved int
}

// fixtureSets returns the miniature releases and, where they sit next to
// the checkout, the real ones (the caller's subtest skips otherwise).
func fixtureSets() []fixtureSet {
	return []fixtureSet{
		{name: "miniature", goSumAdded: 6, goSumRemoved: 4},
		{name: "real", goSumAdded: 16, goSumRemoved: 19},
	}
}

// resolve fills in the set's root, or skips the test without the real files.
func (s fixtureSet) resolve(t testing.TB) fixtureSet {
	t.Helper()
	if s.name == "real" {
		s.root = testutil.SharedFixtures(t, "authentik")
	} else {
		s.root = testutil.AuthentikFixtures(t)
	}
	return s
}

// mini is the miniature set, which every test can use.
func mini(t testing.TB) fixtureSet { return fixtureSets()[0].resolve(t) }

func (s fixtureSet) dir(version string) string { return filepath.Join(s.root, "version-"+version) }

func (s fixtureSet) file(t testing.TB, version, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.dir(version), filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newServer serves the three authentik releases of set and their files.
func newServer(t testing.TB, set fixtureSet) *ghfake.Server {
	t.Helper()
	srv := ghfake.New(t)
	for _, v := range []string{"2025.12.4", "2026.2.1", "2026.2.2"} {
		addVersionFrom(t, srv, set, prefix+v, v, ghfake.Release{Tag: prefix + v})
	}
	return srv
}

// addVersion publishes rel with the files of the miniature version from.
func addVersion(t testing.TB, srv *ghfake.Server, ref, from string, rel ghfake.Release) {
	t.Helper()
	addVersionFrom(t, srv, mini(t), ref, from, rel)
}

func addVersionFrom(t testing.TB, srv *ghfake.Server, set fixtureSet, ref, from string, rel ghfake.Release) {
	t.Helper()
	if err := srv.AddTree(repo, ref, set.dir(from), authentikFiles...); err != nil {
		t.Fatal(err)
	}
	if rel.Tag != "" {
		srv.AddRelease(repo, rel)
	}
}

func loadConfig(t testing.TB, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(text), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// noImports is the import fingerprint of server-vendor's module (by
// default, go.mod being among its inputs) in the fixture trees, which hold
// no Go file: no import.
var noImports = pins.SRI(nil)

// pinsAt returns pins for version with every hash set and, when
// recordInputs, the inputs' hashes at that version of the miniature set.
func pinsAt(t testing.TB, version string, recordInputs bool) *pins.Pins {
	t.Helper()
	return pinsAtIn(t, mini(t), version, recordInputs)
}

func pinsAtIn(t testing.TB, set fixtureSet, version string, recordInputs bool) *pins.Pins {
	t.Helper()
	sys := map[string]string{"x86_64-linux": "sha256-Uu7DxZSFuVCPuF8wT1+ftBJ66OMPl2GgTWzyPxgDP6Y=", "aarch64-linux": "sha256-XogorjqwdpEmyaUwcNFLQr/x1qT5nlFgCDzIc5JdSk4="}
	doc := map[string]any{
		"version": version,
		"hashes": map[string]any{
			"src": "sha256-Tf6oFQzBbks6mex0O/DghnDI79lkIVUwEcDHLcJDQtk=", "python-deps": sys, "webui-deps": sys, "server-vendor": "sha256-aZF+Bi38/VttQ4t2VLQhnmV5GK/Zo97js08pauFxOro=",
		},
	}
	if recordInputs {
		in := map[string]string{}
		for _, f := range authentikFiles {
			in[f] = pins.SRI(set.file(t, version, f))
		}
		in[config.GoImportsKey(".")] = noImports
		doc["inputs"] = in
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pins.Parse(data, "nix/sources.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type checkEnv struct {
	srv   *ghfake.Server
	cfg   *config.Config
	state string
}

func newCheckEnv(t testing.TB) *checkEnv {
	t.Helper()
	return newCheckEnvFrom(t, mini(t))
}

// newCheckEnvFrom serves the releases of set.
func newCheckEnvFrom(t testing.TB, set fixtureSet) *checkEnv {
	t.Helper()
	return &checkEnv{srv: newServer(t, set), cfg: loadConfig(t, authentikTOML), state: t.TempDir()}
}

func (e *checkEnv) checker(t testing.TB) (*upstream.Checker, *ghclient.Stats) {
	t.Helper()
	gh, stats, err := ghclient.New(ghclient.Options{
		BaseURL: e.srv.URL, Token: "test-token", StateDir: e.state,
		RetryBase: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return upstream.New(upstream.Options{Client: gh}), stats
}

func (e *checkEnv) check(t testing.TB, p *pins.Pins, opts upstream.CheckOptions) (*upstream.Result, error) {
	t.Helper()
	c, _ := e.checker(t)
	return c.Check(context.Background(), e.cfg, p, opts)
}

func summaryOf(t testing.TB, res *upstream.Result, file string) upstream.FileSummary {
	t.Helper()
	for _, s := range res.Summaries {
		if s.File == file {
			return s
		}
	}
	t.Fatalf("no summary for %s; have %v", file, res.Summaries)
	return upstream.FileSummary{}
}
