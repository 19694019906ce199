# A stand-in for nixpkgs made of the host's own programs, for building nix/'s
# fixed-output derivations (FODs) where nixpkgs cannot be fetched: a Debian
# root (scripts/real-root) with Python 3.14, uv, Node.js/npm, Go, cargo, a C
# compiler and the -dev libraries installed by apt. Each package here is a
# tiny derivation (builder /bin/sh) whose bin/ links to /usr/bin; libraries
# are found where the system compiler finds them (/usr/include, /usr/lib).
# Builds need the sandbox off (sandbox = false): the tools live outside the
# store.
#
#   nix-build nix/default.nix -A python-deps \
#     --arg pkgs 'import ./nix/host-toolchain { }' --option sandbox false
#
# The FOD recipes of nix/ run unchanged against it. The hashes they give are
# this toolchain's (Debian's Python, compiler and libraries, the pinned uv,
# npm and Go), not the pinned nixpkgs': see docs/building-authentik.md.
#
# Arguments:
#   system   the platform (must be the host's);
#   srcTree  a directory that stands in for the authentik release tarball
#            (fetchFromGitHub copies it; no hash is checked): see
#            scripts/real-src, which makes one from shared/ fixture files;
#   usrBin   where the tools are (default /usr/bin; tests point it at a
#            directory of fakes).
{
  system ? builtins.currentSystem,
  srcTree ? null,
  usrBin ? "/usr/bin",
}:

let
  lib = import ./lib.nix;

  # The tools' directories, searched in order, for a program that may be in
  # /usr/local/bin (uv from PyPI, npm from the npm registry, Go).
  binDirs = [
    "/usr/local/bin"
    usrBin
  ];
  firstBin =
    prog:
    let
      found = builtins.filter (d: builtins.pathExists "${d}/${prog}") binDirs;
    in
    if found == [ ] then "${usrBin}/${prog}" else "${builtins.head found}/${prog}";

  shell = "/bin/sh";

  # tools NAME PROGRAMS: a package whose bin/ has a link to each program.
  tools =
    name: progs:
    derivation {
      inherit name system;
      builder = shell;
      args = [
        "-c"
        ''
          set -e
          /bin/mkdir -p "$out/bin"
          for p in ${toString (map firstBin progs)}; do
            /bin/ln -s "$p" "$out/bin/''${p##*/}"
          done
        ''
      ];
    };

  # An empty package: a library the compiler finds in /usr by itself.
  sysLib =
    name:
    derivation {
      inherit name system;
      builder = shell;
      args = [
        "-c"
        "/bin/mkdir -p $out/nix-support"
      ];
    }
    // {
      lib = sysLib "${name}-lib";
      dev = sysLib "${name}-dev";
    };

  # The C compiler, wrapped as nixpkgs' cc-wrapper is for what the recipes
  # use: NIX_CFLAGS_COMPILE is added to every compile, after the command's
  # own arguments (cc-wrapper's extraAfter: the recipe's flags win, e.g. a
  # later -frandom-seed or -g0). Python's sysconfig names the
  # target-prefixed compiler, so those names are wrapped too.
  triple =
    {
      x86_64-linux = "x86_64-linux-gnu";
      aarch64-linux = "aarch64-linux-gnu";
    }
    .${system} or (throw "host-toolchain: unsupported system ${system}");
  cc = derivation {
    name = "host-cc-wrapper";
    inherit system;
    builder = shell;
    args = [
      "-c"
      ''
        set -e
        /bin/mkdir -p "$out/bin"
        wrap() {
          printf '#!/bin/sh\n# shellcheck disable=SC2086\nexec %s "$@" $NIX_CFLAGS_COMPILE\n' "$2" > "$out/bin/$1"
          /bin/chmod +x "$out/bin/$1"
        }
        for n in cc gcc ${triple}-gcc; do wrap "$n" ${usrBin}/gcc; done
        for n in c++ g++ ${triple}-g++; do wrap "$n" ${usrBin}/g++; done
      ''
    ];
  };

  coreutils = tools "host-coreutils" [ ];

  mkDerivationWith =
    extraInputs: args:
    let
      passthru = args.passthru or { };
      envAttrs = args.env or { };
      name = args.name or "${args.pname}-${args.version}";
      drvAttrs = builtins.removeAttrs args [
        "passthru"
        "meta"
        "env"
        "pname"
      ];
      drv = derivation (
        drvAttrs
        // envAttrs
        // {
          inherit name system;
          builder = "/bin/bash";
          args = [ ./setup.sh ];
          nativeBuildInputs = extraInputs ++ (args.nativeBuildInputs or [ ]);
          buildInputs = args.buildInputs or [ ];
          defaultPath = "/usr/local/bin:${usrBin}:/bin";
        }
      );
    in
    drv
    // passthru
    // {
      inherit passthru;
      meta = args.meta or { };
      pname = args.pname or name;
      version = args.version or "";
      overrideAttrs =
        f:
        let
          new = if builtins.isFunction (f args) then f args args else f args;
        in
        mkDerivationWith extraInputs (args // new);
    };

  stdenvNoCC = {
    mkDerivation = mkDerivationWith [ ];
    hostPlatform = {
      inherit system;
    };
    buildPlatform = {
      inherit system;
    };
    inherit shell;
  };
  stdenv = stdenvNoCC // {
    mkDerivation = mkDerivationWith [ cc ];
    inherit cc;
  };

  # The Go toolchain: Debian's (golang-go), else /usr/local/go.
  goRoot = if builtins.pathExists /usr/lib/go/bin/go then "/usr/lib/go" else "/usr/local/go";
  goVersion =
    let
      v = builtins.head (lib.splitLines (builtins.readFile "${goRoot}/VERSION"));
    in
    lib.removePrefix "go" v;
  go =
    derivation {
      name = "host-go-${goVersion}";
      inherit system;
      builder = shell;
      args = [
        "-c"
        "/bin/mkdir -p $out/bin && /bin/ln -s ${goRoot}/bin/go ${goRoot}/bin/gofmt $out/bin/"
      ];
    }
    // {
      version = goVersion;
      GOOS = "linux";
      GOARCH = if system == "aarch64-linux" then "arm64" else "amd64";
    };

  cacert = derivation {
    name = "host-cacert";
    inherit system;
    builder = shell;
    args = [
      "-c"
      "/bin/mkdir -p $out/etc/ssl/certs && /bin/cp /etc/ssl/certs/ca-certificates.crt $out/etc/ssl/certs/ca-bundle.crt"
    ];
  };

  # nixpkgs' remove-references-to: the 32-character hash part of each
  # path given with -t is overwritten with e's, in place.
  removeReferencesTo = derivation {
    name = "host-remove-references-to";
    inherit system;
    builder = shell;
    args = [
      "-c"
      ''
        set -e
        /bin/mkdir -p "$out/bin"
        /bin/cp ${./remove-references-to.sh} "$out/bin/remove-references-to"
        /bin/chmod +x "$out/bin/remove-references-to"
      ''
    ];
  };

  buildGoModule = import ./build-go-module.nix {
    inherit
      lib
      go
      cacert
      stdenv
      stdenvNoCC
      ;
    git = tools "host-git" [ "git" ];
  };

  fetchFromGitHub =
    {
      owner,
      repo,
      rev ? null,
      tag ? null,
      hash ? "",
      name ? "source",
      ...
    }:
    if srcTree == null then
      throw "host-toolchain: fetchFromGitHub ${owner}/${repo}: GitHub is not reached here; pass srcTree (a directory standing in for the release, see scripts/real-src)"
    else
      derivation {
        inherit name system;
        builder = shell;
        src = builtins.path {
          path = srcTree;
          name = "${name}-tree";
        };
        args = [
          "-c"
          "/bin/cp -r $src $out && /bin/chmod -R u+w $out"
        ];
      };
