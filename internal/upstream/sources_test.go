package upstream_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/upstream"
)

// sourcesTOML is workspaceTOML with a nixpkgs-like branch feeding the Go
// vendor FOD and a release-followed tool feeding nothing else.
const sourcesTOML = workspaceTOML + `
[source.pkgs]
repo = "tools/pkgs"
branch = "nixos-stable"
fods = ["server-vendor"]

[source.tool]
repo = "tools/tool"
tag-prefix = "v"
fods = ["webui-deps"]
`

const (
	revA = "5f4a1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"
	revB = "a0b1c2d3e4f5061728394a5b6c7d8e9f00112233"
	revC = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
)

// TestSourcesMove checks which sources move, why, and which FODs that
// makes stale, against pins recorded with the release unmoved.
func TestSourcesMove(t *testing.T) {
	hashOf := "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="
	tests := []struct {
		name    string
		pinned  map[string][3]string // name -> rev, version, hash
		at      map[string]string    // CheckOptions.Sources
		want    map[string]string    // moved source -> reason
		stale   map[string][]string
		compare string // the pkgs move's compare URL suffix
	}{
		{name: "nothing pinned yet", want: map[string]string{"pkgs": "pkgs moved (none) -> c0ffee00c0ff", "tool": "tool moved (none) -> v2.0.0"},
			stale: map[string][]string{"server-vendor": {"pkgs moved (none) -> c0ffee00c0ff"}, "webui-deps": {"tool moved (none) -> v2.0.0"}}},
		{name: "pinned where they are", pinned: map[string][3]string{"pkgs": {revC, "", hashOf}, "tool": {"v2.0.0", "2.0.0", hashOf}},
			want: map[string]string{}, stale: map[string][]string{}},
		{name: "the branch moved", pinned: map[string][3]string{"pkgs": {revA, "", hashOf}, "tool": {"v2.0.0", "2.0.0", hashOf}},
			want:  map[string]string{"pkgs": "pkgs moved 5f4a1c2d9e8b -> c0ffee00c0ff"},
			stale: map[string][]string{"server-vendor": {"pkgs moved 5f4a1c2d9e8b -> c0ffee00c0ff"}}, compare: "/tools/pkgs/compare/" + revA + "..." + revC},
		{name: "checked at a rev, not the head", pinned: map[string][3]string{"pkgs": {revA, "", hashOf}, "tool": {"v2.0.0", "2.0.0", hashOf}},
			at:    map[string]string{"pkgs": revB},
			want:  map[string]string{"pkgs": "pkgs moved 5f4a1c2d9e8b -> a0b1c2d3e4f5"},
			stale: map[string][]string{"server-vendor": {"pkgs moved 5f4a1c2d9e8b -> a0b1c2d3e4f5"}}, compare: "/tools/pkgs/compare/" + revA + "..." + revB},
		{name: "pinned without a hash", pinned: map[string][3]string{"pkgs": {revC, "", ""}, "tool": {"v2.0.0", "2.0.0", hashOf}},
			want: map[string]string{"pkgs": "pkgs has no hash yet"}, stale: map[string][]string{"server-vendor": {"pkgs has no hash yet"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveReleases(t, map[string]map[string]string{"2026.2.1": release(nil)})
			srv.SetBranch("tools/pkgs", "nixos-stable", revC)
			srv.AddRelease("tools/tool", ghfake.Release{Tag: "v1.0.0"})
			srv.AddRelease("tools/tool", ghfake.Release{Tag: "v2.0.0"})
			e := &checkEnv{srv: srv, cfg: loadConfig(t, sourcesTOML), state: t.TempDir()}
			// The release's inputs recorded: only the sources can move.
			p := tinyPins(t, "2026.2.1")
			first, err := e.check(t, p, upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for path, sri := range first.NewInputs {
				p.SetInput(path, sri)
			}
			for name, pin := range tt.pinned {
				c, _ := e.checker(t)
				src, err := c.SourcePin(e.cfg, name, pin[0])
				if err != nil {
					t.Fatal(err)
				}
				src.Hash = pin[2]
				p.SetSource(name, src)
			}
			res, err := e.check(t, p, upstream.CheckOptions{Sources: tt.at})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, m := range res.Sources {
				got[m.Name] = m.Reason
				if m.Name == "pkgs" && !strings.HasSuffix(m.CompareURL, tt.compare) {
					t.Errorf("pkgs compare URL %q, want …%s", m.CompareURL, tt.compare)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("moved sources (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.stale, res.Stale); diff != "" {
				t.Errorf("stale (-want +got):\n%s", diff)
			}
			wantRev := revC
			if tt.at["pkgs"] != "" {
				wantRev = tt.at["pkgs"]
			}
			if pin := res.SourcePins["pkgs"]; pin.Rev != wantRev || !strings.HasSuffix(pin.URL, "/tools/pkgs/archive/"+wantRev+".tar.gz") {
				t.Errorf("SourcePins[pkgs] = %+v, want rev %s and its GitHub archive", pin, wantRev)
			}
			if pin := res.SourcePins["tool"]; pin.Rev != "v2.0.0" || pin.Version != "2.0.0" {
				t.Errorf("SourcePins[tool] = %+v, want v2.0.0, version 2.0.0", pin)
			}
		})
	}
}

// TestSourcePinRefusesARevOfTheWrongForm: a branch source takes only a
// full commit id, a release source only a tag of its prefix and a version.
func TestSourcePinRefusesARevOfTheWrongForm(t *testing.T) {
	e := &checkEnv{srv: ghfake.New(t), cfg: loadConfig(t, sourcesTOML), state: t.TempDir()}
	c, _ := e.checker(t)
	for _, tt := range []struct{ name, rev, want string }{
		{"pkgs", "nixos-stable", "not a full commit id"},
		{"pkgs", strings.ToUpper(revA), "not a full commit id"},
		{"pkgs", revA + "\n", "not a full commit id"},
		{"tool", "2.0.0", `not a tag "v" followed by a version`},
		{"tool", "vnext", `not a tag "v" followed by a version`},
		{"nope", revA, "no [source.nope]"},
	} {
		if _, err := c.SourcePin(e.cfg, tt.name, tt.rev); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SourcePin(%s, %q) = %v, want an error saying %q", tt.name, tt.rev, err, tt.want)
		}
	}
}

// TestHeadsSeeEveryMove: a look at the upstream and the sources changes
// state when any of them moves, and only then.
func TestHeadsSeeEveryMove(t *testing.T) {
	srv := serveReleases(t, map[string]map[string]string{"2026.2.1": release(nil)})
	srv.SetBranch("tools/pkgs", "nixos-stable", revA)
	srv.AddRelease("tools/tool", ghfake.Release{Tag: "v1.0.0"})
	e := &checkEnv{srv: srv, cfg: loadConfig(t, sourcesTOML), state: t.TempDir()}
	c, _ := e.checker(t)
	look := func() upstream.Heads {
		t.Helper()
		h, err := c.Heads(t.Context(), e.cfg)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	first := look()
	if want := "upstream=version/2026.2.1 pkgs=" + revA + " tool=v1.0.0"; first.State() != want || first.Version != "2026.2.1" {
		t.Fatalf("first look %q (version %s), want %q", first.State(), first.Version, want)
	}
	if again := look(); again.State() != first.State() {
		t.Errorf("nothing moved, but the state went from %q to %q", first.State(), again.State())
	}
	for _, move := range []func(){
		func() { srv.SetBranch("tools/pkgs", "nixos-stable", revB) },
		func() { srv.AddRelease("tools/tool", ghfake.Release{Tag: "v1.1.0"}) },
		func() {
			srv.SetFile(repo, prefix+"2026.2.2", "README.md", []byte("x"))
			srv.AddRelease(repo, ghfake.Release{Tag: prefix + "2026.2.2"})
		},
	} {
		before := look().State()
		move()
		if after := look().State(); after == before {
			t.Errorf("something moved, but the state stayed %q", after)
		}
	}
}

// flakeSourceTOML follows a flake input, pkgs, as a source: its pin is
// the revision flake.lock locks it at.
const flakeSourceTOML = `flake = "."
[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[fod.webui-deps]
attr = "webui-deps"
inputs = ["web/package-lock.json", "web/package.json", "web/packages/*/package.json"]

[fod.server-vendor]
attr = "server.goModules"
flake-inputs = ["pkgs"]

[source.pkgs]
repo = "tools/pkgs"
branch = "nixos-stable"
flake-input = "pkgs"
fods = ["server-vendor"]
`

// flakeLockWith is a flake.lock whose input pkgs is the node given.
func flakeLockWith(locked, original string) string {
	return `{"nodes": {"pkgs": {"locked": ` + locked + `, "original": ` + original + `},
  "root": {"inputs": {"pkgs": "pkgs"}}}, "root": "root", "version": 7}`
}

func TestFlakeInputSourceMoves(t *testing.T) {
	github := func(rev string) string {
		return `{"type": "github", "owner": "tools", "repo": "pkgs", "rev": "` + rev + `", "narHash": "sha256-AAAA"}`
	}
	onBranch := `{"type": "github", "owner": "tools", "repo": "pkgs", "ref": "nixos-stable"}`
	tests := []struct {
		name, lock string
		want       string // the move's reason, "" for none
		wantErr    string
	}{
		{name: "locked at the branch head", lock: flakeLockWith(github(revC), onBranch)},
		{name: "locked behind the head", lock: flakeLockWith(github(revA), onBranch), want: "pkgs moved 5f4a1c2d9e8b -> c0ffee00c0ff"},
		{name: "a git input without a ref", lock: flakeLockWith(`{"type": "git", "url": "file:///x", "rev": "`+revA+`"}`, `{"type": "git", "url": "file:///x"}`),
			want: "pkgs moved 5f4a1c2d9e8b -> c0ffee00c0ff"},
		{name: "another repository", lock: flakeLockWith(strings.Replace(github(revA), `"owner": "tools", "repo": "pkgs"`, `"owner": "NixOS", "repo": "nixpkgs"`, 1),
			`{"type": "github", "owner": "NixOS", "repo": "nixpkgs", "ref": "nixos-stable"}`),
			wantErr: `flake-input "pkgs" is github:NixOS/nixpkgs, but the source's repo is tools/pkgs`},
		{name: "locked in another repository than its original", lock: flakeLockWith(strings.Replace(github(revA), `"owner": "tools"`, `"owner": "evil"`, 1), onBranch),
			wantErr: `flake-input "pkgs" is locked in github:evil/pkgs, but its original is github:tools/pkgs`},
		{name: "another branch", lock: flakeLockWith(github(revA), `{"type": "github", "owner": "tools", "repo": "pkgs"}`),
			wantErr: `follows (none), but the source's branch is nixos-stable: name the branch in flake.nix (github:tools/pkgs/nixos-stable)`},
		{name: "a path, locked without a commit", lock: flakeLockWith(`{"type": "path", "path": "/x", "narHash": "sha256-AAAA"}`, `{"type": "path", "path": "/x"}`),
			wantErr: `locked without a commit (a "path" input)`},
		{name: "a follows", lock: `{"nodes": {"root": {"inputs": {"pkgs": ["other", "pkgs"]}}}, "root": "root", "version": 7}`,
			wantErr: `the input "pkgs" follows another input: name that one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveReleases(t, map[string]map[string]string{"2026.2.1": release(nil)})
			srv.SetBranch("tools/pkgs", "nixos-stable", revC)
			e := &checkEnv{srv: srv, cfg: loadConfig(t, flakeSourceTOML), state: t.TempDir()}
			if err := os.WriteFile(filepath.Join(e.cfg.Dir, "flake.lock"), []byte(tt.lock), 0o644); err != nil {
				t.Fatal(err)
			}
			p := tinyPins(t, "2026.2.1")
			first, err := e.check(t, p, upstream.CheckOptions{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for path, sri := range first.NewInputs {
				p.SetInput(path, sri)
			}
			res, err := e.check(t, p, upstream.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.SourcePins["pkgs"] != (pins.Source{}) {
				t.Errorf("SourcePins[pkgs] = %+v: a flake input's pin is in flake.lock", res.SourcePins["pkgs"])
			}
			var got string
			for _, m := range res.Sources {
				if m.FlakeInput != "pkgs" || m.URL != "" {
					t.Errorf("move %+v: want the flake input pkgs and no archive", m)
				}
				got = m.Reason
			}
			if got != tt.want {
				t.Fatalf("reason = %q, want %q", got, tt.want)
			}
			if stale := res.Stale["server-vendor"]; tt.want != "" && !slices.Contains(stale, tt.want) {
				t.Errorf("server-vendor stale %q, want %q among them", stale, tt.want)
			}
			if _, ok := res.Stale["webui-deps"]; ok {
				t.Errorf("webui-deps stale %q: the source does not feed it", res.Stale["webui-deps"])
			}
		})
	}
}

func TestAMovedFlakeInputMayBeLockedOnlyAtItsBranchHead(t *testing.T) {
	srv := serveReleases(t, map[string]map[string]string{"2026.2.1": release(nil)})
	srv.SetBranch("tools/pkgs", "nixos-stable", revC)
	e := &checkEnv{srv: srv, cfg: loadConfig(t, flakeSourceTOML), state: t.TempDir()}
	lock := flakeLockWith(`{"type": "github", "owner": "tools", "repo": "pkgs", "rev": "`+revA+`", "narHash": "sha256-AAAA"}`,
		`{"type": "github", "owner": "tools", "repo": "pkgs", "ref": "nixos-stable"}`)
	if err := os.WriteFile(filepath.Join(e.cfg.Dir, "flake.lock"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := e.check(t, tinyPins(t, "2026.2.1"), upstream.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pkgs": revC}
	if diff := cmp.Diff(want, res.LockedRevs()); diff != "" {
		t.Errorf("LockedRevs (-want +got):\n%s", diff)
	}
	c, _ := e.checker(t)
	heads, err := c.FlakeInputHeads(t.Context(), e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, heads); diff != "" {
		t.Errorf("FlakeInputHeads (-want +got):\n%s", diff)
	}
}
