"""uv-exclude-newer.py UV_LOCK: print the newest upload-time in a uv.lock.

python-deps.nix gives it to uv as UV_EXCLUDE_NEWER. uv.lock pins every
runtime file by hash, but not the build tools of the sdists compiled in the
FOD (setuptools, Cython, ...): uv resolves those when it builds, and without
a cutoff it takes the newest on PyPI, so the same lock would give another
output next month. Nothing newer than the newest file of the lock is
needed to build the release, so that instant, read from the lock itself, is
the cutoff: the same lock, the same build tools.
"""

import sys
import tomllib
from datetime import datetime


def newest_upload(lock: dict) -> str:
    """Return the newest upload-time of the lock's sdists and wheels."""
    newest, newest_at = "", None
    for package in lock.get("package", []):
        files = [package.get("sdist") or {}] + list(package.get("wheels", []))
        for f in files:
            stamp = f.get("upload-time")
            if not isinstance(stamp, str):
                continue
            at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            if at.tzinfo is None:
                raise ValueError(f"upload-time {stamp!r} has no time zone")
            if newest_at is None or at > newest_at:
                newest, newest_at = stamp, at
    if newest_at is None:
        raise ValueError("no upload-time in the lock (uv writes them since 0.6.15)")
    return newest


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: uv-exclude-newer.py UV_LOCK", file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            print(newest_upload(tomllib.load(f)))
    except (OSError, ValueError, tomllib.TOMLDecodeError) as e:
        print(f"uv-exclude-newer: {argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
