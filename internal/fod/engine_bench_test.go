package fod

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pins"
	"github.com/hashbot-nix/hashbot/internal/testutil"
)

// BenchmarkComputeSleepTargets computes 4 FODs x 2 systems that each sleep
// one second. Target (issue 3): within 1.2x of one FOD alone plus one
// evaluation, about 1.1 s here; one nix-build at a time takes about 9 s
// (bench/fods.sh prints both).
func BenchmarkComputeSleepTargets(b *testing.B) {
	testutil.RequireNix(b)
	dir := writeSleepRepo(b, 4)
	cfg, err := config.Load(dir, config.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	stored, err := cfg.PinsLayout().Load(pins.ReadTree(cfg.Dir), "")
	if err != nil {
		b.Fatal(err)
	}
	p := stored.Pins
	e := NewEngine(EngineOptions{Nix: nixcmd.New(nixcmd.Options{})})
	for b.Loop() {
		rep, err := e.Compute(b.Context(), Request{Config: cfg, Pins: p})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Changed()) != 8 {
			b.Fatalf("%s, want 8 changed", rep.Summary())
		}
	}
	b.ReportMetric(8, "targets/op")
}

// writeSleepRepo writes a repo of n per-system FODs whose builders sleep 1 s.
func writeSleepRepo(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	var toml, hashes, attrs strings.Builder
	toml.WriteString("[upstream]\nrepo = \"bench/bench\"\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&toml, "\n[fod.sleep%d]\nattr = \"sleep%d\"\nsystems = [\"x86_64-linux\", \"aarch64-linux\"]\n", i, i)
		sep := ","
		if i == n {
			sep = ""
		}
		fmt.Fprintf(&hashes, "    \"sleep%d\": null%s\n", i, sep)
		fmt.Fprintf(&attrs, "  sleep%d = sleeper \"sleep%d\";\n", i, i)
	}
	nix := `{ system ? builtins.currentSystem, ... }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  hashOf = name: let h = sources.hashes.${name} or null;
    v = if builtins.isAttrs h then h.${system} or null else h; in if v == null then "" else v;
  sleeper = name: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "sleep 1; echo ${name} ${system} > $out" ];
    PATH = "/usr/bin:/bin";
    outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = hashOf name;
  };
in {
` + attrs.String() + "}\n"
	files := map[string]string{
		"hashbot.toml":     toml.String(),
		"nix/sources.json": "{\n  \"version\": \"1\",\n  \"hashes\": {\n" + hashes.String() + "  }\n}\n",
		"nix/default.nix":  nix,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}
