{ system ? builtins.currentSystem, ... }:
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
  hashOf = name:
    let h = sources.hashes.${name} or null; in
    if builtins.isAttrs h then (h.${system} or null) else h;
  fod = { name, script, mode ? "flat" }: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
    outputHashMode = mode;
    outputHashAlgo = "sha256";
    outputHash = let h = hashOf name; in if h == null then "" else h;
  };
  drv = name: script: derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
  };
in
rec {
  src = fod { name = "src"; mode = "recursive"; script = "mkdir $out && echo 'version ${sources.version}' > $out/VERSION"; };
  deps = fod {
    name = "deps";
    script = if builtins.pathExists ./deps-broken then "echo 'registry said no' >&2; exit 2"
      else "echo deps ${sources.version} for ${system} > $out";
  };
  worker = drv "app-worker" (if builtins.pathExists ./worker-slow then "sleep 30; echo slow > $out"
    else if builtins.pathExists ./worker-broken
    then "echo 'compiling the worker'; echo 'token=SECRET-TOKEN'; echo 'error: Cargo.lock has no vendor FOD' >&2; exit 1"
    else "cat ${src}/VERSION > $out");
  assembled = drv "app-assembled" "cat ${src}/VERSION ${deps} ${worker} > $out";
}
