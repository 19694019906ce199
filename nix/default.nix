# authentik built from source, one derivation a file. Every hash comes from
# ./sources.json (written by hashbot, read through ./lib.nix), so a version
# bump or a lock-file change edits JSON only, never Nix code.
#
#   nix-build nix/default.nix -A webui                      # one component
#   nix-build nix/default.nix -A python-deps --argstr system aarch64-linux
#
# The result set is built lazily: its attribute names are known without
# evaluating `pkgs`, which is forced only when a derivation is. The tests rely
# on that to check hashbot.toml's `attr` paths without nixpkgs.
{
  system ? builtins.currentSystem,
  sources ? builtins.fromJSON (builtins.readFile ./sources.json),
  # The root flake's lock, the one pin of nixpkgs (lib.nix's `nixpkgs`).
  flakeLock ? builtins.fromJSON (builtins.readFile ../flake.lock),
  pkgs ? import ((import ./lib.nix).nixpkgs flakeLock) { inherit system; },
}:

let
  authentikLib = import ./lib.nix;
  pins = authentikLib.readPins sources;
  inherit (pins) version;

  # The per-system hashes are picked by `system`; refuse a `pkgs` built for
  # another platform rather than declare the wrong hash.
  hostPkgs =
    if pkgs.stdenv.hostPlatform.system == system then
      pkgs
    else
      throw "nix/default.nix: system is ${system} but pkgs is for ${pkgs.stdenv.hostPlatform.system}; pass the same system to both";

  # hash: a system-independent FOD; hashFor: one hash per system.
  hash = name: authentikLib.hash { inherit sources name; };
  hashFor = name: authentikLib.hashForSystem { inherit sources name system; };

  meta = {
    description = "authentik identity provider, built from source";
    # authentik's LICENSE: MIT, but for authentik/enterprise/ (its own
    # licence, in that directory) and website/; nixpkgs' authentik says MIT.
    license = pkgs.lib.licenses.mit;
    homepage = "https://goauthentik.io/";
    changelog = "https://github.com/goauthentik/authentik/releases/tag/version%2F${version}";
    platforms = authentikLib.systems;
  };

  common = {
    pkgs = hostPkgs;
    inherit version meta;
  };

  src = import ./src.nix {
    pkgs = hostPkgs;
    tag = authentikLib.tag version;
    hash = hash "src";
  };

  client-go = import ./client-go.nix (common // { inherit src; });
  client-ts = import ./client-ts.nix (common // { inherit src; });
  api-go-vendor-hook = import ./api-go-vendor-hook.nix {
    pkgs = hostPkgs;
    inherit client-go;
  };

  python-deps = import ./python-deps.nix (
    common
    // {
      inherit src;
      hash = hashFor "python-deps";
    }
  );
  authentik-django = import ./authentik-django.nix (
    common
    // {
      inherit src python-deps webui;
    }
  );

  webui-deps = import ./webui-deps.nix (
    common
    // {
      inherit src;
      hash = hashFor "webui-deps";
    }
  );
  webui = import ./webui.nix (
    common
    // {
      inherit src webui-deps client-ts;
    }
  );

  # server.goModules is the vendor FOD (hashes.server-vendor).
  server = import ./server.nix (
    common
    // {
      inherit src authentik-django webui api-go-vendor-hook;
      vendorHash = hash "server-vendor";
    }
  );

  # The Rust worker (authentik 2026.5); worker.cargoDeps is its vendor FOD
  # (hashes.worker-vendor), the crates of Cargo.lock.
  worker = import ./worker.nix (
    common
    // {
      inherit src;
      worker-vendor = import ./cargo-vendor.nix (
        common
        // {
          inherit src;
          hash = hash "worker-vendor";
        }
      );
    }
  );

  assembled = import ./assembled.nix (
    common
    // {
      inherit
        src
        authentik-django
        server
        webui
        worker
        ;
    }
  );

  # hashbot itself; hashbot.goModules is its vendor FOD (hashes.hashbot-vendor).
  hashbot = import ./hashbot.nix {
    pkgs = hostPkgs;
    vendorHash = hash "hashbot-vendor";
  };
in
{
  inherit
    src
    client-go
    client-ts
    api-go-vendor-hook
    python-deps
    authentik-django
    webui-deps
    webui
    server
    worker
    assembled
    hashbot
    ;
}
