# The harness for building one component at a time, locally or on a remote
# builder, with everything else from the same pins:
#
#   nix-build nix/test-build.nix -A client-go
#   nix-build nix/test-build.nix -A python-deps --argstr system aarch64-linux
#   nix-build nix/test-build.nix -A fods          # every FOD of this system
#   nix-build nix/test-build.nix -A worker-vendor # = worker.cargoDeps
#   nix-build nix/test-build.nix -A assembled
#
# It is nix/default.nix plus short names for the vendor FODs and `fods`, one
# target that builds all fixed-output derivations for the chosen system (the
# ones whose hash is null report the real hash in a hash mismatch).
{
  system ? builtins.currentSystem,
  sources ? builtins.fromJSON (builtins.readFile ./sources.json),
  # The root flake's lock, the one pin of nixpkgs (lib.nix's `nixpkgs`).
  flakeLock ? builtins.fromJSON (builtins.readFile ../flake.lock),
  pkgs ? import ((import ./lib.nix).nixpkgs flakeLock) { inherit system; },
}:

let
  authentik = import ./default.nix { inherit system pkgs sources; };
in
authentik
// {
  server-vendor = authentik.server.goModules;
  hashbot-vendor = authentik.hashbot.goModules;
  worker-vendor = authentik.worker.cargoDeps;

  fods = pkgs.linkFarm "authentik-fods-${system}" [
    {
      name = "src";
      path = authentik.src;
    }
    {
      name = "python-deps";
      path = authentik.python-deps;
    }
    {
      name = "webui-deps";
      path = authentik.webui-deps;
    }
    {
      name = "server-vendor";
      path = authentik.server.goModules;
    }
    {
      name = "hashbot-vendor";
      path = authentik.hashbot.goModules;
    }
    {
      name = "worker-vendor";
      path = authentik.worker.cargoDeps;
    }
  ];
}
