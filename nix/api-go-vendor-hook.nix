# apiGoVendorHook: a setup hook for the server build that replaces
# vendor/goauthentik.io/api/v3/ (the client-go release named in go.mod up to
# authentik 2026.2; from 2026.5 server.nix's stub of the monorepo's
# packages/client-go, which go.mod's replace names) with the bindings
# generated from this release's schema.yml (client-go.nix).
#
# It runs after buildGoModule's configurePhase has copied the verified vendor
# FOD into vendor/, and never inside a fixed-output derivation: the vendor
# hash therefore depends on go.mod and go.sum only, not on the generator.
# server.nix also leaves the hook out of the vendor FOD (overrideModAttrs), so
# computing that hash does not even build client-go.
{ pkgs, client-go }:

pkgs.makeSetupHook { name = "authentik-api-go-vendor-hook"; } (
  pkgs.writeShellScript "authentik-api-go-vendor-hook.sh" ''
    apiGoVendorHook() {
      if [ ! -d vendor/goauthentik.io/api/v3 ]; then
        echo "apiGoVendorHook: vendor/goauthentik.io/api/v3 not found; is goauthentik.io/api/v3 still a dependency in go.mod?" >&2
        exit 1
      fi
      chmod -R u+w vendor/goauthentik.io/api
      rm -rf vendor/goauthentik.io/api/v3
      cp -r ${client-go} vendor/goauthentik.io/api/v3
      chmod -R u+w vendor/goauthentik.io/api/v3
      echo "apiGoVendorHook: vendor/goauthentik.io/api/v3 is now ${client-go}"
    }

    # A fixed-output derivation (the vendor FOD) has outputHash set.
    if [ -z "''${outputHash-}" ]; then
      postConfigureHooks+=(apiGoVendorHook)
    fi
  ''
)
