#!/bin/sh
# bench/fods.sh: time `hashbot update` on N FODs x 2 systems that each take
# about a second (sleep 1), against one FOD alone, for each N given, and
# print the ratios; also against a bare `nix-build` of the same targets in
# one call, whose difference to hashbot is hashbot's fixed cost (probing
# Nix, evaluating, confirming the hashes); for the first N, also against the
# same FODs built one nix-build at a time (the nix-update way).
#
#   bench/fods.sh [N...]        N defaults to "4 8 16" (8, 16, 32 targets)
#
# Needs Nix able to build aarch64-linux next to the host (extra-platforms;
# the script sets it through NIX_CONFIG unless NIX_CONFIG is already set),
# and bc. Targets: hashbot within 1.2x of one FOD alone at 8 targets, and
# within 1.5x at 32 where Nix can build them all at once (more build users
# than targets, or auto-allocate-uids: see the warning hashbot prints).
# Fixed cost (issue 20): hashbot minus the bare nix-build ≤ 0.2 s at 8 targets.
set -eu

[ $# -gt 0 ] || set -- 4 8 16
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# HASHBOT names a hashbot binary to time; without it, this tree's is built
# (every time, so that a stale bin/hashbot is never what is measured).
HASHBOT=${HASHBOT:-}
: "${NIX_CONFIG:=$(printf 'substituters =\nextra-platforms = aarch64-linux\nexperimental-features = nix-command\nextra-sandbox-paths = /usr /lib64')}"
export NIX_CONFIG

if [ -z "$HASHBOT" ]; then
	HASHBOT=$ROOT/bin/hashbot
	(cd "$ROOT" && PATH=/usr/local/go/bin:$PATH go build -o "$HASHBOT" ./cmd/hashbot)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hashbot-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
fake() { printf '%s' "$1" | sha256sum | cut -c1-64; }
elapsed() { echo "$2 - $1" | bc; }

# repo N: a packaging repo of N sleeping FODs x 2 systems, fresh outputs.
repo() {
	n=$1 dir=$WORK/repo-$1
	mkdir -p "$dir/nix"
	# A nonce in every builder, so that no run finds an earlier run's output.
	nonce=$(date +%s%N)
	{
		printf '[upstream]\nrepo = "bench/bench"\n'
		i=1
		while [ "$i" -le "$n" ]; do
			printf '\n[fod.sleep%d]\nattr = "sleep%d"\nsystems = ["x86_64-linux", "aarch64-linux"]\n' "$i" "$i"
			i=$((i + 1))
		done
	} >"$dir/hashbot.toml"
	{
		printf '{\n  "version": "1",\n  "hashes": {\n'
		i=1
		while [ "$i" -le "$n" ]; do
			sep=,
			[ "$i" -eq "$n" ] && sep=
			printf '    "sleep%d": null%s\n' "$i" "$sep"
			i=$((i + 1))
		done
		printf '  }\n}\n'
	} >"$dir/nix/sources.json"
	cat >"$dir/nix/default.nix" <<NIX
{ system ? builtins.currentSystem, ... }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  hashOf = name: let h = sources.hashes.\${name} or null;
    v = if builtins.isAttrs h then h.\${system} or null else h; in if v == null then "" else v;
  sleeper = name: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" "sleep 1; echo \${name} \${system} $nonce > \$out" ];
    PATH = "/usr/bin:/bin";
    outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = hashOf name;
  };
in builtins.listToAttrs (map (i: { name = "sleep\${toString i}"; value = sleeper "sleep\${toString i}"; })
  (builtins.genList (i: i + 1) $n))
NIX
	echo "$dir"
}

# bare N: the repo of N FODs for one bare nix-build of every target, each
# with a placeholder hash of its own as hashbot builds it (one shared empty
# hash would give the two systems' builds one output path, and Nix would
# run them one after the other).
bare() {
	dir=$(repo "$1")
	{
		printf '{\n  "version": "1",\n  "hashes": {\n'
		i=1
		while [ "$i" -le "$1" ]; do
			sep=,
			[ "$i" -eq "$1" ] && sep=
			printf '    "sleep%d": { "x86_64-linux": "%s", "aarch64-linux": "%s" }%s\n' "$i" \
				"$(fake "sleep$i x86_64-linux")" "$(fake "sleep$i aarch64-linux")" "$sep"
			i=$((i + 1))
		done
		printf '  }\n}\n'
	} >"$dir/nix/sources.json"
	cat >"$dir/nix/all.nix" <<'NIX'
builtins.concatMap (system: builtins.attrValues (import ./default.nix { inherit system; }))
  [ "x86_64-linux" "aarch64-linux" ]
NIX
	echo "$dir"
}

printf 'Nix %s\n' "$(nix-build --version | awk '{print $NF}')"
printf '%-8s %-14s %-14s %-10s %-12s %-11s %s\n' targets "one FOD alone" "hashbot" "ratio" "bare build" "fixed cost" "one at a time"
first=1
for n in "$@"; do
	dir=$(repo "$n")
	# One FOD alone (evaluation included): the floor for one build.
	t0=$(now)
	nix-build "$dir/nix/default.nix" -A sleep1 --no-out-link >/dev/null 2>&1 || true
	single=$(elapsed "$t0" "$(now)")
	# The same targets in one bare nix-build, as hashbot's first build runs
	# it (every hash a mismatch, fresh outputs): the floor for hashbot's run.
	dir=$(bare "$n")
	t0=$(now)
	nix-build "$dir/nix/all.nix" --keep-going --no-out-link --max-jobs $((n * 2)) >/dev/null 2>&1 || true
	bare=$(elapsed "$t0" "$(now)")
	dir=$(repo "$n") # fresh outputs again
	sequential=-
	if [ "$first" -eq 1 ]; then
		t0=$(now)
		i=1
		while [ "$i" -le "$n" ]; do
			for sys in x86_64-linux aarch64-linux; do
				nix-build "$dir/nix/default.nix" -A "sleep$i" --argstr system "$sys" --no-out-link >/dev/null 2>&1 || true
			done
			i=$((i + 1))
		done
		sequential=$(printf '%.2f s' "$(elapsed "$t0" "$(now)")")
		dir=$(repo "$n")
	fi
	t0=$(now)
	"$HASHBOT" update --repo "$dir" --dry-run --log-level warn >"$WORK/out.txt" 2>&1 || {
		cat "$WORK/out.txt"
		exit 1
	}
	hashbot=$(elapsed "$t0" "$(now)")
	changed=$(grep -c ' changed ' "$WORK/out.txt" || true)
	[ "$changed" -eq $((n * 2)) ] || { echo "only $changed of $((n * 2)) targets computed:" >&2; cat "$WORK/out.txt" >&2; exit 1; }
	printf '%-8s %-14s %-14s %-10s %-12s %-11s %s\n' $((n * 2)) "$(printf '%.2f s' "$single")" "$(printf '%.2f s' "$hashbot")" \
		"$(printf '%.2fx' "$(echo "$hashbot / $single" | bc -l)")" "$(printf '%.2f s' "$bare")" \
		"$(printf '%+.2f s' "$(echo "$hashbot - $bare" | bc -l)")" "$sequential"
	grep -i 'build users' "$WORK/out.txt" | head -n 1 || true
	first=0
done
