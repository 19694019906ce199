# shellcheck shell=bash
# shellcheck disable=SC2154 # defaultPath, out, src, …: set by Nix
# The generic builder of the host toolchain's mkDerivation (default.nix): the
# part of nixpkgs' stdenv setup that nix/'s recipes use. The phases unpack,
# patch, configure, build, install (and fixup, a no-op), each replaceable by
# an attribute of the same name; runHook runs the named hook's attribute;
# nativeBuildInputs and buildInputs put their bin/ on PATH and source their
# nix-support/setup-hook.
set -eu
set -o pipefail

PATH=$defaultPath
for p in ${nativeBuildInputs-} ${buildInputs-}; do
  [ -d "$p/bin" ] && PATH=$p/bin:$PATH
done
export PATH
: "${TMPDIR:=/tmp}"
export TMPDIR
# Not /homeless-shelter: these builds may run as root without a sandbox,
# where a tool that writes to $HOME would create it (and Nix then refuses
# every build).
export HOME=$TMPDIR/homeless-shelter
export NIX_BUILD_CORES=${NIX_BUILD_CORES:-1}

runHook() {
  local hook=$1
  if [ -n "${!hook-}" ]; then
    eval "${!hook}"
  fi
  local arr="${hook}s[@]"
  if declare -p "${hook}s" >/dev/null 2>&1; then
    local f
    for f in "${!arr}"; do "$f"; done
  fi
}

for p in ${nativeBuildInputs-} ${buildInputs-}; do
  if [ -f "$p/nix-support/setup-hook" ]; then
    # shellcheck disable=SC1091
    . "$p/nix-support/setup-hook"
  fi
done

substituteInPlace() {
  local file=$1; shift
  while [ $# -gt 0 ]; do
    case $1 in
      --replace-fail|--replace)
        if [ "$1" = --replace-fail ] && ! grep -qF -- "$2" "$file"; then
          echo "substituteInPlace: $file has no '$2'" >&2; exit 1
        fi
        FROM=$2 TO=$3 perl -0777 -pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$file"
        shift 3 ;;
      *) echo "substituteInPlace: unknown argument $1" >&2; exit 1 ;;
    esac
  done
}

defaultUnpack() {
  runHook preUnpack
  local srcName
  srcName=$(basename "$src"); srcName=${srcName#*-}
  if [ -d "$src" ]; then
    cp -r "$src" "$srcName"
  else
    mkdir "$srcName"; tar -xf "$src" -C "$srcName" --strip-components=1
  fi
  chmod -R u+w "$srcName"
  cd "${sourceRoot:-$srcName}"
  runHook postUnpack
}

phase() {
  local name=$1 default=$2
  if [ -n "${!name-}" ]; then
    echo "host-toolchain: $name" >&2
    eval "${!name}"
  else
    $default
  fi
}

noop() { :; }
defaultPatch() { runHook prePatch; runHook postPatch; }
defaultConfigure() {
  [ -n "${dontConfigure-}" ] && return 0
  runHook preConfigure; runHook postConfigure
}
defaultBuild() { runHook preBuild; runHook postBuild; }
defaultInstall() { runHook preInstall; mkdir -p "$out"; runHook postInstall; }

cd "$TMPDIR"
if [ -n "${src-}" ]; then phase unpackPhase defaultUnpack; fi
phase patchPhase defaultPatch
[ -n "${dontConfigure-}" ] || phase configurePhase defaultConfigure
[ -n "${dontBuild-}" ] || phase buildPhase defaultBuild
phase installPhase defaultInstall
