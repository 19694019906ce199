# shellcheck shell=bash
# install-wheels.sh PYTHON PREFIX WHEEL...
#
# Installs each wheel into PREFIX with pypa/installer, byte-compiling
# nothing. `python -m installer` takes exactly one wheel (its only
# positional argument), so the wheels are installed one by one, as nixpkgs'
# pypa-install-hook does; handing it several fails with "unrecognized
# arguments". PYTHON must have the `installer` module.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: install-wheels.sh PYTHON PREFIX WHEEL..." >&2
  exit 2
fi
python=$1
prefix=$2
shift 2

for wheel in "$@"; do
  if [ ! -f "$wheel" ]; then
    echo "install-wheels: $wheel is not a file (did the wheel build write to dist/?)" >&2
    exit 1
  fi
  echo "install-wheels: $(basename "$wheel")"
  "$python" -m installer --prefix "$prefix" --no-compile-bytecode "$wheel"
done
