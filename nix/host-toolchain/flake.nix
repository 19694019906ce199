# The host toolchain as a flake, to stand in for the root flake's nixpkgs
# input where nixpkgs cannot be fetched (nix/flake_test.go):
#
#   nix build .#default --override-input nixpkgs path:$PWD/nix/host-toolchain \
#     --option sandbox false
#
# legacyPackages has the systems the root flake builds for; only the host's
# can build (default.nix's tools are the host's programs).
{
  description = "nixpkgs stand-in made of the host's programs (tests only)";

  outputs =
    { self }:
    {
      legacyPackages = builtins.listToAttrs (
        map
          (system: {
            name = system;
            value = import ./default.nix { inherit system; };
          })
          [
            "x86_64-linux"
            "aarch64-linux"
            "x86_64-darwin"
            "aarch64-darwin"
          ]
      );
    };
}
