# authentik's Rust worker (new in 2026.5: the worker's entry point moved from
# `manage.py worker` to the Rust binary `authentik`, run as `authentik
# worker`). Built from the Cargo workspace at the root of the monorepo
# (Cargo.toml, Cargo.lock; members packages/ak-axum, packages/ak-common,
# packages/client-rust, website/scripts/docsmg): the root package
# `authentik` with only its `core` feature (pyo3 and sqlx; `proxy`, the other
# default feature, is the Go server's job here), as nix-community/authentik-nix
# builds it.
#
# The crates come from worker.cargoDeps, the vendor FOD of cargo-vendor.nix
# (hashes.worker-vendor in nix/sources.json), which reads Cargo.lock only;
# cargo reads them through the `[source]` replacement that FOD writes, with
# --frozen (the lock as it is, no network).
#
# What the build needs, from the 2026.5.6 manifests and authentik-nix:
#   - Python 3.14 at build time: pyo3-build-config (build-dependency) asks
#     the interpreter PYO3_PYTHON names, and the binary links libpython;
#   - cmake, Go and Perl: aws-lc-rs with its `fips` feature builds
#     aws-lc-fips-sys, whose build runs all three;
#   - GCC 13: authentik-nix adds gcc13 to the same build (kept as it is there,
#     not checked here);
#   - RUSTFLAGS "--cfg tokio_unstable" (console-subscriber).
{
  pkgs,
  src,
  version,
  worker-vendor,
  meta,
}:

let
  python = pkgs.python314;
in
pkgs.stdenv.mkDerivation {
  pname = "authentik-worker";
  inherit version src;

  nativeBuildInputs = [
    pkgs.cargo
    pkgs.rustc
    pkgs.cmake
    pkgs.go
    pkgs.perl
    pkgs.gcc13
    python
  ];
  buildInputs = [ python ];

  env = {
    RUSTFLAGS = "--cfg tokio_unstable";
    PYO3_PYTHON = "${python}/bin/python3.14";
  };

  # cmake is for aws-lc-fips-sys's build script, not for this package.
  dontUseCmakeConfigure = true;
  dontConfigure = true;

  buildPhase = ''
    runHook preBuild

    export CARGO_HOME=$TMPDIR/cargo-home
    mkdir -p "$CARGO_HOME"
    sed 's|@vendor@|${worker-vendor}|' ${worker-vendor}/.cargo/config.toml > "$CARGO_HOME/config.toml"
    # go (aws-lc-fips-sys) wants a writable cache.
    export GOCACHE=$TMPDIR/go-cache
    cargo build --release --frozen -j "$NIX_BUILD_CORES" \
      --package authentik --no-default-features --features core

    runHook postBuild
  '';

  installPhase = ''
    runHook preInstall
    install -Dm0755 target/release/authentik $out/bin/authentik
    runHook postInstall
  '';

  # worker.cargoDeps is the vendor FOD (hashes.worker-vendor).
  passthru = {
    cargoDeps = worker-vendor;
    inherit python;
  };

  meta = meta // {
    description = "authentik's Rust worker (`authentik worker`)";
    mainProgram = "authentik";
  };
}
