# The example's entry point: a function of the system, like authentik's.
# Hashes come from sources.json, which hashbot writes; nothing here needs
# nixpkgs (the builders use the host's /bin/sh, go and npm).
{ system ? builtins.currentSystem, ... }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);

  # The pinned hash of an FOD: a string, or an object keyed by system.
  # null (not computed yet) becomes "", which Nix reads as a fake hash.
  hashOf = name:
    let h = sources.hashes.${name} or null;
        v = if builtins.isAttrs h then h.${system} or null else h;
    in if v == null then "" else v;

  # A fixed-output derivation with a /bin/sh builder and network access.
  fod = { name, pin, script, env ? { } }: derivation ({
    inherit name system;
    builder = "/bin/sh";
    args = [ "-e" "-c" script ];
    PATH = "/usr/local/go/bin:/usr/bin:/bin";
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = hashOf pin;
    impureEnvVars = [ "http_proxy" "https_proxy" "HTTP_PROXY" "HTTPS_PROXY" "NO_PROXY" ];
  } // env);

  src = import ./src.nix { inherit fod; inherit (sources) version; };
  goModules = import ./go-vendor.nix { inherit fod src; };
  npmDeps = import ./npm-deps.nix { inherit fod src system; };
in
{
  inherit src;
  server.goModules = goModules;
  webui.npmDeps = npmDeps;
  # What the hashes feed ([check] attrs): the package, assembled from the
  # three FODs (authentik: nix/'s assembled). Not a fixed-output derivation.
  app = derivation {
    name = "example-app-${sources.version}";
    inherit system;
    builder = "/bin/sh";
    args = [ "-e" "-c" "mkdir $out && ls ${src} > $out/src && ls ${goModules} > $out/vendor && ls ${npmDeps} > $out/web" ];
    PATH = "/usr/bin:/bin";
  };
}
