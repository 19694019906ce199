# hashbot as a flake: the package, an app, a development shell and an
# overlay, for Nix users who expect `nix run`, `nix profile install` and
# `nix develop`.
#
#   nix run github:hashbot-nix/hashbot -- run
#   nix develop
#
# The package is nix/default.nix's `hashbot` (nix/hashbot.nix), the very
# derivation hashbot.toml's [fod.hashbot-vendor] keeps the vendor hash of:
# that hash lives in nix/sources.json (hashes.hashbot-vendor, read through
# nix/lib.nix), never here. This flake's flake.lock is the one pin of
# nixpkgs for the whole repository: nix/lib.nix reads it too for
# `nix-build nix/...`, so the flake and the authentik build see the same
# revision. Dependabot moves it (.github/dependabot.yml, the `nix`
# ecosystem) and `hashbot fix` recomputes the hashes it feeds on that pull
# request (docs/building-authentik.md, "nixpkgs").
{
  description = "Keeps the fixed-output derivation hashes of a Nix packaging repository current";

  # The NixOS release branch; move it to the next release when it comes out
  # (docs/building-authentik.md says why this one).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs =
    { self, nixpkgs }:
    let
      # Built with CGO_ENABLED=0, hashbot runs wherever Go does; the vendor
      # hash is the same for every system (go mod vendor is).
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      # builtins only, not nixpkgs.lib: the tests evaluate this flake with
      # nixpkgs overridden by nix/host-toolchain, which has no lib.genAttrs.
      forAllSystems =
        f:
        builtins.listToAttrs (
          map (system: {
            name = system;
            value = f system nixpkgs.legacyPackages.${system};
          }) systems
        );
      # hashbot for a package set: nix/default.nix with that pkgs, the hash
      # from nix/sources.json.
      hashbotFor =
        pkgs:
        (import ./nix/default.nix {
          inherit pkgs;
          system = pkgs.stdenv.hostPlatform.system;
        }).hashbot;
    in
    {
      packages = forAllSystems (
        system: pkgs: rec {
          hashbot = hashbotFor pkgs;
          default = hashbot;
        }
      );

      apps = forAllSystems (
        system: pkgs: {
          default = {
            type = "app";
            program = "${self.packages.${system}.hashbot}/bin/hashbot";
            meta.description = "Run hashbot";
          };
        }
      );

      # What `make test` and `make lint` need; the Makefile still installs
      # its pinned staticcheck and deadcode into bin/tools, so these are for
      # editors and a quick run.
      devShells = forAllSystems (
        system: pkgs: {
          default = pkgs.mkShell {
            packages = [
              self.packages.${system}.hashbot.go # the Go hashbot is built with
              pkgs.nix
              pkgs.git
              pkgs.gnumake
              pkgs.gopls
              pkgs.go-tools # staticcheck
              pkgs.gotools # deadcode
              pkgs.shellcheck
              pkgs.actionlint
              pkgs.jq
            ];
          };
        }
      );

      # `hashbot` in your package set, built with your nixpkgs' Go. The
      # vendor hash is the one computed with this flake's nixpkgs; go mod
      # vendor's tree rarely depends on the Go release, and when it does
      # Nix stops on a hash mismatch rather than build something else (an
      # older Go than go.mod's is refused by name, nix/hashbot.nix).
      overlays.default = final: prev: { hashbot = hashbotFor final; };

      formatter = forAllSystems (system: pkgs: pkgs.nixfmt);
    };
}
