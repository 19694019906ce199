#!/bin/sh
# remove-references-to -t PATH... FILE...: as nixpkgs' tool, overwrites the
# 32-character hash part of each store path given with -t with e's, in the
# files named, in place (the length, and so every offset, is kept).
set -eu
hashes=
while [ $# -gt 0 ]; do
  case $1 in
    -t) hashes="$hashes $(basename "$2" | cut -c1-32)"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ -n "$hashes" ] || exit 0
for f in "$@"; do
  for h in $hashes; do
    HASH=$h perl -0777 -pi -e 's/\Q$ENV{HASH}\E/"e" x 32/ge' "$f"
  done
done
