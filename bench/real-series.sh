#!/usr/bin/env bash
# bench/real-series.sh: hashbot follows authentik across three real
# releases, 2026.2.1 -> 2026.2.2 -> 2026.5.6, the way it runs for a
# maintainer: one packaging repository (git, with a bare remote), the
# releases served by a stand-in GitHub (ghfaked, as `make demo` does), and
# per release `hashbot check` then `hashbot run --verify`, which commits the
# pins, pushes the branch and opens the pull request; the series merges it
# before the next release. The FODs are nix/'s recipes, unchanged, against
# the host toolchain (nix/host-toolchain) in scripts/real-root's sid root,
# fetching from the real registries. `make real-series` runs it; figures go
# to docs/building-authentik.md.
#
# What it shows, from hashbot's own output (results in $REAL_OUT, default
# /var/tmp/hashbot-real-series, one directory a step):
#   1. `hashbot update --verify --partial` at 2026.2.1 computes every FOD in
#      one nix-build per layer (src, then the dependency FODs that read it);
#   2. 2026.2.1 -> 2026.2.2 rebuilds what the fingerprints say changed
#      (uv.lock, web/package-lock.json) and not server-vendor, whose go.mod,
#      go.sum and imports are the same;
#   3. the packaging repository adds the Rust worker's FOD for 2026.5
#      (hashbot.toml gains [fod.worker-vendor], as nix/'s did) and the web
#      UI's, and 2026.2.2 -> 2026.5.6 computes them for the first time.
#
# The release trees are scripts/real-src's, from ../shared/fixtures/authentik
# (REAL_FIXTURES overrides), without uv.lock's GitHub git source (GitHub is
# not reached here): the lock files and manifests are the releases' own, and
# nothing else of authentik's source is there. Two stand-ins, said again in
# the output:
#   - the 2026.5.6 fixture has no go.mod/go.sum (and the Go proxy refuses
#     goauthentik.io at the release commit, 403), so the 2026.5.6 tree
#     carries 2026.2.2's: server-vendor is then unchanged again;
#   - src is the release tree copied into the store as a fixed-output
#     derivation (hash from Nix), standing in for fetchFromGitHub.
# webui-deps joins at 2026.5.6: the npm registry here no longer serves
# versions 2026.2.x's web/package-lock.json pins (404 for
# @patternfly/pfe-core 5.0.4), and `hashbot run` commits nothing when an
# FOD fails (a first series with it from the start stopped there, saying
# "not every hash could be computed, nothing was committed: [webui-deps
# (x86_64-linux): failed]" with npm's 404 in the FOD's log).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
W=/var/tmp/real-series

if [ "${HASHBOT_REAL_INSIDE:-}" = 1 ]; then
  export NIX_CONFIG="sandbox = false
build-users-group =
substituters =
experimental-features = nix-command"
  export PATH=/usr/local/bin:$PATH
  export HASHBOT_STATE_DIR=$W/state HASHBOT_LOG_FORMAT=console HASHBOT_LOG_LEVEL=info
  export GITHUB_TOKEN=series-token
  out=$W/out
  hb=/src/bin/hashbot
  mkdir -p "$out"

  /src/bin/ghfaked --listen 127.0.0.1:0 --repo goauthentik/authentik \
    --release version/2026.2.1=$W/trees/2026.2.1 \
    --release version/2026.2.2=$W/trees/2026.2.2 \
    --release version/2026.5.6=$W/trees/2026.5.6 \
    --pr-repo hashbot-nix/authentik-series >"$W/ghfaked.url" 2>"$out/ghfaked.log" &
  fake=$!
  trap 'kill $fake 2>/dev/null || true' EXIT
  for _ in $(seq 100); do [ -s "$W/ghfaked.url" ] && break; sleep 0.1; done
  GITHUB_API_URL=$(head -n1 "$W/ghfaked.url")
  export GITHUB_API_URL

  cd "$W/repo"
  git config --global user.name series; git config --global user.email series@localhost
  git config --global init.defaultBranch main
  git init -q -b main
  git add -A
  git commit -qm "authentik 2026.2.1, hashes not computed yet"
  git init -q --bare "$W/remote.git"
  git remote add origin "$W/remote.git"
  git push -q origin main

  # step NAME CMD...: runs a hashbot command, keeping its stdout, log, time
  # and exit code.
  step() {
    local name=$1; shift
    echo "== $name: $*" >&2
    local t0 rc=0
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.log" || rc=$?
    printf '%s\t%s\t%.1f\t%s\n' "$name" "$rc" "$(echo "$(date +%s.%N) - $t0" | bc)" \
      "$(awk -F': ' '/Maximum resident/ {print $2}' "$out/$name.time")K" | tee -a "$out/steps.tsv" >&2
  }
  # merge: what a maintainer's merge of hashbot's pull request does.
  merge() {
    local branch
    branch=$(git ls-remote --heads origin 'hashbot/*' | awk '{print $2}' | sed 's,refs/heads/,,' | sort | tail -n1)
    if [ -z "$branch" ]; then
      echo "real-series: hashbot pushed no branch; stopping here" >&2
      return 1
    fi
    git fetch -q origin "$branch"
    git merge -q --ff-only FETCH_HEAD
    git push -q origin main
    echo "merged $branch: $(git log --oneline -1)" >&2
  }

  printf 'step\trc\tseconds\tmax_rss\n' >"$out/steps.tsv"
  step 1-update-2026.2.1 "$hb" update --verify --partial --json
  git add -A && git commit -qm "hashbot: the hashes of 2026.2.1" && git push -q origin main
  step 2-check-2026.2.2 "$hb" check --version 2026.2.2 --json
  step 2-run-2026.2.2 "$hb" run --version 2026.2.2 --verify --json
  merge || exit 1
  # The packaging repository takes the Rust worker for 2026.5, and the web
  # UI's dependencies, whose 2026.2 lock this registry no longer serves
  # whole (see the top).
  cat >>hashbot.toml <<'TOML'

