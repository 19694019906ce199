# shellcheck shell=bash
# console-scripts.sh SITE_PACKAGES BIN_DIR PYTHON
#
# Writes BIN_DIR/<name> for every console_scripts entry point of every
# distribution in SITE_PACKAGES (its *.dist-info/entry_points.txt), run by
# PYTHON: the scripts the venv had in bin/ before python-deps.nix deleted it
# (gunicorn, which the Go server starts by name, among them). A name that
# already exists in BIN_DIR (the python symlinks) is left alone. Uses bash,
# awk and coreutils only, so it runs (and is tested) without Python.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: console-scripts.sh SITE_PACKAGES BIN_DIR PYTHON" >&2
  exit 2
fi
sitePackages=$1
binDir=$2
python=$3

# entries prints "name module attr" for each console_scripts line of the
# entry_points.txt files given, without extras; attr may be empty.
entries() {
  awk '
    function trim(s) { gsub(/^[[:space:]]+|[[:space:]]+$/, "", s); return s }
    /^[[:space:]]*[#;]/ { next }
    /^[[:space:]]*\[/ { section = trim($0); gsub(/^\[|\]$/, "", section); section = trim(section); next }
    section == "console_scripts" && index($0, "=") > 0 {
      eq = index($0, "=")
      name = trim(substr($0, 1, eq - 1))
      value = trim(substr($0, eq + 1))
      sub(/[[:space:]]*\[[^]]*\]$/, "", value)
      colon = index(value, ":")
      if (colon > 0) { module = trim(substr(value, 1, colon - 1)); attr = trim(substr(value, colon + 1)) }
      else { module = value; attr = "" }
      print name, module, attr
    }
  ' "$@"
}

mkdir -p "$binDir"
shopt -s nullglob
files=("$sitePackages"/*.dist-info/entry_points.txt)
[ ${#files[@]} -gt 0 ] || exit 0

count=0
while read -r name module attr; do
  case $name in
    "" | */* | .*)
      echo "console-scripts: skipping the entry point name \"$name\"" >&2
      continue
      ;;
  esac
  if [ -z "$module" ] || [ -z "$attr" ]; then
    echo "console-scripts: skipping $name: \"$module\" names no function (module:function)" >&2
    continue
  fi
  target=$binDir/$name
  if [ -e "$target" ] || [ -L "$target" ]; then
    continue
  fi
  cat > "$target" <<EOF
#!$python
import sys
from $module import ${attr%%.*}
if __name__ == "__main__":
    sys.exit($attr())
EOF
  chmod 0755 "$target"
  count=$((count + 1))
done < <(entries "${files[@]}" | LC_ALL=C sort -u -k1,1)
echo "console-scripts: wrote $count scripts to $binDir"
