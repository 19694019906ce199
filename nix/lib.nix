# Pure helpers for the authentik derivations: reading the pins file
# (nix/sources.json) and picking the hash each fixed-output derivation (FOD)
# declares. Only builtins are used, so this file evaluates without nixpkgs:
#
#   nix-instantiate --eval --strict --json \
#     -E '(import ./nix/lib.nix).hashForSystem { sources = …; name = "python-deps"; system = "x86_64-linux"; }'
#
# The pins are written by hashbot, never by hand-edited Nix code. A hash that
# is JSON `null` means "not computed yet": it becomes the empty string, which
# Nix accepts as an outputHash with an explicit outputHashAlgo and answers with
# a hash mismatch naming the real hash. No placeholder hash is ever written to
# a file.
let
  # The systems with one hash each for the per-system FODs (python-deps,
  # webui-deps). hashbot.toml lists the same systems; a test checks that.
  systems = [
    "x86_64-linux"
    "aarch64-linux"
  ];

  # Upstream tags releases as version/2026.2.2.
  tagPrefix = "version/";

  pinsFile = "nix/sources.json";
  lockFile = "flake.lock";

  showList = xs: builtins.concatStringsSep ", " xs;

  # An SRI sha256 hash: "sha256-" and 44 base64 characters.
  isSRISha256 = h: builtins.match "sha256-[A-Za-z0-9+/]{43}=" h != null;

  # orEmpty turns "not computed yet" (null) into the empty outputHash.
  orEmpty = h: if h == null then "" else h;

  # checkHash validates one pinned hash and returns it with null → "".
  checkHash =
    where: h:
    if h == null || h == "" then
      ""
    else if builtins.isString h && isSRISha256 h then
      h
    else
      throw "${pinsFile}: ${where}: expected an SRI hash \"sha256-…\" or null (not computed yet), got ${builtins.toJSON h}";

  # readPins checks the shape of the parsed pins and returns them.
  readPins =
    sources:
    if !builtins.isAttrs sources then
      throw "${pinsFile}: expected a JSON object at the top level"
    else if !(sources ? version) || !builtins.isString sources.version then
      throw "${pinsFile}: \"version\" must be a string such as \"2026.2.2\""
    else if builtins.match "[0-9]+(\\.[0-9]+)+([-.+][0-9A-Za-z.-]+)?" sources.version == null then
      throw "${pinsFile}: version ${builtins.toJSON sources.version} is not a release version such as \"2026.2.2\""
    else if !(sources ? hashes) || !builtins.isAttrs sources.hashes then
      throw "${pinsFile}: \"hashes\" must be an object of FOD name to hash"
    else
      sources;

  entry =
    sources: name:
    let
      pins = readPins sources;
    in
    if pins.hashes ? ${name} then
      pins.hashes.${name}
    else
      throw "${pinsFile}: hashes.${name} is missing (use null for \"not computed yet\")";

  # hash returns the hash of a system-independent FOD (src, server-vendor, …).
  hash =
    { sources, name }:
    let
      h = entry sources name;
    in
    if builtins.isAttrs h then
      throw "${pinsFile}: hashes.${name} is an object keyed by system, but ${name} has one hash for all systems"
    else
      checkHash "hashes.${name}" h;

  # hashForSystem returns the hash of a per-system FOD (python-deps,
  # webui-deps) for system. A system outside `supported` is an error; a
  # supported system without a key, or a null entry for the whole FOD, is
  # "not computed yet".
  hashForSystem =
    {
      sources,
      name,
      system,
      supported ? systems,
    }:
    let
      h = entry sources name;
    in
    if !(builtins.elem system supported) then
      throw "authentik ${name}: unsupported system \"${system}\"; supported systems: ${showList supported}"
    else if h == null then
      ""
    else if !builtins.isAttrs h then
      throw "${pinsFile}: hashes.${name} must be an object keyed by system (${showList supported}), got ${builtins.toJSON h}"
    else
      checkHash "hashes.${name}.${system}" (h.${system} or null);

  # fixedOutput gives the attributes that make a derivation fixed-output with
  # a recursive (NAR) sha256 hash. An empty hash is "not computed yet"; the
  # explicit outputHashAlgo is what lets Nix accept it.
  fixedOutput = h: {
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = h;
  };

  # tag is the upstream git tag of a version.
  tag = version: tagPrefix + version;

  # nixpkgs is the nixpkgs tree the root flake's flake.lock locks for its
  # `nixpkgs` input: the one pin of nixpkgs in this repository, for the
  # flake and for nix-build alike (flake.nix says who moves it). Every uv,
  # npm and Go FOD hash depends on it, so hashbot.toml lists flake.lock among
  # those FODs' local inputs. The archive is fetched at the locked revision
  # and checked against the locked narHash, which is what fetchTarball's
  # sha256 checks too (the NAR hash of the unpacked tree). nixpkgsSource
  # gives fetchTarball's arguments, nixpkgs the tree.
  nixpkgsSource =
    lock:
    let
      where = "${lockFile}: the nixpkgs input";
      root = lock.nodes.${lock.root or "root"} or { };
      node = lock.nodes.${root.inputs.nixpkgs or ""} or null;
      locked = node.locked or { };
      narHash = locked.narHash or null;
      url =
        if locked.type or null == "github" then
          "https://github.com/${locked.owner}/${locked.repo}/archive/${locked.rev}.tar.gz"
        else if locked.type or null == "tarball" then
          locked.url
        else
          throw "${where} is locked as ${builtins.toJSON (locked.type or null)}; nix/lib.nix fetches a github or tarball input";
    in
    if !builtins.isAttrs (lock.nodes or null) || node == null then
      throw "${where} is not locked (run `nix flake lock`)"
    else if !builtins.isString narHash || !isSRISha256 narHash then
      throw "${where}: narHash ${builtins.toJSON narHash} is not an SRI sha256 hash"
    else
      {
        inherit url;
        sha256 = narHash;
      };
  nixpkgs = lock: builtins.fetchTarball (nixpkgsSource lock);
in
{
  inherit
    systems
    tagPrefix
    orEmpty
    isSRISha256
    readPins
    hash
    hashForSystem
    fixedOutput
    tag
    nixpkgsSource
    nixpkgs
    ;
}