[fod.webui-deps]
attr = "webui-deps"
systems = ["x86_64-linux"]
inputs = ["web/package-lock.json", "web/package.json", "web/packages/*/package.json"]

[fod.worker-vendor]
attr = "worker-vendor"
inputs = ["Cargo.lock", "Cargo.toml", "packages/*/Cargo.toml"]
TOML
  git commit -qam "nix: the web UI's and the Rust worker's FODs (authentik 2026.5)" && git push -q origin main
  step 3-check-2026.5.6 "$hb" check --version 2026.5.6 --json
  step 3-run-2026.5.6 "$hb" run --version 2026.5.6 --verify --json
  merge || exit 1
  step 4-check-after "$hb" check --version 2026.5.6 --json
  git log --oneline >"$out/git-log.txt"
  cp sources.json hashbot.toml "$out/"
  exit 0
fi

fixtures=${REAL_FIXTURES:-}
if [ -z "$fixtures" ]; then
  for d in "$repo/../shared/fixtures/authentik" /work/shared/fixtures/authentik; do
    [ -d "$d" ] && { fixtures=$d; break; }
  done
fi
for v in 2026.2.1 2026.2.2 2026.5.6; do
  if [ -z "$fixtures" ] || [ ! -d "$fixtures/version-$v" ]; then
    echo "real-series: no fixture folder for $v (${fixtures:-shared/fixtures/authentik not found}); nothing run" >&2
    exit 0
  fi
done
root=${NIX_MATRIX_DIR:-/var/tmp/hashbot-nix-matrix}/sid
results=${REAL_OUT:-/var/tmp/hashbot-real-series}

"$repo/scripts/real-root" >/dev/null
(cd "$repo" && export CGO_ENABLED=0 PATH=/usr/local/go/bin:$PATH &&
  go build -o bin/hashbot ./cmd/hashbot && go build -o bin/ghfaked ./internal/ghclient/ghfake/ghfaked)

host=$root$W
rm -rf "$host"
mkdir -p "$host/trees" "$host/repo"
for v in 2026.2.1 2026.2.2 2026.5.6; do
  "$repo/scripts/real-src" "$fixtures/version-$v" "$host/trees/$v" --drop-git-sources
done
echo "real-series: stand-in: 2026.5.6 has no go.mod/go.sum in the fixtures; its tree carries 2026.2.2's" >&2
cp "$fixtures/version-2026.2.2/go.mod" "$fixtures/version-2026.2.2/go.sum" "$host/trees/2026.5.6/"

cd "$host/repo"
cat >hashbot.toml <<'TOML'
# bench/real-series.sh: authentik's FODs (nix/, against the host toolchain).
entry = "real.nix"
pins = "sources.json"

[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"

[pull-request]
repo = "hashbot-nix/authentik-series"

[fod.src]
attr = "src"

[fod.python-deps]
attr = "python-deps"
systems = ["x86_64-linux"]
inputs = ["uv.lock", "pyproject.toml", "packages/*/pyproject.toml"]

[fod.server-vendor]
attr = "server-vendor"
inputs = ["go.mod", "go.sum"]
TOML
cat >sources.json <<'JSON'
{"version": "2026.2.1", "hashes": {"src": null, "python-deps": null, "server-vendor": null}}
JSON
cat >real.nix <<'NIX'
# bench/real-series.sh: nix/'s recipes against the host toolchain; the
# release tree is the one of the pinned version, as fetchFromGitHub's would be.
{ system ? builtins.currentSystem }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  lib = import /src/nix/lib.nix;
  tree = /var/tmp/real-series/trees + "/${sources.version}";
  host = import /src/nix/host-toolchain { inherit system; srcTree = tree; };
  # src as a fixed-output derivation, its hash from the pins.
  pkgs = host // {
    fetchFromGitHub = { hash ? "", name ? "source", ... }: derivation {
      inherit name system;
      builder = "/bin/sh";
      src = builtins.path { path = tree; name = "${name}-tree"; };
      args = [ "-c" "/bin/cp -r $src $out && /bin/chmod -R u+w $out" ];
      outputHashMode = "recursive";
      outputHashAlgo = "sha256";
      outputHash = hash;
    };
  };
  # The FODs hashbot.toml does not list yet evaluate with no hash.
  withHashes = sources // { hashes = { webui-deps = null; worker-vendor = null; } // sources.hashes; };
  a = import /src/nix/default.nix { inherit system pkgs; sources = withHashes; };
in
{
  inherit (a) src python-deps webui-deps;
  server-vendor = a.server.goModules;
  worker-vendor = import /src/nix/cargo-vendor.nix {
    inherit pkgs;
    inherit (a) src;
    version = sources.version;
    hash = lib.hash { sources = withHashes; name = "worker-vendor"; };
    meta = { };
  };
}
NIX
"$repo/scripts/real-root" -- /usr/bin/env HASHBOT_REAL_INSIDE=1 /bin/bash /src/bench/real-series.sh
rm -rf "$results"
cp -r "$host/out" "$results"
echo "real-series: results in $results (steps.tsv, each step's .out/.log)" >&2
cat "$results/steps.tsv"
