# hashbot itself, built from this repository: the bot that keeps the hashes
# in nix/sources.json current, including its own vendor hash.
#
# hashbot.goModules is the vendor FOD; its hash is hashes.hashbot-vendor in
# nix/sources.json, and hashbot.toml lists it with go.mod and go.sum as its
# local inputs, so hashbot recomputes it whenever they change. The source is
# only what `go` reads (go.mod, go.sum, *.go), so editing docs or Nix files
# does not rebuild it.
{ pkgs, vendorHash }:

let
  inherit (pkgs) lib;
  root = ./..;
  # go.mod asks for Go 1.26; use it where nixpkgs has it by name.
  buildGoModule = pkgs.buildGo126Module or pkgs.buildGoModule;
  go = if pkgs ? buildGo126Module then pkgs.go_1_26 else pkgs.go;
  # The `go` line of this repository's go.mod: an older Go refuses it
  # (GOTOOLCHAIN=local), so say so before building.
  goModVersion = builtins.head (builtins.match ".*\ngo ([0-9.]+)\n.*" (builtins.readFile ../go.mod));
in
if builtins.compareVersions go.version goModVersion < 0 then
  throw "hashbot: go.mod needs Go >= ${goModVersion}, but nixpkgs has Go ${go.version}"
else
buildGoModule {
  pname = "hashbot";
  version = "0-unstable";
  inherit vendorHash;

  src = lib.fileset.toSource {
    inherit root;
    # Nested go.mod files (the examples/ repo's Go module) are kept so that
    # their directories stay outside hashbot's module.
    fileset = lib.fileset.fileFilter (
      file: file.hasExt "go" || file.name == "go.mod" || file.name == "go.sum"
    ) root;
  };

  subPackages = [ "cmd/hashbot" ];

  env.CGO_ENABLED = 0;

  ldflags = [
    "-s"
    "-w"
  ];

  # The tests drive real Nix, git and HTTP servers and read testdata/ files
  # that this source leaves out; they run in CI (.ci/run), not here.
  doCheck = false;

  meta = {
    description = "Keeps the fixed-output derivation hashes of a Nix packaging repository current";
    mainProgram = "hashbot";
  };
}
