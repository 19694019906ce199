package fod

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
	dir := writeSleepRepo(b, 4, "")
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

// BenchmarkComputeFixedCost measures what computing 4 FODs x 2 systems
// that each sleep one second costs beyond a bare nix-build of the same 8
// targets in one call (fixed-s/op): asking Nix for its version and
// settings (cached in the state directory, as the CLI does), evaluating
// the targets, and confirming their hashes. Target (issue 20): ≤ 0.2 s;
// bench/fods.sh measures the same for the hashbot binary. nix-procs/op
// counts the Nix processes of a Compute (the bare build is one).
func BenchmarkComputeFixedCost(b *testing.B) {
	testutil.RequireNix(b)
	counter := &processCounter{Runner: nixcmd.New(nixcmd.Options{}), n: map[string]int{}}
	e := NewEngine(EngineOptions{Nix: counter, StateDir: b.TempDir()})
	if _, err := e.probeHost(b.Context()); err != nil {
		b.Fatal(err)
	}
	clear(counter.n)
	var fixed time.Duration
	for b.Loop() {
		// Fresh outputs for each build: a nonce in every builder.
		bare := writeSleepRepo(b, 4, strconv.FormatInt(time.Now().UnixNano(), 10))
		start := time.Now()
		// Every target fails with a hash mismatch, as hashbot's first build.
		_ = exec.CommandContext(b.Context(), "nix-build", filepath.Join(bare, "nix", "bare.nix"),
			"--keep-going", "--no-out-link", "--max-jobs", "8").Run()
		bareTime := time.Since(start)

		dir := writeSleepRepo(b, 4, strconv.FormatInt(time.Now().UnixNano(), 10))
		cfg, err := config.Load(dir, config.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		stored, err := cfg.PinsLayout().Load(pins.ReadTree(cfg.Dir), "")
		if err != nil {
			b.Fatal(err)
		}
		p := stored.Pins
		start = time.Now()
		rep, err := e.Compute(b.Context(), Request{Config: cfg, Pins: p})
		if err != nil {
			b.Fatal(err)
		}
		fixed += time.Since(start) - bareTime
		if len(rep.Changed()) != 8 {
			b.Fatalf("%s, want 8 changed", rep.Summary())
		}
	}
	procs := 0
	for _, n := range counter.n {
		procs += n
	}
	b.ReportMetric(fixed.Seconds()/float64(b.N), "fixed-s/op")
	b.ReportMetric(float64(procs)/float64(b.N), "nix-procs/op")
}

// writeSleepRepo writes a repo of n per-system FODs whose builders sleep 1 s
// and write their name, system and nonce. Its nix/bare.nix is every target
// of both systems, each with a placeholder hash of its own, for one bare
// nix-build.
func writeSleepRepo(b *testing.B, n int, nonce string) string {
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
	nix := `{ system ? builtins.currentSystem, placeholders ? false, ... }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  hashOf = name: let h = sources.hashes.${name} or null;
    v = if builtins.isAttrs h then h.${system} or null else h; in
    if placeholders then builtins.hashString "sha256" "${name} ${system}"
    else if v == null then "" else v;
  sleeper = name: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "sleep 1; echo ${name} ${system} ` + nonce + ` > $out" ];
    PATH = "/usr/bin:/bin";
    outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = hashOf name;
  };
in {
` + attrs.String() + "}\n"
	files := map[string]string{
		"hashbot.toml":     toml.String(),
		"nix/sources.json": "{\n  \"version\": \"1\",\n  \"hashes\": {\n" + hashes.String() + "  }\n}\n",
		"nix/default.nix":  nix,
		"nix/bare.nix": `builtins.concatMap (system: builtins.attrValues (import ./default.nix { inherit system; placeholders = true; }))
  [ "x86_64-linux" "aarch64-linux" ]
`,
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
