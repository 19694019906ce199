# buildGoModule for the host toolchain: nixpkgs' shape, the part nix/'s
# recipes use. The result builds subPackages with the vendor directory of
# `goModules`, the vendor FOD: `go mod vendor` of src (after postPatch) with
# the module proxy, its output the vendor/ directory, its hash vendorHash;
# overrideModAttrs is applied to it as nixpkgs does (last).
{
  lib,
  go,
  git,
  cacert,
  stdenv,
  stdenvNoCC,
}:

args@{
  pname,
  version,
  src,
  vendorHash,
  overrideModAttrs ? (_: { }),
  modRoot ? ".",
  subPackages ? [ ],
  ldflags ? [ ],
  ...
}:

let
  goEnv = {
    GO111MODULE = "on";
    GOTOOLCHAIN = "local";
    GOFLAGS = "-mod=mod";
  };

  modArgs = {
    name = "${pname}-${version}-go-modules";
    pname = "${pname}-go-modules";
    inherit version src;
    nativeBuildInputs = (args.nativeBuildInputs or [ ]) ++ [
      go
      git
      cacert
    ];
    postPatch = args.postPatch or "";
    impureEnvVars = lib.fetchers.proxyImpureEnvVars ++ [
      "GIT_PROXY_COMMAND"
      "SOCKS_SERVER"
      "GOPROXY"
    ];
    env = goEnv // {
      SSL_CERT_FILE = "${cacert}/etc/ssl/certs/ca-bundle.crt";
    };
    configurePhase = ''
      runHook preConfigure
      export GOCACHE=$TMPDIR/go-cache GOPATH=$TMPDIR/go
      cd "${modRoot}"
      runHook postConfigure
    '';
    buildPhase = ''
      runHook preBuild
      if [ -d vendor ]; then
        echo "vendor folder exists, please set 'vendorHash = null;' in your expression" >&2
        exit 10
      fi
      go mod vendor
      mkdir -p vendor
      runHook postBuild
    '';
    installPhase = ''
      runHook preInstall
      cp -r vendor "$out"
      if ! [ "$(ls -A "$out")" ]; then
        echo "vendor folder is empty, please set 'vendorHash = null;' in your expression" >&2
        exit 10
      fi
      runHook postInstall
    '';
    outputHashMode = "recursive";
    outputHashAlgo = if vendorHash == "" then "sha256" else null;
    outputHash = vendorHash;
  };
  modAttrs = modArgs // overrideModAttrs modArgs;
  goModules = stdenvNoCC.mkDerivation (
    builtins.removeAttrs modAttrs (if modAttrs.outputHashAlgo == null then [ "outputHashAlgo" ] else [ ])
  );

  packages = if subPackages == [ ] then "./..." else toString (map (p: "./${p}") subPackages);
in
stdenv.mkDerivation (
  builtins.removeAttrs args [
    "vendorHash"
    "overrideModAttrs"
    "modRoot"
    "subPackages"
    "ldflags"
    "doCheck"
  ]
  // {
    nativeBuildInputs = (args.nativeBuildInputs or [ ]) ++ [ go ];
    env = goEnv // (args.env or { }) // { GOFLAGS = "-mod=vendor"; };
    configurePhase = ''
      runHook preConfigure
      export GOCACHE=$TMPDIR/go-cache GOPATH=$TMPDIR/go
      cd "${modRoot}"
      rm -rf vendor
      cp -r ${goModules} vendor
      chmod -R u+w vendor
      runHook postConfigure
    '';
    buildPhase = ''
      runHook preBuild
      mkdir -p "$out/bin"
      GOBIN=$out/bin go install -trimpath -ldflags ${lib.escapeShellArg (toString ldflags)} ${packages}
      runHook postBuild
    '';
    installPhase = args.installPhase or ''
      runHook preInstall
      runHook postInstall
    '';
    passthru = (args.passthru or { }) // {
      inherit goModules go;
    };
  }
)
