# The few nixpkgs lib functions nix/'s recipes and the host toolchain use,
# written with builtins (host-toolchain/default.nix's `lib`).
let
  hasSuffix =
    suffix: s:
    let
      ls = builtins.stringLength s;
      lf = builtins.stringLength suffix;
    in
    ls >= lf && builtins.substring (ls - lf) lf s == suffix;
  hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
  removePrefix =
    prefix: s:
    if hasPrefix prefix s then
      builtins.substring (builtins.stringLength prefix) (builtins.stringLength s) s
    else
      s;
  splitLines = s: builtins.filter builtins.isString (builtins.split "\n" s);
in
{
  inherit
    hasSuffix
    hasPrefix
    removePrefix
    splitLines
    ;
  licenses.mit = {
    spdxId = "MIT";
    shortName = "mit";
  };
  # nixpkgs' lib.fetchers.proxyImpureEnvVars.
  fetchers.proxyImpureEnvVars = [
    "http_proxy"
    "https_proxy"
    "ftp_proxy"
    "all_proxy"
    "no_proxy"
    "HTTP_PROXY"
    "HTTPS_PROXY"
    "FTP_PROXY"
    "ALL_PROXY"
    "NO_PROXY"
    "NIX_SSL_CERT_FILE"
    "NIX_CURL_FLAGS"
  ];
  escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
  makeBinPath = pkgs: builtins.concatStringsSep ":" (map (p: "${p}/bin") pkgs);
  # lib.fileset, for a fileFilter over a root and toSource of it: the files
  # the predicate keeps, in the directories under root (.git left out).
  fileset = {
    fileFilter = pred: root: { inherit pred root; };
    toSource =
      { root, fileset }:
      builtins.path {
        path = root;
        name = "source";
        filter =
          path: type:
          let
            name = baseNameOf path;
          in
          if type == "directory" then
            name != ".git"
          else
            fileset.pred {
              inherit name type;
              hasExt = ext: hasSuffix ".${ext}" name;
            };
      };
  };
}
