#!/usr/bin/env bash
# bench/real-fods.sh [VERSION...]: authentik's real FODs, at real size, from
# the real registries, in the sid root of scripts/real-root, against the host
# toolchain (nix/host-toolchain): per FOD, a bare nix-build (empty hash) and
# `hashbot update --verify` (built, then built again with --check), with
# hashbot's peak RSS, the NAR size, the disk used and whether both builds
# matched. `make real` runs it; results go to $REAL_OUT (default
# /var/tmp/hashbot-real-fods/results.tsv, one line a FOD) and stdout.
#
# VERSION defaults to "2026.2.2 2026.5.6". The lock files come from
# ../shared/fixtures/authentik/version-VERSION (REAL_FIXTURES overrides the
# folder of versions); they are copied into the root's scratch directory,
# never into the repository. A missing fixture folder is skipped, saying so.
#
# The FODs, per version, as the fixture has their inputs:
#   python-deps        nix/python-deps.nix on the release's uv.lock
#   python-deps-nogit  the same, uv.lock without its GitHub git source
#                      (scripts/real-src --drop-git-sources): GitHub is not
#                      reached here, so this is what measures uv at size
#   webui-deps         nix/webui-deps.nix on web/package-lock.json
#   server-vendor      nix/server.nix's goModules on go.mod/go.sum (the
#                      fixture has no Go source, and `go mod vendor` copies
#                      only imported packages: modules.txt alone)
#   server-modules     the same FOD as nixpkgs' proxyVendor = true makes it:
#                      `go mod download` of every module go.mod requires
#                      (what meets the module proxy at size)
#   hashbot-vendor     nix/hashbot.nix's goModules (this repository's go.mod:
#                      the Go vendor FOD at size that the proxy serves whole)
#   worker-vendor      nix/cargo-vendor.nix on Cargo.lock (2026.5)
# REAL_FODS limits them (space-separated names); REAL_RUN names a separate
# work directory (/var/tmp/real-fods/VERSION-REAL_RUN in the root).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

if [ "${HASHBOT_REAL_INSIDE:-}" = 1 ]; then
  # Inside the root: $1 is the work directory, the rest FOD names.
  dir=$1; shift
  cd "$dir"
  export NIX_CONFIG="sandbox = false
