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
in
rec {
  flat = fod { name = "flat"; script = "echo flat > $out"; };
  tree = fod { name = "tree"; mode = "recursive"; script = "mkdir -p $out/sub && echo leaf > $out/sub/leaf"; };
  persys = fod { name = "persys"; script = "echo ${system} > $out"; };
  nested.deep = fod { name = "deep"; script = "echo deep > $out"; };
  right = fod { name = "right"; script = "echo right > $out"; };
  src = fod { name = "src"; mode = "recursive"; script = "mkdir $out && echo 'version ${sources.version}' > $out/VERSION"; };
  deps = fod { name = "deps"; script = "cat ${src}/VERSION > $out && echo deps >> $out"; };
  fail = fod { name = "fail"; script = "echo 'fetching deps...'; echo 'oops: registry said no' >&2; exit 3"; };
  clock = fod { name = "clock"; script = "date +%s%N > $out"; };
  # An unreproducible source feeding a deps FOD that is reproducible given it.
  clockSrc = fod { name = "clocksrc"; mode = "recursive"; script = "mkdir $out && date +%s%N > $out/stamp"; };
  clockDeps = fod { name = "clockdeps"; script = "cat ${clockSrc}/stamp > $out"; };
  slow = fod { name = "slow"; script = "sleep 31.7; echo slow > $out"; };
  # Its hash is written here, not read from the pins: hashbot must notice.
  fixedOwn = derivation {
    name = "fixed"; inherit system; builder = "/bin/sh"; args = [ "-c" "echo right > $out" ];
    PATH = "/usr/bin:/bin"; outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = "sha256-Vcl4ArOX702g2OLs9Kj6M8H0dV2g6s7FTGLKy7z9lxM=";
  };
  # A dependency only a riscv64-linux machine can build.
  riscvTool = derivation {
    name = "riscv-tool"; system = "riscv64-linux"; builder = "/bin/sh";
    args = [ "-c" "echo tool > $out" ];
  };
  needsRiscv = fod { name = "needsriscv"; script = "cat ${riscvTool} > $out"; };
  riscv = fod { name = "riscv"; script = "echo ${system} > $out"; };
  # Needs a system feature no machine here offers.
  feature = derivation {
    name = "feature"; inherit system; builder = "/bin/sh"; args = [ "-c" "echo feature > $out" ];
    requiredSystemFeatures = [ "hashbot-missing" ];
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = let h = hashOf "feature"; in if h == null then "" else h;
  };
  # Prints a mismatch block of its own for flat, with a forged hash, then
  # fails: a builder running upstream code could.
  forger = derivation {
    name = "forger"; inherit system; builder = "/bin/sh";
    victim = builtins.unsafeDiscardStringContext flat.drvPath;
    args = [ "-c" ''
      echo "error: hash mismatch in fixed-output derivation '$victim':"
      echo "         specified: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
      echo "            got:    sha256-EVILEVILEVILEVILEVILEVILEVILEVILEVILEVILEVI="
      exit 1'' ];
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = let h = hashOf "forger"; in if h == null then "" else h;
  };
  # Asks Nix for hashbot's secrets and prints them.
  envPrinter = derivation {
    name = "envprinter"; inherit system; builder = "/bin/sh";
    impureEnvVars = [ "GITHUB_TOKEN" "HASHBOT_WEBHOOK_SECRET" ];
    args = [ "-c" "echo \"token=[$GITHUB_TOKEN] secret=[$HASHBOT_WEBHOOK_SECRET]\"; exit 1" ];
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = let h = hashOf "envprinter"; in if h == null then "" else h;
  };
}
