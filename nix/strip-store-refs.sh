# shellcheck shell=bash
# strip-store-refs.sh STORE_DIR DIR
#
# Removes every Nix store reference from the files under DIR, so that a
# fixed-output derivation's output refers to nothing (a FOD may not). The
# references are found by looking (grep over every file, text or binary),
# not listed by hand: a static list of the libraries python-deps links
# against missed six. Each is overwritten with remove-references-to, which
# writes e's over the 32-character hash part (keeping file sizes and
# offsets); e is outside Nix's base-32 alphabet, so a hash part that is
# still real afterwards is an error.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: strip-store-refs.sh STORE_DIR DIR" >&2
  exit 2
fi
storeDir=$1
dir=$2
refsFile=$(mktemp)
trap 'rm -f "$refsFile"' EXIT

# Hash parts, each as STORE_DIR/<hash>- (what remove-references-to's -t
# takes: it keys on the hash); sorted, so the log line is the same each run.
{ find "$dir" -type f -print0 |
  xargs -0 -r grep -aohE "$storeDir/[0-9a-z]{32}-" || true; } | sort -u > "$refsFile"
echo "strip-store-refs: removing $(wc -l < "$refsFile") store references from $dir"

targets=()
while IFS= read -r ref; do targets+=(-t "$ref"); done < "$refsFile"
if [ ${#targets[@]} -gt 0 ]; then
  find "$dir" -type f -exec remove-references-to "${targets[@]}" {} +
fi

if grep -RlaE "$storeDir/[0-9a-df-np-sv-z]{32}-" "$dir"; then
  echo "strip-store-refs: the files above still refer to the Nix store" >&2
  exit 1
fi
