# The authentik monorepo at the pinned release tag (version/<version>), the
# source of every other derivation here. A fixed-output derivation: its hash
# is hashes.src in nix/sources.json (null there means "not computed yet" and
# reaches fetchFromGitHub as "", so Nix reports the real hash).
{
  pkgs,
  tag,
  hash,
}:

pkgs.fetchFromGitHub {
  owner = "goauthentik";
  repo = "authentik";
  inherit tag hash;
}
