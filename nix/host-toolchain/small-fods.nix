# nix/'s FOD recipes, unchanged, on small real inputs (the packaging repos of
# internal/realfods' tests): each is built against the host toolchain with
# src a directory of the test repository.
#
#   uv      python-deps.nix on <root>/uv (pyproject.toml, uv.lock)
#   npm     webui-deps.nix on <root>/npm (web/package.json, its lock, an
#           npm workspace under web/packages/)
#   npm404  webui-deps.nix on <root>/npm404 (a lock pinning a version the
#           registry does not serve)
#   cargo   cargo-vendor.nix on <root>/cargo (Cargo.lock)
{
  system ? builtins.currentSystem,
  root,
  sources,
}:

let
  lib = import ../lib.nix;
  pkgsFor = dir: import ./. {
    inherit system;
    srcTree = root + "/${dir}";
  };
  srcOf =
    dir:
    (pkgsFor dir).fetchFromGitHub {
      owner = "realfods";
      repo = dir;
      tag = "test";
    };
  pkgs = import ./. { inherit system; };
  common = dir: {
    inherit pkgs;
    src = srcOf dir;
    version = "0.1.0";
    meta = { };
  };
  hashFor = name: lib.hashForSystem {
    inherit sources name system;
    supported = [ system ];
  };
  all = {
  uv = import ../python-deps.nix (common "uv" // { hash = hashFor "uv"; });
  npm = import ../webui-deps.nix (common "npm" // { hash = hashFor "npm"; });
  npm404 = import ../webui-deps.nix (common "npm404" // { hash = hashFor "npm404"; });
  cargo = import ../cargo-vendor.nix (
    common "cargo"
    // {
      hash = lib.hash {
        inherit sources;
        name = "cargo";
      };
      pname = "realfods-cargo-vendor";
    }
  );
  };
in
# Only the attributes whose directory the repository has.
builtins.removeAttrs all (builtins.filter (d: !builtins.pathExists (root + "/${d}")) (builtins.attrNames all))
