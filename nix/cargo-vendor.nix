# Fixed-output derivation: the crates a Cargo.lock pins, vendored from the
# lock alone as nixpkgs' fetchCargoVendor does (cargo-vendor.py): every
# registry crate downloaded, checked against the lock's checksum, unpacked
# under source-registry-0/. No workspace member's Cargo.toml is read, so the
# hash depends on Cargo.lock only (and on this recipe). authentik 2026.5's
# Rust worker is its first user (hashes.worker-vendor); cargo builds with
# `.cargo/config.toml`'s vendored source, @vendor@ replaced by the output.
{
  pkgs,
  src,
  version,
  hash,
  meta,
  # Cargo.lock's path in src.
  cargoLock ? "Cargo.lock",
  pname ? "authentik-worker-vendor",
}:

let
  inherit (pkgs) lib;
  authentikLib = import ./lib.nix;
in
pkgs.stdenvNoCC.mkDerivation (
  {
    inherit pname version src;

    nativeBuildInputs = [
      pkgs.python314
      pkgs.cacert
    ];

    impureEnvVars = lib.fetchers.proxyImpureEnvVars ++ [ "CARGO_VENDOR_DL" ];

    env.SSL_CERT_FILE = "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt";

    dontConfigure = true;
    dontBuild = true;

    installPhase = ''
      runHook preInstall
      python3.14 ${./cargo-vendor.py} ${cargoLock} $out
      runHook postInstall
    '';

    dontFixup = true;

    meta = meta // {
      description = "Rust crates of authentik ${version} from ${cargoLock} (fixed-output)";
    };
  }
  // authentikLib.fixedOutput hash
)
