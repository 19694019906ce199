"""cargo-vendor.py CARGO_LOCK OUT

Vendors the registry crates a Cargo.lock pins, as nixpkgs' fetchCargoVendor
does, from the lock alone (no Cargo.toml of any workspace member is read):
each crate is downloaded, checked against the lock's checksum, and unpacked
to OUT/source-registry-0/<name>-<version>/ with the .cargo-checksum.json
cargo's vendored sources need. A crate the registry does not serve, or one
whose checksum differs, fails the whole run with its name and version. A
git source is refused (nothing here fetches from git hosts).

The download URL template is CARGO_VENDOR_DL (default: the registry's own
`dl`, {name} and {version} filled in).
"""
import concurrent.futures
import hashlib
import io
import json
import os
import sys
import tarfile
import tomllib
import urllib.error
import urllib.request

REGISTRY = "registry+https://github.com/rust-lang/crates.io-index"
DL = os.environ.get("CARGO_VENDOR_DL") or "https://static.crates.io/crates/{name}/{name}-{version}.crate"


def fetch(pkg):
    name, version = pkg["name"], pkg["version"]
    url = DL.format(name=name, version=version)
    last = None
    for _ in range(3):
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                data = r.read()
            break
        except urllib.error.HTTPError as e:
            raise SystemExit(f"cargo-vendor: {name} {version}: {url}: HTTP {e.code} {e.reason}")
        except OSError as e:
            last = e
    else:
        raise SystemExit(f"cargo-vendor: {name} {version}: {url}: {last}")
    got = hashlib.sha256(data).hexdigest()
    if got != pkg["checksum"]:
        raise SystemExit(f"cargo-vendor: {name} {version}: checksum {got}, Cargo.lock says {pkg['checksum']}")
    return pkg, data


def unpack(pkg, data, out):
    name, version = pkg["name"], pkg["version"]
    dest = os.path.join(out, "source-registry-0", f"{name}-{version}")
    prefix = f"{name}-{version}/"
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for m in tar.getmembers():
            if not (m.name + "/").startswith(prefix) or ".." in m.name.split("/"):
                raise SystemExit(f"cargo-vendor: {name} {version}: unexpected path {m.name!r} in the crate")
            if not (m.isfile() or m.isdir()):
                continue  # links: cargo's own vendoring skips them too
            rel = m.name[len(prefix):] if m.name != prefix.rstrip("/") else ""
            path = os.path.join(dest, rel)
            if m.isdir():
                os.makedirs(path, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(tar.extractfile(m).read())
            os.chmod(path, 0o755 if m.mode & 0o111 else 0o644)
    os.makedirs(dest, exist_ok=True)
    with open(os.path.join(dest, ".cargo-checksum.json"), "w") as fh:
        json.dump({"files": {}, "package": pkg["checksum"]}, fh)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    lock_path, out = sys.argv[1:]
    with open(lock_path, "rb") as fh:
        lock = tomllib.load(fh)
    pkgs = []
    for p in lock.get("package", []):
        src = p.get("source")
        if src is None:
            continue  # a workspace member
        if src != REGISTRY:
            print(f"cargo-vendor: {p['name']} {p['version']}: source {src} is not the registry; not vendored here", file=sys.stderr)
            return 1
        pkgs.append(p)
    print(f"cargo-vendor: {len(pkgs)} crates from {os.path.basename(lock_path)}", file=sys.stderr)
    os.makedirs(os.path.join(out, "source-registry-0"), exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for pkg, data in pool.map(fetch, pkgs):
            unpack(pkg, data, out)
    os.makedirs(os.path.join(out, ".cargo"), exist_ok=True)
    with open(os.path.join(out, ".cargo", "config.toml"), "w") as fh:
        fh.write('[source.crates-io]\nreplace-with = "vendored-sources"\n\n'
                 '[source.vendored-sources]\ndirectory = "@vendor@/source-registry-0"\n')
    return 0


if __name__ == "__main__":
    sys.exit(main())
