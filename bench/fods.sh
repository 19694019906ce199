#!/bin/sh
# bench/fods.sh: time `hashbot update` on N FODs x 2 systems that each take
# about a second (sleep 1), against the same FODs built one nix-build at a
# time (the nix-update way), and print the ratios.
#
#   bench/fods.sh [N]        N defaults to 4 (8 targets)
#
# Needs Nix able to build aarch64-linux next to the host (extra-platforms;
# the script sets it through NIX_CONFIG unless NIX_CONFIG is already set).
# Target: hashbot within 1.2x of (one evaluation + the slowest single FOD).
set -eu

N=${1:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# HASHBOT names a hashbot binary to time; without it, this tree's is built
# (every time, so that a stale bin/hashbot is never what is measured).
HASHBOT=${HASHBOT:-}
: "${NIX_CONFIG:=$(printf 'substituters =\nextra-platforms = aarch64-linux\nexperimental-features = nix-command')}"
export NIX_CONFIG

if [ -z "$HASHBOT" ]; then
	HASHBOT=$ROOT/bin/hashbot
	(cd "$ROOT" && PATH=/usr/local/go/bin:$PATH go build -o "$HASHBOT" ./cmd/hashbot)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hashbot-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/nix"

# A nonce in every builder, so that no run finds an earlier run's output.
NONCE=$(date +%s%N)
{
	printf '[upstream]\nrepo = "bench/bench"\n'
	i=1
	while [ "$i" -le "$N" ]; do
		printf '\n[fod.sleep%d]\nattr = "sleep%d"\nsystems = ["x86_64-linux", "aarch64-linux"]\n' "$i" "$i"
		i=$((i + 1))
	done
} >"$WORK/hashbot.toml"
{
	printf '{\n  "version": "1",\n  "hashes": {\n'
	i=1
	while [ "$i" -le "$N" ]; do
		sep=,
		[ "$i" -eq "$N" ] && sep=
		printf '    "sleep%d": null%s\n' "$i" "$sep"
		i=$((i + 1))
	done
	printf '  }\n}\n'
} >"$WORK/nix/sources.json"
cat >"$WORK/nix/default.nix" <<NIX
{ system ? builtins.currentSystem, ... }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  hashOf = name: let h = sources.hashes.\${name} or null;
    v = if builtins.isAttrs h then h.\${system} or null else h; in if v == null then "" else v;
  sleeper = name: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "sleep 1; echo \${name} \${system} $NONCE > \$out" ];
    PATH = "/usr/bin:/bin";
    outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = hashOf name;
  };
in builtins.listToAttrs (map (i: { name = "sleep\${toString i}"; value = sleeper "sleep\${toString i}"; })
  (builtins.genList (i: i + 1) $N))
NIX

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

# One FOD alone (evaluation included): the floor for one build.
t0=$(now)
nix-build "$WORK/nix/default.nix" -A sleep1 --no-out-link >/dev/null 2>&1 || true
t1=$(now)
single=$(elapsed "$t0" "$t1")

# The nix-update way: one nix-build per FOD and system.
t0=$(now)
i=1
while [ "$i" -le "$N" ]; do
	for sys in x86_64-linux aarch64-linux; do
		nix-build "$WORK/nix/default.nix" -A "sleep$i" --argstr system "$sys" --no-out-link >/dev/null 2>&1 || true
	done
	i=$((i + 1))
done
t1=$(now)
sequential=$(elapsed "$t0" "$t1")

t0=$(now)
"$HASHBOT" update --repo "$WORK" --dry-run --log-level warn >"$WORK/out.txt" 2>&1 || {
	cat "$WORK/out.txt"
	exit 1
}
t1=$(now)
hashbot=$(elapsed "$t0" "$t1")
changed=$(grep -c ' changed ' "$WORK/out.txt" || true)

printf 'targets:                 %d (%d FODs x 2 systems), %d computed\n' $((N * 2)) "$N" "$changed"
printf 'one FOD alone:           %6.2f s\n' "$single"
printf 'one nix-build at a time: %6.2f s\n' "$sequential"
printf 'hashbot update:          %6.2f s\n' "$hashbot"
printf 'speed-up vs sequential:  %6.2fx\n' "$(echo "$sequential / $hashbot" | bc -l)"
printf 'hashbot / one FOD alone: %6.2fx (target <= 1.2)\n' "$(echo "$hashbot / $single" | bc -l)"