build-users-group =
substituters =
experimental-features = nix-command"
  export PATH=/usr/local/bin:$PATH
  for fod in "$@"; do
    log=$dir/$fod
    # 1. A bare nix-build, the hash empty: the build Nix does anyway.
    t0=$(date +%s.%N)
    nix-build real.nix -A "$fod" --no-out-link >"$log.bare.log" 2>&1 || true
    bare=$(echo "$(date +%s.%N) - $t0" | bc)
    # 2. hashbot update --verify, its own peak RSS sampled from /proc.
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$log.time" /src/bin/hashbot update --repo . --fod "$fod" --verify --dry-run --json \
      >"$log.json" 2>"$log.hashbot.log" &
    tpid=$!
    hwm=0
    while kill -0 "$tpid" 2>/dev/null; do
      hpid=$(pgrep -P "$tpid" -x hashbot || true)
      if [ -n "$hpid" ]; then
        h=$(awk '/^VmHWM/ {print $2}' "/proc/$hpid/status" 2>/dev/null || echo 0)
        [ "${h:-0}" -gt "$hwm" ] && hwm=$h
      fi
      sleep 0.2
    done
    wait "$tpid" || true
    hb=$(echo "$(date +%s.%N) - $t0" | bc)
    tree=$(awk -F': ' '/Maximum resident/ {print $2}' "$log.time")
    status=$(python3.14 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(",".join(x["status"] for x in r) or "none")' "$log.json" 2>/dev/null || echo error)
    new=$(python3.14 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(",".join(x.get("new","-") for x in r))' "$log.json" 2>/dev/null || echo -)
    nar=- disk=- reason=-
    if [ "$status" = changed ]; then
      # The output is in the store under its real hash now: its NAR size
      # and what it takes on disk.
      python3.14 - "$fod" "$new" <<'PY'
import json, sys
fod, new = sys.argv[1:]
s = json.load(open("sources.json"))
h = s["hashes"]
if isinstance(h.get(fod), dict) or fod in ("python-deps", "python-deps-nogit", "webui-deps"):
    h[fod] = {"x86_64-linux": new, "aarch64-linux": None}
else:
    h[fod] = new
json.dump(s, open("sources.json", "w"), indent=2)
PY
      out=$(nix-build real.nix -A "$fod" --no-out-link 2>/dev/null | tail -n 1)
      nar=$(nix-store -q --size "$out")
      disk=$(du -sk "$out" | cut -f1)K
    else
      reason=$(python3.14 -c '
import json,sys
r=json.load(open(sys.argv[1]))["results"]
lines=[l for x in r for l in x.get("log_tail",[]) if not l.startswith("@nix")]
keys=("404 Not Found","403 Forbidden","404","403","error:","Failed","failed","ERROR")
pick=[l for k in keys for l in lines if k in l]
print((pick or lines or [x.get("message","") for x in r] or ["?"])[0][:220]); sys.exit(0)
pick=[l for l in lines if any(k in l for k in keys)]
print((pick or lines or [x.get("message","") for x in r] or ["?"])[0][:220])' "$log.json" 2>/dev/null || echo "see $log.hashbot.log")
    fi
    printf '%s\t%s\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\n' "$VERSION" "$fod" "$bare" "$hb" "${hwm}K" "${tree}K" "$nar" "$disk" "$status" "$reason"
  done
  exit 0
fi

[ $# -gt 0 ] || set -- 2026.2.2 2026.5.6
fixtures=${REAL_FIXTURES:-}
if [ -z "$fixtures" ]; then
  for d in "$repo/../shared/fixtures/authentik" /work/shared/fixtures/authentik; do
    [ -d "$d" ] && { fixtures=$d; break; }
  done
fi
root=${NIX_MATRIX_DIR:-/var/tmp/hashbot-nix-matrix}/sid
outfile=${REAL_OUT:-/var/tmp/hashbot-real-fods/results.tsv}
mkdir -p "$(dirname "$outfile")"

"$repo/scripts/real-root" >/dev/null
(cd "$repo" && CGO_ENABLED=0 PATH=/usr/local/go/bin:$PATH go build -o bin/hashbot ./cmd/hashbot)

printf 'version\tfod\tnix-build_s\thashbot_verify_s\thashbot_peak_rss\ttree_max_rss\tnar_bytes\tdisk\tstatus\treason\n' | tee "$outfile"
for v in "$@"; do
  fx=${fixtures:+$fixtures/version-$v}
  if [ -z "$fx" ] || [ ! -d "$fx" ]; then
    echo "real-fods: no fixture folder for $v (${fx:-shared/fixtures/authentik not found}); skipped" >&2
    continue
  fi
  work=/var/tmp/real-fods/$v${REAL_RUN:+-$REAL_RUN}
  host=$root$work
  rm -rf "$host"; mkdir -p "$host"
  "$repo/scripts/real-src" "$fx" "$host/src"
  "$repo/scripts/real-src" "$fx" "$host/src-nogit" --drop-git-sources
  # The quick ones first.
  fods="hashbot-vendor"
  [ -f "$fx/go.sum" ] && fods="$fods server-vendor server-modules"
  [ -f "$fx/Cargo.lock" ] && fods="$fods worker-vendor"
  [ -f "$fx/web/package-lock.json" ] && fods="$fods webui-deps"
  [ -f "$fx/uv.lock" ] && fods="$fods python-deps python-deps-nogit"
  if [ -n "${REAL_FODS:-}" ]; then
    keep=""
    for f in $fods; do case " $REAL_FODS " in *" $f "*) keep="$keep $f" ;; esac; done
    fods=$keep
  fi
  cat >"$host/hashbot.toml" <<TOML
entry = "real.nix"
pins = "sources.json"

[upstream]
repo = "goauthentik/authentik"
tag-prefix = "version/"
TOML
  for f in $fods; do
    case $f in
      python-deps*|webui-deps) printf '\n[fod.%s]\nattr = "%s"\nsystems = ["x86_64-linux"]\n' "$f" "$f" ;;
      *) printf '\n[fod.%s]\nattr = "%s"\n' "$f" "$f" ;;
    esac
  done >>"$host/hashbot.toml"
  cat >"$host/sources.json" <<JSON
{"version": "$v", "hashes": {"src": null, "python-deps": null, "python-deps-nogit": null, "webui-deps": null,
 "server-vendor": null, "server-modules": null, "hashbot-vendor": null, "worker-vendor": null}}
JSON
  cat >"$host/real.nix" <<'NIX'
# bench/real-fods.sh: nix/ against the host toolchain, src from the fixture.
{ system ? builtins.currentSystem }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  lib = import /src/nix/lib.nix;
  pkgsFor = srcTree: import /src/nix/host-toolchain { inherit system srcTree; };
  a = import /src/nix/default.nix { inherit system sources; pkgs = pkgsFor ./src; };
  b = import /src/nix/default.nix {
    inherit system;
    pkgs = pkgsFor ./src-nogit;
    sources = sources // { hashes = sources.hashes // { python-deps = sources.hashes.python-deps-nogit; }; };
  };
in
{
  inherit (a) python-deps webui-deps;
  python-deps-nogit = b.python-deps;
  server-vendor = a.server.goModules;
  # nixpkgs' proxyVendor: the module cache's download/ directory.
  server-modules = (a.server.goModules.overrideAttrs (o: {
    buildPhase = "runHook preBuild; go mod download; runHook postBuild";
    installPhase = "runHook preInstall; cp -r \"$GOPATH/pkg/mod/cache/download\" $out; rm -rf $out/sumdb; runHook postInstall";
    outputHash = lib.hash { inherit sources; name = "server-modules"; };
    outputHashAlgo = "sha256";
  }));
  hashbot-vendor = a.hashbot.goModules;
  worker-vendor = import /src/nix/cargo-vendor.nix {
    pkgs = pkgsFor ./src;
    inherit (a) src;
    version = sources.version;
    hash = lib.hash { inherit sources; name = "worker-vendor"; };
    meta = { };
  };
}
NIX
  echo "real-fods: $v:$fods" >&2
  "$repo/scripts/real-root" -- /usr/bin/env HASHBOT_REAL_INSIDE=1 VERSION="$v" \
    /bin/bash /src/bench/real-fods.sh "$work" $fods | tee -a "$outfile"
done