in
{
  inherit
    lib
    system
    stdenv
    stdenvNoCC
    cc
    go
    buildGoModule
    cacert
    removeReferencesTo
    fetchFromGitHub
    coreutils
    ;
  python314 = tools "host-python3.14" [ "python3.14" ] // {
    pythonVersion = "3.14";
  };
  uv = tools "host-uv" [ "uv" ];
  git = tools "host-git" [ "git" ];
  nodejs_24 = tools "host-nodejs" [
    "node"
    "npm"
    "npx"
  ];
  cargo = tools "host-cargo" [
    "cargo"
    "rustc"
  ];
  rustc = tools "host-rustc" [ "rustc" ];
  pkg-config = tools "host-pkg-config" [ "pkg-config" ];
  bash = tools "host-bash" [ "bash" ];
  postgresql = sysLib "host-postgresql" // {
    pg_config = tools "host-pg_config" [ "pg_config" ];
  };
  krb5 = tools "host-krb5" [ "krb5-config" ] // {
    lib = sysLib "host-krb5-lib";
  };
  # For evaluation only (server.nix compares the API client hook with the
  # vendor FOD's inputs, which needs its store path): never built here.
  openapi-generator-cli = tools "host-openapi-generator-cli" [ "openapi-generator-cli" ];
  writeShellScript =
    name: text:
    derivation {
      inherit name system text;
      builder = shell;
      passAsFile = [ "text" ];
      args = [
        "-c"
        "{ echo '#!/bin/bash'; /bin/cat \"$textPath\"; } > $out && /bin/chmod +x $out"
      ];
    };
  makeSetupHook =
    { name, ... }:
    script:
    derivation {
      inherit name system script;
      builder = shell;
      args = [
        "-c"
        "/bin/mkdir -p $out/nix-support && /bin/cp $script $out/nix-support/setup-hook"
      ];
    };
  # For the root flake's devShells.default (nix/flake_test.go evaluates it
  # with this toolchain as nixpkgs): the host's programs, a shell of them.
  nix = tools "host-nix" [
    "nix"
    "nix-build"
    "nix-instantiate"
  ];
  gnumake = tools "host-make" [ "make" ];
  gopls = tools "host-gopls" [ "gopls" ];
  go-tools = tools "host-go-tools" [ "staticcheck" ];
  gotools = tools "host-gotools" [ "deadcode" ];
  shellcheck = tools "host-shellcheck" [ "shellcheck" ];
  actionlint = tools "host-actionlint" [ "actionlint" ];
  jq = tools "host-jq" [ "jq" ];
  nixfmt = tools "host-nixfmt" [ "nixfmt" ];
  mkShell =
    {
      name ? "nix-shell",
      packages ? [ ],
      ...
    }:
    derivation {
      inherit name system;
      builder = shell;
      PATH = lib.makeBinPath packages;
      args = [
        "-c"
        "echo \"export PATH=$PATH\" > $out"
      ];
    };
  libxml2 = sysLib "host-libxml2";
  libxslt = sysLib "host-libxslt";
  xmlsec = sysLib "host-xmlsec";
  libtool = sysLib "host-libtool";
  openssl = sysLib "host-openssl";
  libpq = sysLib "host-libpq";
  libffi = sysLib "host-libffi";
  zlib = sysLib "host-zlib";
  linkFarm =
    name: entries:
    derivation {
      inherit name system;
      builder = shell;
      args = [
        "-c"
        (
          "/bin/mkdir -p $out\n"
          + builtins.concatStringsSep "\n" (map (e: "/bin/ln -s ${e.path} $out/${e.name}") entries)
        )
      ];
    };
}
